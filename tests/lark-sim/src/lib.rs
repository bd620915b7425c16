//! A fake Lark / Feishu open platform (`open.feishu.cn`, `open.larksuite.com`): a tenant's
//! departments and people served over the contact v3 HTTP contract, for the tests of the Lark
//! backend and its conformance run.
//!
//! Written from Lark's published API documentation (see `docs/lark-api.md`), not from any client:
//!
//! - `POST /open-apis/auth/v3/tenant_access_token/internal` hands out a `t-` token from App ID /
//!   App Secret with its lifetime in `expire`; the same token while it has 30 minutes or more
//!   left, a new one after (the old one stays valid until it expires);
//! - `GET /open-apis/contact/v3/departments/:department_id/children` and
//!   `GET /open-apis/contact/v3/users/find_by_department` answer the `{code, msg, data}`
//!   envelope with `items`, `has_more` and an opaque `page_token`, `page_size` 1–50
//!   (default 10), the root department `0`, and `open_department_id` or `department_id` ids;
//! - every call needs `Authorization: Bearer t-…`; errors carry Lark's codes (see [`codes`]):
//!   a missing or invalid token, a wrong App Secret, the frequency limit (HTTP 429), a missing
//!   permission scope, a department outside the app's contact range.
//!
//! - `GET /open-apis/contact/v3/users/:user_id` and `GET /open-apis/contact/v3/departments/:id`
//!   answer one person or department; a person not (or no longer) in the tenant answers 41050
//!   (no user authority: an app cannot tell "gone" from "outside my range"), a department 40004.
//!
//! Events: [`FakeLark::callback_to`] subscribes the app's request URL; the change methods
//! ([`FakeLark::hire`], [`FakeLark::modify`], [`FakeLark::leave`], the department ones) edit the
//! tenant and send the matching contact v3 event (schema 2.0, sealed with the Encrypt Key and
//! signed), retried as Lark does; [`FakeLark::verify_url`] sends the URL check and
//! [`FakeLark::all_acknowledged`] awaits every event's HTTP 200.
//!
//! [`Faults`] switch on latency, gateway errors, the frequency limit, short-lived tokens, failing
//! departments, missing scopes and a hidden `user_id`; [`Stats`] count what clients did, per API.
//!
//! ```no_run
//! use syncer_lark_sim::{Credentials, FakeLark, Faults, LarkOrg, OrgSpec};
//!
//! # async fn example() -> std::io::Result<()> {
//! let org = LarkOrg::generate(&OrgSpec::default());
//! let server = FakeLark::start(org, Credentials::demo(), Faults::default()).await?;
//! let endpoint = server.url(); // the Lark client's base URL
//! # let _ = endpoint;
//! assert_eq!(server.stats().duplicate_pages(), 0);
//! server.shutdown().await;
//! # Ok(())
//! # }
//! ```

mod call;
mod callback;
mod changes;
pub mod codes;
mod credentials;
mod envelope;
mod fake;
mod faults;
mod gate;
mod generate;
mod handlers;
mod org;
mod paging;
mod server;
mod state;
mod stats;

pub use callback::{CallbackConfig, CallbackError, CallbackStats, Callbacks, ContactEvent};
pub use credentials::Credentials;
pub use fake::FakeLark;
pub use faults::{DeptFault, Faults};
pub use generate::{LarkExtras, OrgSpec};
pub use org::{LarkOrg, SimDepartment, SimUser, ROOT_DEPARTMENT};
pub use state::Lark;
pub use stats::{PageKey, Stats};
pub use syncer_sim_kit::Unsettled;

/// The API paths the fake serves, as [`Stats::calls`] keys them (path parameters as `:name`).
pub mod paths {
    /// `POST`: a tenant access token for a custom (self-built) app.
    pub const TENANT_ACCESS_TOKEN: &str = "/open-apis/auth/v3/tenant_access_token/internal";
    /// `GET`: the sub-departments of a department.
    pub const DEPARTMENT_CHILDREN: &str =
        "/open-apis/contact/v3/departments/:department_id/children";
    /// `GET`: one department.
    pub const DEPARTMENT_GET: &str = "/open-apis/contact/v3/departments/:department_id";
    /// `GET`: one person, by the id `user_id_type` names.
    pub const USER_GET: &str = "/open-apis/contact/v3/users/:user_id";
    /// `GET`: the people directly in a department.
    pub const USERS_BY_DEPARTMENT: &str = "/open-apis/contact/v3/users/find_by_department";
}
