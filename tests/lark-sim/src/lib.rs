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

pub mod codes;
mod credentials;
mod envelope;
mod faults;
mod gate;
mod generate;
mod handlers;
mod org;
mod paging;
mod server;
mod state;
mod stats;

pub use credentials::Credentials;
pub use faults::{DeptFault, Faults};
pub use generate::OrgSpec;
pub use org::{LarkOrg, SimDepartment, SimUser, ROOT_DEPARTMENT};
pub use server::FakeLark;
pub use state::Lark;
pub use stats::{PageKey, Stats};

/// The API paths the fake serves, as [`Stats::calls`] keys them (path parameters as `:name`).
pub mod paths {
    /// `POST`: a tenant access token for a custom (self-built) app.
    pub const TENANT_ACCESS_TOKEN: &str = "/open-apis/auth/v3/tenant_access_token/internal";
    /// `GET`: the sub-departments of a department.
    pub const DEPARTMENT_CHILDREN: &str =
        "/open-apis/contact/v3/departments/:department_id/children";
    /// `GET`: the people directly in a department.
    pub const USERS_BY_DEPARTMENT: &str = "/open-apis/contact/v3/users/find_by_department";
}
