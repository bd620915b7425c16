//! The misbehaviour a test can switch on. Plain configuration: `gate.rs` and the handlers decide
//! when each applies.

use std::collections::BTreeMap;
use std::time::Duration;

/// How the fake Lark misbehaves; `Faults::default()` is a well-behaved server.
#[derive(Debug, Clone, PartialEq)]
pub struct Faults {
    /// Added to every request before it is answered.
    pub latency: Duration,
    /// Share of calls (0.0–1.0) answered by the gateway with HTTP 502/503 and an HTML page.
    pub http_5xx_rate: f64,
    /// Every this many-th call (counted from when the faults were set) is answered by the
    /// gateway with HTTP 502 and an HTML page, whatever the timing and the order of the calls.
    pub http_5xx_every: Option<u64>,
    /// Calls accepted per API per second; beyond it, HTTP 429 with code 99991400.
    pub qps_limit: Option<u32>,
    /// Lifetime of a tenant access token (Lark: two hours).
    pub token_ttl: Duration,
    /// A token becomes invalid (99991663) after this many calls made with it.
    pub token_expires_after_calls: Option<u64>,
    /// Departments (by `open_department_id`) whose calls fail, and how.
    pub failing_departments: BTreeMap<String, DeptFault>,
    /// The app has none of the contact permission scopes: contact APIs answer 99991672.
    pub missing_contact_scope: bool,
    /// The app lacks `contact:user.employee_id:readonly`: users come without `user_id`.
    pub hide_user_id: bool,
    /// Departments come without `member_count`, as Lark answers an app with none of the scopes
    /// that reveal it (such as `contact:department.organize:readonly`).
    pub hide_member_count: bool,
    /// Every call is refused as coming from an IP not on the app's whitelist (99991401).
    pub ip_denied: bool,
    /// Not real Lark behaviour: bytes of filler added to every people listing (a `padding`
    /// text in `data`), to show a client caps the size of what it reads.
    pub answer_padding: usize,
    /// Seed of the random choices (`http_5xx_rate`, token strings).
    pub seed: u64,
}

impl Default for Faults {
    fn default() -> Faults {
        Faults {
            latency: Duration::ZERO,
            http_5xx_rate: 0.0,
            http_5xx_every: None,
            qps_limit: None,
            token_ttl: Duration::from_secs(7200),
            token_expires_after_calls: None,
            failing_departments: BTreeMap::new(),
            missing_contact_scope: false,
            hide_user_id: false,
            hide_member_count: false,
            ip_denied: false,
            answer_padding: 0,
            seed: 0,
        }
    }
}

syncer_sim_kit::sim_faults!(Faults, ip_denied: ip_denied);

/// How calls about one department fail (listing its children, its people, or getting it). The
/// department still appears in its parent's listing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeptFault {
    /// 40004: the department is outside the app's contact range.
    NoAuthority,
    /// 40003: internal error, every time; retries never help.
    InternalError,
    /// Not real Lark behaviour: the people listing of this department answers `"items": null`.
    NullItems,
    /// Not real Lark behaviour: the people of this department come without `status`.
    MissingStatus,
    /// Not real Lark behaviour: the people listing of this department says `has_more` forever,
    /// with a new `page_token` and a new made-up person on every page.
    EndlessPages,
    /// Not real Lark behaviour: the first sub-department in this department's children listing
    /// comes without `open_department_id`.
    UnnamedChild,
    /// The first two people of this department's listing come without `user_id` (as Lark
    /// answers an app without the employee-id scope, here for one department only).
    WithoutUserId,
}
