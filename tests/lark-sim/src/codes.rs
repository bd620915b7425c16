//! The Lark error codes the fake answers with, named so tests can assert on them. Only the
//! numbers live here; the wording and HTTP status of each answer are in `envelope.rs`.

/// Success.
pub const OK: i64 = 0;
/// Token endpoint: a parameter is missing or wrong (e.g. an unknown App ID).
pub const INVALID_PARAM: i64 = 10003;
/// Token endpoint: the App Secret does not belong to the App ID.
pub const APP_SECRET_INVALID: i64 = 10014;
/// Contact v3: a request parameter is invalid (e.g. an unknown `department_id_type`).
pub const PARAM_ERROR: i64 = 40001;
/// Contact v3: internal error; retrying may help.
pub const INTERNAL_ERROR: i64 = 40003;
/// Contact v3: the department is outside the app's contact range (通讯录权限范围).
pub const NO_DEPT_AUTHORITY: i64 = 40004;
/// Contact v3: the person is outside the app's contact range — also what a person who does not
/// exist, or no longer exists, answers: an app cannot tell the two apart (`GET users/:user_id`).
pub const NO_USER_AUTHORITY: i64 = 41050;
/// Contact v3: `page_size` above 50.
pub const PAGE_SIZE_TOO_LARGE: i64 = 40009;
/// Contact v3: `page_size` not a positive number.
pub const PAGE_SIZE_INVALID: i64 = 40011;
/// Contact v3: `page_token` not one this list handed out.
pub const PAGE_TOKEN_INVALID: i64 = 40012;
/// Unknown API path.
pub const NOT_FOUND: i64 = 99991201;
/// The app called an API too often (HTTP 429).
pub const FREQUENCY_LIMIT: i64 = 99991400;
/// The caller's IP is not on the app's IP whitelist.
pub const IP_DENIED: i64 = 99991401;
/// No `Authorization` header.
pub const TOKEN_MISSING: i64 = 99991661;
/// The access token is unknown or expired.
pub const TOKEN_INVALID: i64 = 99991663;
/// The access token does not look like one (`t-` / `u-`).
pub const TOKEN_BAD_FORMAT: i64 = 99991671;
/// The app has not been granted any of the API's permission scopes.
pub const SCOPE_MISSING: i64 = 99991672;
