//! What DingTalk's answers mean: the classification of an `errcode` (judged by code, never by
//! `errmsg`), the advice that names the console fix, and the [`Verdict`] the shared call loop
//! acts on. The App Secret never appears in an error.

use std::fmt;
use std::time::Duration;

use serde::de::DeserializeOwned;
use serde_json::Value;
use syncer_core::Secret;
use syncer_remote::{Answer, CallError, Classify, Failure, Token, Verdict};

use crate::api::{Head, Payload, TokenAnswer, DEFAULT_TOKEN_LIFETIME, GET_TOKEN};

/// The remote's name in messages.
pub const DINGTALK: &str = "DingTalk";

/// The error `code` of api.dingtalk.com (the new-style API) when the organization's monthly
/// quota is used up; oapi says errcode 90020.
pub const NEW_STYLE_QUOTA_CODE: &str = "ApiCountLimitForOrg";

/// A failed DingTalk call.
pub type DingTalkError = CallError<ApiFailure>;

/// Classification of a DingTalk `errcode`, deciding retries and advice: the shared vocabulary
/// of `syncer-remote`, onto which [`ApiFailure`]'s [`Failure::class`] maps DingTalk's codes
/// (judged by code, never by `errmsg`; errcode 88 carries the real reason in `sub_code`).
pub use syncer_remote::FailureClass as ErrorClass;

/// An answer of DingTalk with a non-zero `errcode`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiFailure {
    /// The API path.
    pub api: String,
    /// DingTalk's errcode.
    pub errcode: i64,
    /// DingTalk's errmsg.
    pub errmsg: String,
    /// `sub_code` of errcode 88 answers.
    pub sub_code: Option<String>,
    /// `sub_msg` of errcode 88 answers.
    pub sub_msg: Option<String>,
}

impl ApiFailure {
    /// Errcode 88 carries the real reason in `sub_code`.
    fn class_of_sub_code(sub: &str) -> ErrorClass {
        match sub.parse::<i64>() {
            // Only a plain 60121 says a person is gone: inside an auth failure it says nothing
            // about membership.
            Ok(code) => match Self::class_of_code(code) {
                ErrorClass::Other | ErrorClass::UserNotFound => ErrorClass::NoPermission,
                class => class,
            },
            Err(_) if sub.contains("ApiCountLimitForOrg") => ErrorClass::QuotaExhausted,
            Err(_) if sub.contains("limit") || sub.contains("throttl") => ErrorClass::Throttled,
            Err(_) => ErrorClass::NoPermission,
        }
    }

    fn class_of_code(code: i64) -> ErrorClass {
        match code {
            -1 => ErrorClass::Busy,
            90018 | 90002 | 90019 => ErrorClass::Throttled,
            40014 | 40001 | 42001 => ErrorClass::TokenRefused,
            40089 | 40091 | 40092 => ErrorClass::BadCredentials,
            60020 => ErrorClass::IpNotAllowed,
            60011 => ErrorClass::NoPermission,
            50004 => ErrorClass::OutsideContactRange,
            60003 => ErrorClass::DepartmentNotFound,
            60121 => ErrorClass::UserNotFound,
            90020 => ErrorClass::QuotaExhausted,
            _ => ErrorClass::Other,
        }
    }

    /// What the operator should do about it, in one sentence.
    pub fn advice(&self) -> String {
        let permission = if self.api.contains("/department/") {
            "Contact → department information read (通讯录部门信息读权限, qyapi_get_department_list)"
        } else {
            "Contact → member information read (成员信息读权限, qyapi_get_department_member)"
        };
        match self.class() {
            ErrorClass::Busy => "DingTalk was busy; the call is retried with backoff".to_owned(),
            ErrorClass::Throttled => "the app exceeded DingTalk's call rate; lower `rate_limit` for this syncer if it keeps happening".to_owned(),
            ErrorClass::TokenRefused => "the access token was refused; it is refreshed automatically — if this persists, check that App Key and App Secret belong to the same app".to_owned(),
            ErrorClass::BadCredentials => "DingTalk rejected the App Key / App Secret: copy both again from the DingTalk developer console (your app → Credentials & Basic Info / 凭证与基础信息)".to_owned(),
            ErrorClass::IpNotAllowed => "DingTalk refused this server's IP address: add the server's egress IP in the developer console (your app → Development Config → Server egress IP / 服务器出口IP)".to_owned(),
            ErrorClass::NoPermission => format!(
                "the app may not read this: grant the permission {permission} in the developer console (your app → Permissions / 权限管理) and make sure the department is inside the app's contact range (通讯录范围)"
            ),
            ErrorClass::OutsideContactRange => "the department is outside the app's contact range: widen it in the developer console (your app → Permissions / 权限管理 → contact range / 通讯录范围) to the whole organization, or to every department you want synced".to_owned(),
            ErrorClass::DepartmentNotFound => "the department no longer exists (removed during the sync); the next sync will not see it".to_owned(),
            ErrorClass::UserNotFound => "DingTalk says this userid is not a member of the organization (the person left)".to_owned(),
            ErrorClass::QuotaExhausted => "the organization's monthly DingTalk API quota (all its apps together) is used up, so the syncer sends no further call: see the usage in the DingTalk developer console (resource management → usage details), and know that a paid edition or the next month (China Standard Time) lifts it — retrying does not help, and the organization's other apps are refused too until then".to_owned(),
            ErrorClass::AppUnavailable | ErrorClass::Other => "unexpected DingTalk answer; report it with the errcode if it persists".to_owned(),
        }
    }
}

impl fmt::Display for ApiFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DingTalk {} answered errcode {}", self.api, self.errcode)?;
        if let Some(sub) = &self.sub_code {
            write!(f, " (sub_code {sub})")?;
        }
        let msg = self.sub_msg.as_deref().unwrap_or(&self.errmsg);
        if !msg.is_empty() {
            write!(f, " \"{msg}\"")?;
        }
        write!(f, ": {}", self.advice())
    }
}

impl Failure for ApiFailure {
    fn api(&self) -> &str {
        &self.api
    }

    fn class(&self) -> ErrorClass {
        let sub = self.sub_code.as_deref().unwrap_or("");
        if sub.contains(NEW_STYLE_QUOTA_CODE) {
            return ErrorClass::QuotaExhausted;
        }
        match self.errcode {
            // A token refusal from the token API itself: the App Key / App Secret are wrong.
            40014 | 40001 | 42001 if self.api == GET_TOKEN => ErrorClass::BadCredentials,
            88 => Self::class_of_sub_code(sub),
            code => Self::class_of_code(code),
        }
    }
}

impl Classify for ApiFailure {
    /// What an answer of `/gettoken` means. A token refusal code (40001, 40014, 42001) from the
    /// token API itself means the App Key / App Secret are wrong, and is classified so.
    fn read_token(secret: &Secret, answer: &Answer) -> Verdict<Token, ApiFailure> {
        if !answer.is_success() {
            return refused_quota(secret, GET_TOKEN, answer)
                .unwrap_or_else(|| Verdict::of_status(DINGTALK, GET_TOKEN, answer.status));
        }
        let token: TokenAnswer = match serde_json::from_slice(&answer.body) {
            Ok(token) => token,
            Err(error) => {
                let error = CallError::invalid(DINGTALK, GET_TOKEN, format!("not JSON ({error})"));
                return Verdict::Throttled { wait: None, error };
            }
        };
        match token.errcode {
            Some(errcode) if errcode != 0 => Verdict::of_failure(ApiFailure {
                api: GET_TOKEN.to_owned(),
                errcode,
                errmsg: secret.redact(&token.errmsg),
                sub_code: None,
                sub_msg: None,
            }),
            _ if token.access_token.is_empty() => Verdict::Throttled {
                wait: None,
                error: CallError::invalid(DINGTALK, GET_TOKEN, "an answer without access_token"),
            },
            _ => Verdict::Done(Token {
                value: token.access_token,
                lifetime: match token.expires_in {
                    Some(seconds) if seconds > 0 => Duration::from_secs(seconds),
                    _ => DEFAULT_TOKEN_LIFETIME,
                },
            }),
        }
    }

    /// What an oapi answer of `api` means: its `result` as `T`, or what to do about it. A body
    /// that is not JSON, or JSON without `errcode`, is DingTalk's gateway flooding: throttling.
    fn classify<T: DeserializeOwned>(
        secret: &Secret,
        api: &'static str,
        answer: &Answer,
    ) -> Verdict<T, ApiFailure> {
        if !answer.is_success() {
            return refused_quota(secret, api, answer)
                .unwrap_or_else(|| Verdict::of_status(DINGTALK, api, answer.status));
        }
        let head: Head = match serde_json::from_slice(&answer.body) {
            Ok(head) => head,
            Err(error) => {
                let error = CallError::invalid(DINGTALK, api, format!("not JSON ({error})"));
                return Verdict::Throttled { wait: None, error };
            }
        };
        let Some(errcode) = head.errcode else {
            let message = "an answer without errcode (flood control?)";
            return Verdict::Throttled {
                wait: head.wait.map(Duration::from_secs),
                error: CallError::invalid(DINGTALK, api, message),
            };
        };
        if errcode == 0 {
            return match serde_json::from_slice::<Payload<T>>(&answer.body) {
                Ok(Payload {
                    result: Some(result),
                }) => Verdict::Done(result),
                Ok(Payload { result: None }) => Verdict::Fail(CallError::invalid(
                    DINGTALK,
                    api,
                    "errcode 0 without a result",
                )),
                Err(error) => Verdict::Fail(CallError::invalid(DINGTALK, api, error.to_string())),
            };
        }
        Verdict::of_failure(ApiFailure {
            api: api.to_owned(),
            errcode,
            errmsg: secret.redact(&head.errmsg),
            sub_code: head.sub_code.map(|code| match code {
                Value::String(text) => text,
                other => other.to_string(),
            }),
            sub_msg: head.sub_msg.map(|msg| secret.redact(&msg)),
        })
    }
}

/// The new-style API's refusal of a used-up quota: an HTTP error whose JSON body says
/// `{"code": "Forbidden.AccessDenied.ApiCountLimitForOrg", "message": ...}`.
fn refused_quota<T>(secret: &Secret, api: &str, answer: &Answer) -> Option<Verdict<T, ApiFailure>> {
    let body: Value = serde_json::from_slice(&answer.body).ok()?;
    let code = body.get("code")?.as_str()?;
    if !code.contains(NEW_STYLE_QUOTA_CODE) {
        return None;
    }
    let message = body.get("message").and_then(Value::as_str).unwrap_or("");
    Some(Verdict::of_failure(ApiFailure {
        api: api.to_owned(),
        errcode: i64::from(answer.status),
        errmsg: secret.redact(message),
        sub_code: Some(code.to_owned()),
        sub_msg: None,
    }))
}

#[cfg(test)]
mod tests {
    use syncer_remote::testing::used_up_quota_text;

    use super::*;

    fn failure(errcode: i64, sub_code: Option<&str>) -> ApiFailure {
        ApiFailure {
            api: "/topapi/v2/user/list".into(),
            errcode,
            errmsg: "x".into(),
            sub_code: sub_code.map(str::to_owned),
            sub_msg: None,
        }
    }

    #[test]
    fn errcodes_are_classified_as_the_reference_says() {
        assert_eq!(failure(-1, None).class(), ErrorClass::Busy);
        assert_eq!(failure(90018, None).class(), ErrorClass::Throttled);
        assert_eq!(failure(90002, None).class(), ErrorClass::Throttled);
        assert_eq!(failure(88, Some("90018")).class(), ErrorClass::Throttled);
        assert_eq!(failure(88, Some("60011")).class(), ErrorClass::NoPermission);
        assert_eq!(failure(42001, None).class(), ErrorClass::TokenRefused);
        assert_eq!(failure(40089, None).class(), ErrorClass::BadCredentials);
        assert_eq!(failure(60003, None).class(), ErrorClass::DepartmentNotFound);
        assert_eq!(failure(60121, None).class(), ErrorClass::UserNotFound);
        assert_eq!(failure(88, Some("60121")).class(), ErrorClass::NoPermission);
        assert_eq!(failure(400002, None).class(), ErrorClass::Other);
        assert_eq!(failure(90019, None).class(), ErrorClass::Throttled);
        assert_eq!(failure(90020, None).class(), ErrorClass::QuotaExhausted);
        assert_eq!(failure(88, Some("90002")).class(), ErrorClass::Throttled);
        assert_eq!(failure(88, Some("-1")).class(), ErrorClass::Busy);
        assert_eq!(failure(88, Some("42001")).class(), ErrorClass::TokenRefused);
        assert_eq!(failure(88, Some("60020")).class(), ErrorClass::IpNotAllowed);
        assert_eq!(
            failure(50004, None).class(),
            ErrorClass::OutsideContactRange
        );
        assert_eq!(
            failure(88, Some("50004")).class(),
            ErrorClass::OutsideContactRange
        );
    }

    #[test]
    fn a_token_refusal_from_the_token_api_means_wrong_credentials() {
        for errcode in [40001, 40014, 42001] {
            let mut refused = failure(errcode, None);
            refused.api = GET_TOKEN.to_owned();
            assert_eq!(refused.class(), ErrorClass::BadCredentials);
            assert!(refused.to_string().contains("App Secret"), "{refused}");
        }
    }

    #[test]
    fn a_used_up_quota_is_never_retried_and_tells_the_operator_why() {
        let text = used_up_quota_text::<ApiFailure>(
            "/topapi/v2/user/list",
            200,
            br#"{"errcode":90020,"errmsg":"api calls this month exceeded the limit"}"#,
        );
        assert!(text.contains("errcode 90020"), "{text}");
        assert!(text.contains("retrying does not help"), "{text}");
        assert!(text.contains("next month"), "{text}");
        assert!(
            text.contains("resource management → usage details"),
            "{text}"
        );
        assert!(text.contains("paid edition"), "{text}");
    }

    #[test]
    fn a_success_without_the_fields_it_must_have_is_a_failure_never_an_empty_answer() {
        use crate::api::{ApiDepartment, UserCount};
        let secret = Secret::new("s3cret");
        let ok = |body: &str| Answer {
            status: 200,
            body: body.as_bytes().to_vec(),
        };
        let no_result =
            ApiFailure::classify::<Vec<ApiDepartment>>(&secret, "listsub", &ok(r#"{"errcode":0}"#));
        assert!(matches!(no_result, Verdict::Fail(_)), "{no_result:?}");
        let child_without_id =
            ok(r#"{"errcode":0,"result":[{"dept_id":2,"name":"a"},{"name":"b"}]}"#);
        let listed =
            ApiFailure::classify::<Vec<ApiDepartment>>(&secret, "listsub", &child_without_id);
        assert!(matches!(listed, Verdict::Fail(_)), "{listed:?}");
        let count_without_count = ok(r#"{"errcode":0,"result":{}}"#);
        let count = ApiFailure::classify::<UserCount>(&secret, "user/count", &count_without_count);
        assert!(matches!(count, Verdict::Fail(_)), "{count:?}");
        let counted = ApiFailure::classify::<UserCount>(
            &secret,
            "user/count",
            &ok(r#"{"errcode":0,"result":{"count":7}}"#),
        );
        assert!(
            matches!(counted, Verdict::Done(UserCount { count: 7 })),
            "{counted:?}"
        );
    }

    #[test]
    fn the_new_style_apis_used_up_quota_is_a_used_up_quota_too() {
        let answer = Answer {
            status: 403,
            body: br#"{"code":"Forbidden.AccessDenied.ApiCountLimitForOrg","message":"api count limit for org","requestid":"x"}"#
                .to_vec(),
        };
        let verdict =
            ApiFailure::classify::<Value>(&Secret::new("s3cret"), "/v1.0/contact/users", &answer);
        assert!(matches!(verdict, Verdict::QuotaExhausted(_)), "{verdict:?}");
        let token = ApiFailure::read_token(&Secret::new("s3cret"), &answer);
        assert!(matches!(token, Verdict::QuotaExhausted(_)), "{token:?}");
        assert_eq!(
            failure(88, Some("Forbidden.AccessDenied.ApiCountLimitForOrg")).class(),
            ErrorClass::QuotaExhausted
        );
        let other = Answer {
            status: 403,
            body:
                br#"{"code":"Forbidden.AccessDenied.AccessTokenPermissionDenied","message":"no"}"#
                    .to_vec(),
        };
        let verdict =
            ApiFailure::classify::<Value>(&Secret::new("s3cret"), "/v1.0/contact/users", &other);
        assert!(matches!(verdict, Verdict::Fail(_)), "{verdict:?}");
    }

    #[test]
    fn contact_range_advice_names_the_console_setting() {
        let text = failure(50004, None).to_string();
        assert!(text.contains("通讯录范围"), "{text}");
    }

    #[test]
    fn permission_advice_names_the_scope_and_console_page() {
        let text = failure(88, Some("60011")).to_string();
        assert!(text.contains("errcode 88"), "{text}");
        assert!(text.contains("qyapi_get_department_member"), "{text}");
        assert!(text.contains("Permissions"), "{text}");
    }
}
