//! What Lark's answers mean: the classification of a `code`, the advice that names the fix in
//! the Lark developer console, and the [`Verdict`] the shared call loop acts on. Lark pairs
//! error codes with 4xx statuses, so the body is read whatever the status. The App Secret never
//! appears in an error.

use std::fmt;
use std::time::Duration;

use serde::de::DeserializeOwned;
use serde_json::Value;
use syncer_core::Secret;
use syncer_remote::{Answer, CallError, Classify, Failure, Token, Verdict};

use crate::api::{Envelope, TokenAnswer, TENANT_ACCESS_TOKEN};

/// The remote's name in messages.
pub const LARK: &str = "Lark";

/// A failed Lark call.
pub type LarkError = CallError<ApiFailure>;

/// Where the operator fixes things.
const CONSOLE: &str = "the Lark developer console (open.feishu.cn/app or open.larksuite.com/app)";

/// Classification of a Lark `code`, deciding retries and advice: the shared vocabulary of
/// `syncer-remote`, onto which [`ApiFailure`]'s [`Failure::class`] maps Lark's codes (99991400
/// the frequency limit, 9999166x a refused tenant access token, 99991672 a missing scope, 40004
/// outside the contact range, 99991403 the monthly quota, ...).
pub use syncer_remote::FailureClass as ErrorClass;

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
    /// What the operator should do about it, in one sentence.
    pub fn advice(&self) -> String {
        match self.class() {
            ErrorClass::Busy => "Lark had an internal error; the call is retried with backoff".to_owned(),
            ErrorClass::Throttled => "the app exceeded Lark's frequency limit; lower `rate_limit` for this syncer if it keeps happening".to_owned(),
            ErrorClass::TokenRefused => "the tenant access token was refused; it is refreshed automatically — if this persists, check that the App ID and App Secret belong to the same app".to_owned(),
            ErrorClass::BadCredentials => format!(
                "Lark rejected the App ID / App Secret: copy both again from {CONSOLE} (your app → Credentials & Basic Info / 凭证与基础信息)"
            ),
            ErrorClass::AppUnavailable => "the app is disabled or not installed in this tenant: ask the tenant administrator to enable it in the Lark admin console".to_owned(),
            ErrorClass::IpNotAllowed => format!(
                "Lark refused this server's IP address: add the server's egress IP to the app's IP whitelist in {CONSOLE} (your app → Security Settings / 安全设置)"
            ),
            ErrorClass::NoPermission => format!(
                "the app lacks a permission scope: in {CONSOLE} (your app → Permissions & Scopes / 权限管理) add contact:contact.base:readonly and contact:user.base:readonly (plus contact:user.employee_id:readonly for user_id, contact:user.email:readonly and contact:user.phone:readonly for e-mail and mobile), then publish a new version of the app"
            ),
            ErrorClass::OutsideContactRange => format!(
                "the department is outside the app's contact range: in {CONSOLE} (your app → Permissions & Scopes → Data permissions / 数据权限 → 通讯录权限范围) choose all members (全部成员), then publish a new version of the app"
            ),
            ErrorClass::QuotaExhausted => "the tenant's monthly API call quota is used up: retrying does not help, so the syncer sends no further call — ask the administrator to upgrade the Lark plan, or wait for next month".to_owned(),
            ErrorClass::UserNotFound => "Lark knows no person with this user_id (deleted from the tenant)".to_owned(),
            ErrorClass::DepartmentNotFound => "Lark knows no department with this id (deleted)".to_owned(),
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

impl Failure for ApiFailure {
    fn api(&self) -> &str {
        &self.api
    }

    fn class(&self) -> ErrorClass {
        match self.code {
            99991400 => ErrorClass::Throttled,
            99991661 | 99991663 | 99991665 | 99991671 => ErrorClass::TokenRefused,
            10003 | 10014 | 10015 | 20002 | 99991543 => ErrorClass::BadCredentials,
            99991662 | 99991673 => ErrorClass::AppUnavailable,
            99991401 => ErrorClass::IpNotAllowed,
            99991672 | 99991676 => ErrorClass::NoPermission,
            40004 | 40014 | 41050 => ErrorClass::OutsideContactRange,
            99991403 => ErrorClass::QuotaExhausted,
            40003 | 2200 => ErrorClass::Busy,
            41012 => ErrorClass::UserNotFound,
            40015 => ErrorClass::DepartmentNotFound,
            _ => ErrorClass::Other,
        }
    }
}

impl Classify for ApiFailure {
    /// What an answer of the token endpoint means. A frequency limit there is throttling like
    /// anywhere else: waited out and slowed down, not retried at once.
    fn read_token(secret: &Secret, answer: &Answer) -> Verdict<Token, ApiFailure> {
        let token = match serde_json::from_slice::<TokenAnswer>(&answer.body) {
            Ok(token) => token,
            Err(_) if answer.status >= 500 || answer.status == 429 => {
                return Verdict::of_status(LARK, TENANT_ACCESS_TOKEN, answer.status)
            }
            Err(error) => {
                return Verdict::Fail(CallError::invalid(
                    LARK,
                    TENANT_ACCESS_TOKEN,
                    error.to_string(),
                ))
            }
        };
        if token.code == 0 && !token.tenant_access_token.is_empty() {
            return Verdict::Done(Token {
                value: token.tenant_access_token,
                lifetime: Duration::from_secs(token.expire.max(60)),
            });
        }
        Verdict::of_failure(ApiFailure {
            api: TENANT_ACCESS_TOKEN.to_owned(),
            code: token.code,
            msg: secret.redact(&token.msg),
        })
    }

    /// What an answer of `api` means: its `data` as `T`, or what to do about it. An answer that
    /// is not a Lark envelope came from a gateway or proxy and is judged by its status.
    fn classify<T: DeserializeOwned>(
        secret: &Secret,
        api: &'static str,
        answer: &Answer,
    ) -> Verdict<T, ApiFailure> {
        let envelope = match serde_json::from_slice::<Envelope>(&answer.body) {
            Ok(envelope) => envelope,
            Err(error) if answer.is_success() => {
                return Verdict::Fail(CallError::invalid(LARK, api, error.to_string()))
            }
            Err(_) => return Verdict::of_status(LARK, api, answer.status),
        };
        if envelope.code != 0 {
            return Verdict::of_failure(ApiFailure {
                api: api.to_owned(),
                code: envelope.code,
                msg: secret.redact(&envelope.msg),
            });
        }
        match serde_json::from_value(envelope.data.unwrap_or(Value::Null)) {
            Ok(value) => Verdict::Done(value),
            Err(error) => Verdict::Fail(CallError::invalid(
                LARK,
                api,
                format!("code 0 with unexpected data: {error}"),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use syncer_remote::testing::used_up_quota_text;

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
        assert_eq!(failure(99991663).class(), ErrorClass::TokenRefused);
        assert_eq!(failure(99991661).class(), ErrorClass::TokenRefused);
        assert_eq!(failure(10014).class(), ErrorClass::BadCredentials);
        assert_eq!(failure(99991672).class(), ErrorClass::NoPermission);
        assert_eq!(failure(40004).class(), ErrorClass::OutsideContactRange);
        assert_eq!(failure(41050).class(), ErrorClass::OutsideContactRange);
        assert_eq!(failure(99991401).class(), ErrorClass::IpNotAllowed);
        assert_eq!(failure(40003).class(), ErrorClass::Busy);
        assert_eq!(failure(12345).class(), ErrorClass::Other);
        assert_eq!(failure(99991403).class(), ErrorClass::QuotaExhausted);
        assert_eq!(failure(41012).class(), ErrorClass::UserNotFound);
        assert_eq!(failure(40015).class(), ErrorClass::DepartmentNotFound);
    }

    #[test]
    fn a_used_up_quota_is_never_retried_and_tells_the_operator_why() {
        let text = used_up_quota_text::<ApiFailure>(
            "/open-apis/x",
            400,
            br#"{"code":99991403,"msg":"the monthly quota is used up"}"#,
        );
        assert!(text.contains("code 99991403"), "{text}");
        assert!(text.contains("retrying does not help"), "{text}");
    }

    #[test]
    fn a_frequency_limit_on_the_token_endpoint_is_throttling() {
        let answer = Answer {
            status: 429,
            body: br#"{"code":99991400,"msg":"request trigger frequency limit"}"#.to_vec(),
        };
        let verdict = ApiFailure::read_token(&Secret::new("s3cret"), &answer);
        assert!(matches!(verdict, Verdict::Throttled { .. }), "{verdict:?}");
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
