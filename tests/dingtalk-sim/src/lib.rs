//! A fake DingTalk: a deterministic generator of Chinese organizations and an HTTP server that
//! serves one over DingTalk's old-style ("oapi") contract, for the product's `demo` command, the
//! integration tests and the benchmark.
//!
//! The server behaves like `oapi.dingtalk.com` as far as a directory sync can tell: HTTP 200 JSON
//! envelopes with `errcode`/`errmsg`/`request_id`, `?access_token=` tokens that are renewed on
//! repeated `/gettoken` calls and expire, cursor paging of at most 100 members, direct-children
//! department listings, and DingTalk's error codes (see [`codes`]). [`Faults`] switch on latency,
//! busy answers, 5xx pages, throttling, short-lived tokens, failing departments, missing
//! permissions and an IP-whitelist rejection; [`Stats`] report what clients did. Every request
//! costs O(1) plus its page size, so a 100,000-user org is served as cheaply as a small one.
//!
//! Change events: the same server is the Stream gateway (`/v1.0/gateway/connections/open` and
//! its WebSocket, see [`StreamConfig`]) or pushes over HTTP ([`FakeDingTalk::push_to`]); the
//! test-facing change methods ([`FakeDingTalk::hire`], [`FakeDingTalk::leave`], ...) edit the
//! organization and emit the matching event, and [`FakeDingTalk::all_acknowledged`] awaits
//! their acknowledgement. [`EventStats`] count deliveries, acknowledgements and pushes.
//!
//! This crate knows nothing of the syncer: it is written from DingTalk's API documentation, not
//! from any client.
//!
//! ```no_run
//! use syncer_dingtalk_sim::{Credentials, FakeDingTalk, Faults, Org, OrgSpec};
//!
//! # async fn example() -> std::io::Result<()> {
//! let org = Org::generate(&OrgSpec::default());
//! let server = FakeDingTalk::start(org, Credentials::demo(), Faults::default()).await?;
//! let endpoint = server.url(); // give this to the DingTalk client as its base URL
//! # let _ = endpoint;
//! server.update_org(|org| {
//!     org.remove_user("manager1234");
//! });
//! assert_eq!(server.stats().duplicate_user_list_pages(), 0);
//! server.shutdown().await;
//! # Ok(())
//! # }
//! ```

mod changes;
pub mod codes;
mod credentials;
mod directory;
mod envelope;
mod events;
mod fake;
mod faults;
mod gate;
mod generate;
mod handlers;
mod hostile;
mod names;
mod org;
mod quota;
mod server;
mod state;
mod stats;

pub use credentials::Credentials;
pub use events::{
    types as event_types, EventStats, PushConfig, PushError, PushStats, StreamConfig,
};
pub use fake::FakeDingTalk;
pub use faults::{DeptFault, Faults, Permission};
pub use generate::{benchmark_spec, DingTalkExtras, OrgSpec};
pub use org::{Org, SimDept, SimUser, ROOT_DEPT_ID};
pub use state::DingTalk;
pub use stats::{PageKey, Stats};
pub use syncer_sim_kit::Unsettled;

/// API paths the simulator serves, for tests that assert on [`Stats::calls`].
pub mod paths {
    /// `GET /gettoken`.
    pub const GETTOKEN: &str = "/gettoken";
    /// `POST /topapi/v2/department/listsub`.
    pub const DEPARTMENT_LISTSUB: &str = "/topapi/v2/department/listsub";
    /// `POST /topapi/v2/department/listsubid`.
    pub const DEPARTMENT_LISTSUBID: &str = "/topapi/v2/department/listsubid";
    /// `POST /topapi/v2/department/get`.
    pub const DEPARTMENT_GET: &str = "/topapi/v2/department/get";
    /// `POST /topapi/v2/user/list`.
    pub const USER_LIST: &str = "/topapi/v2/user/list";
    /// `POST /topapi/user/listsimple`.
    pub const USER_LISTSIMPLE: &str = "/topapi/user/listsimple";
    /// `POST /topapi/v2/user/get`.
    pub const USER_GET: &str = "/topapi/v2/user/get";
    /// `POST /topapi/user/listid`.
    pub const USER_LISTID: &str = "/topapi/user/listid";
    /// `POST /topapi/user/count`.
    pub const USER_COUNT: &str = "/topapi/user/count";
    /// `POST /v1.0/gateway/connections/open` (api.dingtalk.com): a Stream ticket.
    pub const GATEWAY_OPEN: &str = "/v1.0/gateway/connections/open";
    /// The Stream WebSocket (`GET ?ticket=`), the endpoint `connections/open` hands out.
    pub const GATEWAY_CONNECT: &str = "/connect";
}
