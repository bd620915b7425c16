//! DingTalk oapi `errcode` values the simulator answers with, named so tests can assert on them.
//! Only the numbers live here; the wording of each answer is in `envelope.rs`.

/// Success.
pub const OK: i64 = 0;
/// System busy: retry with backoff.
pub const SYSTEM_BUSY: i64 = -1;
/// Authorization failure; the reason is in `sub_code` / `sub_msg`.
pub const AUTH_FAILURE: i64 = 88;
/// Unknown API path.
pub const URI_NOT_FOUND: i64 = 404;
/// The access token is missing or not one DingTalk issued.
pub const INVALID_TOKEN: i64 = 40014;
/// The access token has expired.
pub const EXPIRED_TOKEN: i64 = 42001;
/// Wrong App Key or App Secret on `/gettoken`.
pub const INVALID_APP_CREDENTIALS: i64 = 40089;
/// The department does not exist.
pub const DEPT_NOT_FOUND: i64 = 60003;
/// No permission for this API or department; sent as `sub_code` "60011" of errcode 88.
pub const NO_PERMISSION: i64 = 60011;
/// The caller's IP address is not on the app's server IP whitelist.
pub const IP_NOT_WHITELISTED: i64 = 60020;
/// The department is outside the app's authorized contact range.
pub const OUTSIDE_AUTH_SCOPE: i64 = 50004;
/// What the gateway's flood control answers in `status` (its body has no `errcode`).
pub const FLOOD_CONTROL: i64 = 1111;
/// The user does not exist.
pub const USER_NOT_FOUND: i64 = 60121;
/// Call-rate limit of this API exceeded.
pub const RATE_LIMITED: i64 = 90018;
/// A request parameter is missing or invalid.
pub const INVALID_PARAMETER: i64 = 400002;
/// The organization's metered API calls of this month exceeded its quota (`quota.rs`).
pub const QUOTA_EXHAUSTED: i64 = 90020;
