//! Errors of Lark calls, each naming the API and code and saying what the operator should do in
//! the Lark developer console. The App Secret never appears in them.

use std::fmt;

/// Where the operator fixes things.
const CONSOLE: &str = "the Lark developer console (open.feishu.cn/app or open.larksuite.com/app)";

/// Classification of a Lark `code`, deciding retries and advice.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorClass {
    /// Internal error: try again after a backoff.
    Busy,
    /// Frequency limit (99991400): back off at least a second and slow down.
    Throttled,
    /// The tenant access token is missing, malformed, invalid or expired: refresh and repeat.
    TokenInvalid,
    /// App ID / App Secret rejected.
    BadCredentials,
    /// The app is disabled or not installed in the tenant.
    AppUnavailable,
    /// The server's IP is not on the app's IP whitelist.
    IpDenied,
    /// The app lacks a permission scope.
    MissingScope,
    /// The department or person is outside the app's contact range.
    OutsideContactRange,
    /// The tenant's monthly API quota is used up.
    QuotaExceeded,
    /// Anything else: not retried.
    Other,
}

/// An answer of Lark with a non-zero `code`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiFailure {
    /// The API path (path parameters as `:name`).
    pub api: String,
    /// Lark's code.
    pub code: i64,
    /// Lark's msg (the secret masked).
    pub msg: String,
}

impl ApiFailure {
    /// What kind of failure this is.
    pub fn class(&self) -> ErrorClass {
        match self.code {
            99991400 => ErrorClass::Throttled,
            99991661 | 99991663 | 99991665 | 99991671 => ErrorClass::TokenInvalid,
            10003 | 10014 | 10015 | 20002 | 99991543 => ErrorClass::BadCredentials,
            99991662 | 99991673 => ErrorClass::AppUnavailable,
            99991401 => ErrorClass::IpDenied,
            99991672 | 99991676 => ErrorClass::MissingScope,
            40004 | 40014 | 41050 => ErrorClass::OutsideContactRange,
            99991403 => ErrorClass::QuotaExceeded,
            40003 | 2200 => ErrorClass::Busy,
            _ => ErrorClass::Other,
        }
    }

    /// What the operator should do about it, in one sentence.
    pub fn advice(&self) -> String {
        match self.class() {
            ErrorClass::Busy => "Lark had an internal error; the call is retried with backoff".to_owned(),
            ErrorClass::Throttled => "the app exceeded Lark's frequency limit; lower `rate_limit` for this syncer if it keeps happening".to_owned(),
            ErrorClass::TokenInvalid => "the tenant access token was refused; it is refreshed automatically — if this persists, check that the App ID and App Secret belong to the same app".to_owned(),
            ErrorClass::BadCredentials => format!(
                "Lark rejected the App ID / App Secret: copy both again from {CONSOLE} (your app → Credentials & Basic Info / 凭证与基础信息)"
            ),
            ErrorClass::AppUnavailable => "the app is disabled or not installed in this tenant: ask the tenant administrator to enable it in the Lark admin console".to_owned(),
            ErrorClass::IpDenied => format!(
                "Lark refused this server's IP address: add the server's egress IP to the app's IP whitelist in {CONSOLE} (your app → Security Settings / 安全设置)"
            ),
            ErrorClass::MissingScope => format!(
                "the app lacks a permission scope: in {CONSOLE} (your app → Permissions & Scopes / 权限管理) add contact:contact.base:readonly and contact:user.base:readonly (plus contact:user.employee_id:readonly for user_id, contact:user.email:readonly and contact:user.phone:readonly for e-mail and mobile), then publish a new version of the app"
            ),
            ErrorClass::OutsideContactRange => format!(
                "the department is outside the app's contact range: in {CONSOLE} (your app → Permissions & Scopes → Data permissions / 数据权限 → 通讯录权限范围) choose all members (全部成员), then publish a new version of the app"
            ),
            ErrorClass::QuotaExceeded => "the tenant's monthly API call quota is used up: ask the administrator to upgrade the Lark plan, or wait for next month".to_owned(),
            ErrorClass::Other => "unexpected Lark answer; report it with the code if it persists".to_owned(),
        }
    }
}

impl fmt::Display for ApiFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Lark {} answered code {}", self.api, self.code)?;
        if !self.msg.is_empty() {
            write!(f, " \"{}\"", self.msg)?;
        }
        write!(f, ": {}", self.advice())
    }
}

/// A failed Lark call.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LarkError {
    /// Lark answered with a non-zero code.
    #[error("{0}")]
    Api(ApiFailure),
    /// Lark (or a proxy) answered with an HTTP error status and no Lark envelope.
    #[error("Lark {api} answered HTTP {status} without a Lark answer; retried with backoff — check the endpoint and any proxy if it persists")]
    Http {
        /// The API path.
        api: String,
        /// The HTTP status.
        status: u16,
    },
    /// The call got no answer (connection refused, timeout, DNS).
    #[error("could not reach Lark {api}: {message}; check the network path to the endpoint")]
    Network {
        /// The API path.
        api: String,
        /// The transport error, without URL.
        message: String,
    },
    /// The answer was not the JSON Lark sends.
    #[error("Lark {api} sent an answer that is not valid JSON of the expected shape: {message}")]
    InvalidResponse {
        /// The API path.
        api: String,
        /// What was wrong.
        message: String,
    },
    /// Retries ran out.
    #[error("{last} (gave up after {attempts} attempts)")]
    RetriesExhausted {
        /// Attempts made.
        attempts: u32,
        /// The last failure.
        last: Box<LarkError>,
    },
}

impl LarkError {
    /// The API the error concerns.
    pub fn api(&self) -> &str {
        match self {
            LarkError::Api(failure) => &failure.api,
            LarkError::Http { api, .. }
            | LarkError::Network { api, .. }
            | LarkError::InvalidResponse { api, .. } => api,
            LarkError::RetriesExhausted { last, .. } => last.api(),
        }
    }

    /// The Lark failure behind this error, if Lark answered with a code.
    pub fn api_failure(&self) -> Option<&ApiFailure> {
        match self {
            LarkError::Api(failure) => Some(failure),
            LarkError::RetriesExhausted { last, .. } => last.api_failure(),
            _ => None,
        }
    }

    /// The class of the underlying code, if any.
    pub fn class(&self) -> Option<ErrorClass> {
        self.api_failure().map(ApiFailure::class)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn failure(code: i64) -> ApiFailure {
        ApiFailure {
            api: "/open-apis/contact/v3/users/find_by_department".into(),
            code,
            msg: "x".into(),
        }
    }

    #[test]
    fn codes_are_classified_as_the_documentation_says() {
        assert_eq!(failure(99991400).class(), ErrorClass::Throttled);
        assert_eq!(failure(99991663).class(), ErrorClass::TokenInvalid);
        assert_eq!(failure(99991661).class(), ErrorClass::TokenInvalid);
        assert_eq!(failure(10014).class(), ErrorClass::BadCredentials);
        assert_eq!(failure(99991672).class(), ErrorClass::MissingScope);
        assert_eq!(failure(40004).class(), ErrorClass::OutsideContactRange);
        assert_eq!(failure(41050).class(), ErrorClass::OutsideContactRange);
        assert_eq!(failure(99991401).class(), ErrorClass::IpDenied);
        assert_eq!(failure(40003).class(), ErrorClass::Busy);
        assert_eq!(failure(12345).class(), ErrorClass::Other);
    }

    #[test]
    fn advice_names_the_code_the_scope_and_the_console_page() {
        let text = failure(99991672).to_string();
        assert!(text.contains("code 99991672"), "{text}");
        assert!(text.contains("contact:user.base:readonly"), "{text}");
        assert!(text.contains("Permissions & Scopes"), "{text}");
        let text = failure(40004).to_string();
        assert!(text.contains("通讯录权限范围"), "{text}");
        let text = failure(10014).to_string();
        assert!(text.contains("App Secret"), "{text}");
    }
}
