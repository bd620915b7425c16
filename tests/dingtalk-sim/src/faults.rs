//! The misbehaviour a test or the benchmark can switch on: latency, system-busy answers, 5xx
//! gateway errors, throttling, short-lived tokens, failing departments, missing permissions and an
//! IP-whitelist rejection. Plain configuration: the server (`gate.rs`) decides when each applies.

use std::collections::BTreeMap;
use std::time::Duration;

/// How the fake DingTalk misbehaves. `Faults::default()` is a well-behaved server.
/// Can be replaced at any time with [`crate::FakeDingTalk::set_faults`].
#[derive(Debug, Clone, PartialEq)]
pub struct Faults {
    /// Added to every request before it is answered.
    pub latency: Duration,
    /// Share of calls (0.0–1.0) answered with errcode -1 (system busy).
    pub busy_rate: f64,
    /// Every this many-th call that passes the network, the quota, the access token and the
    /// throttling (counted from when the faults were set) is answered errcode -1 (system busy),
    /// whatever the timing and the order of the calls.
    pub busy_every: Option<u64>,
    /// Share of calls answered with HTTP 502 or 503 and an HTML body, as a gateway would.
    pub http_5xx_rate: f64,
    /// Every this many-th call (counted from when the faults were set) is answered with HTTP
    /// 502 and an HTML body, as a gateway would, whatever the timing and the order of the calls.
    pub http_5xx_every: Option<u64>,
    /// Calls accepted per API path in any one-second window; beyond it, errcode 90018.
    pub qps_limit: Option<u32>,
    /// Share of calls answered with errcode 90018 (throttled) regardless of the rate.
    pub throttle_rate: f64,
    /// Every this many-th call that passes the network, the quota and the access token
    /// (`/gettoken` included; the Nth, the 2Nth, ..., counted from when the faults were set) is
    /// answered errcode 90018 (throttled): throttling that happens whatever the timing, unlike
    /// `qps_limit`, and whatever the order of the calls, unlike `throttle_rate`.
    pub throttle_every: Option<u64>,
    /// Lifetime of an access token, counted from its issue or its last renewal.
    pub token_ttl: Duration,
    /// A token expires (errcode 42001) after this many API calls made with it.
    pub token_expires_after_calls: Option<u64>,
    /// Departments whose calls fail, by department id.
    pub failing_departments: BTreeMap<i64, DeptFault>,
    /// A permission scope the app has not been granted.
    pub missing_permission: Option<Permission>,
    /// Every call, `/gettoken` included, is rejected as coming from an IP not on the whitelist.
    pub ip_whitelist_reject: bool,
    /// Share of calls answered, with HTTP 200, by the gateway's flood control instead of the API:
    /// `{"status":1111,"wait":1,...}`, a JSON body without `errcode`.
    pub flood_control_rate: f64,
    /// `listsub` lists every child twice, as a misbehaving proxy might: a client must still
    /// walk each department once.
    pub duplicate_listings: bool,
    /// Not real DingTalk behaviour: every department's `listsub` also lists a made-up
    /// sub-department, which lists one of its own, without end (a tree no client can finish).
    pub endless_sub_departments: bool,
    /// Bytes of filler added to every `user/list` answer (an extra `padding` text field), to
    /// show a client caps the size of what it reads.
    pub answer_padding: usize,
    /// The organization's monthly quota of metered calls: once the server has answered this
    /// many calls (since start or the last stats reset), every call, `/gettoken` included, is
    /// answered errcode 90020 with the count and the quota (`quota.rs`).
    pub monthly_call_quota: Option<u64>,
    /// `user/count` always answers errcode -1 (system busy): retries never help, so a client
    /// must do without the organization's count.
    pub busy_user_count: bool,
    /// Seed of the random choices (`busy_rate`, `http_5xx_rate`, `throttle_rate`, token strings);
    /// setting the faults also restarts the counts of the `..._every` faults.
    pub seed: u64,
}

impl Default for Faults {
    fn default() -> Faults {
        Faults {
            latency: Duration::ZERO,
            busy_rate: 0.0,
            busy_every: None,
            http_5xx_rate: 0.0,
            http_5xx_every: None,
            qps_limit: None,
            throttle_rate: 0.0,
            throttle_every: None,
            token_ttl: Duration::from_secs(7200),
            token_expires_after_calls: None,
            failing_departments: BTreeMap::new(),
            missing_permission: None,
            ip_whitelist_reject: false,
            flood_control_rate: 0.0,
            duplicate_listings: false,
            endless_sub_departments: false,
            answer_padding: 0,
            monthly_call_quota: None,
            busy_user_count: false,
            seed: 0,
        }
    }
}

syncer_sim_kit::sim_faults!(Faults, ip_denied: ip_whitelist_reject);

/// How calls about one department fail: calls naming it as `dept_id` (listing its
/// sub-departments or members, or getting it). It still appears in its parent's listings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeptFault {
    /// Always errcode -1 (system busy): retries never help.
    AlwaysBusy,
    /// Errcode 88 with sub_code 60011: the department is outside the app's contact range.
    NoPermission,
    /// Errcode 60003: the department does not exist (removed mid-sync).
    NotFound,
    /// Errcode 50004: the department is outside the app's authorized contact range (the code
    /// DingTalk documents for `user/list` and `listsub` of such a department).
    OutsideContactRange,
    /// Not real DingTalk behaviour: `user/list` of this department says `has_more` but gives no
    /// `next_cursor`, so a client can show it never takes a cut-short listing for a whole one.
    BrokenCursor,
    /// Not real DingTalk behaviour: on `user/list` of this department the first member's
    /// `userid` is `null` and the second's is `""`.
    UnidentifiedMembers,
    /// Not real DingTalk behaviour: `user/list` of this department answers `"list": null`.
    NullList,
    /// Not real DingTalk behaviour: `user/list` of this department lists members without their
    /// `active` field.
    MissingActive,
    /// Not real DingTalk behaviour: `user/list` of this department says `has_more` forever,
    /// with an advancing cursor and a new made-up member on every page.
    EndlessPages,
}

/// A permission scope of the DingTalk developer console.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    /// `qyapi_get_department_list`: reading departments.
    DepartmentRead,
    /// `qyapi_get_department_member`: reading members.
    MemberRead,
}

impl Permission {
    /// The scope's code as the developer console and DingTalk's errors name it.
    pub fn scope(self) -> &'static str {
        match self {
            Permission::DepartmentRead => "qyapi_get_department_list",
            Permission::MemberRead => "qyapi_get_department_member",
        }
    }
}
