//! Errors of DingTalk calls, each naming the API and errcode and saying what the operator should
//! do. The App Secret never appears in them.

use std::fmt;

/// Classification of a DingTalk `errcode`, deciding retries and advice.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorClass {
    /// Try again after a backoff (system busy).
    Busy,
    /// Call rate exceeded: back off at least a second and slow down.
    Throttled,
    /// The access token is invalid or expired: refresh it and repeat.
    TokenExpired,
    /// App Key / App Secret rejected.
    BadCredentials,
    /// The server's IP is not on the app's whitelist.
    IpNotAllowed,
    /// The app lacks a permission.
    NoPermission,
    /// The department is outside the app's contact range (通讯录范围).
    OutsideContactRange,
    /// The department does not exist (removed mid-sync).
    NotFound,
    /// Anything else: not retried.
    Other,
}

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
    /// What kind of failure this is.
    pub fn class(&self) -> ErrorClass {
        let sub = self.sub_code.as_deref().unwrap_or("");
        match self.errcode {
            // A token refusal from the token API itself: the App Key / App Secret are wrong.
            40014 | 40001 | 42001 if self.api == crate::client::GET_TOKEN => {
                ErrorClass::BadCredentials
            }
            88 => Self::class_of_sub_code(sub),
            code => Self::class_of_code(code),
        }
    }

    /// Errcode 88 carries the real reason in `sub_code`.
    fn class_of_sub_code(sub: &str) -> ErrorClass {
        match sub.parse::<i64>() {
            Ok(code) => match Self::class_of_code(code) {
                ErrorClass::Other => ErrorClass::NoPermission,
                class => class,
            },
            Err(_) if sub.contains("limit") || sub.contains("throttl") => ErrorClass::Throttled,
            Err(_) => ErrorClass::NoPermission,
        }
    }

    fn class_of_code(code: i64) -> ErrorClass {
        match code {
            -1 => ErrorClass::Busy,
            90018 | 90002 | 90019 => ErrorClass::Throttled,
            40014 | 40001 | 42001 => ErrorClass::TokenExpired,
            40089 | 40091 | 40092 => ErrorClass::BadCredentials,
            60020 => ErrorClass::IpNotAllowed,
            60011 => ErrorClass::NoPermission,
            50004 => ErrorClass::OutsideContactRange,
            60003 => ErrorClass::NotFound,
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
            ErrorClass::TokenExpired => "the access token was refused; it is refreshed automatically — if this persists, check that App Key and App Secret belong to the same app".to_owned(),
            ErrorClass::BadCredentials => "DingTalk rejected the App Key / App Secret: copy both again from the DingTalk developer console (your app → Credentials & Basic Info / 凭证与基础信息)".to_owned(),
            ErrorClass::IpNotAllowed => "DingTalk refused this server's IP address: add the server's egress IP in the developer console (your app → Development Config → Server egress IP / 服务器出口IP)".to_owned(),
            ErrorClass::NoPermission => format!(
                "the app may not read this: grant the permission {permission} in the developer console (your app → Permissions / 权限管理) and make sure the department is inside the app's contact range (通讯录范围)"
            ),
            ErrorClass::OutsideContactRange => "the department is outside the app's contact range: widen it in the developer console (your app → Permissions / 权限管理 → contact range / 通讯录范围) to the whole organization, or to every department you want synced".to_owned(),
            ErrorClass::NotFound => "the department no longer exists (removed during the sync); the next sync will not see it".to_owned(),
            ErrorClass::Other => "unexpected DingTalk answer; report it with the errcode if it persists".to_owned(),
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

/// A failed DingTalk call.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DingTalkError {
    /// DingTalk answered with an errcode.
    #[error("{0}")]
    Api(ApiFailure),
    /// DingTalk (or a proxy) answered with an HTTP error status.
    #[error("DingTalk {api} answered HTTP {status}; retried with backoff — check the endpoint and any proxy if it persists")]
    Http {
        /// The API path.
        api: String,
        /// The HTTP status.
        status: u16,
    },
    /// The call did not get an answer (connection refused, timeout, DNS).
    #[error("could not reach DingTalk {api}: {message}; check the network path to the endpoint")]
    Network {
        /// The API path.
        api: String,
        /// The transport error, without URL.
        message: String,
    },
    /// The answer was not the JSON DingTalk sends.
    #[error(
        "DingTalk {api} sent an answer that is not valid JSON of the expected shape: {message}"
    )]
    InvalidResponse {
        /// The API path.
        api: String,
        /// The parse error.
        message: String,
    },
    /// Retries ran out.
    #[error("{last} (gave up after {attempts} attempts)")]
    RetriesExhausted {
        /// Attempts made.
        attempts: u32,
        /// The last failure.
        last: Box<DingTalkError>,
    },
}

impl DingTalkError {
    /// The API the error concerns.
    pub fn api(&self) -> &str {
        match self {
            DingTalkError::Api(failure) => &failure.api,
            DingTalkError::Http { api, .. }
            | DingTalkError::Network { api, .. }
            | DingTalkError::InvalidResponse { api, .. } => api,
            DingTalkError::RetriesExhausted { last, .. } => last.api(),
        }
    }

    /// The DingTalk failure behind this error, if DingTalk answered with an errcode.
    pub fn api_failure(&self) -> Option<&ApiFailure> {
        match self {
            DingTalkError::Api(failure) => Some(failure),
            DingTalkError::RetriesExhausted { last, .. } => last.api_failure(),
            _ => None,
        }
    }

    /// The class of the underlying errcode, if any.
    pub fn class(&self) -> Option<ErrorClass> {
        self.api_failure().map(ApiFailure::class)
    }
}

#[cfg(test)]
mod tests {
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
        assert_eq!(failure(42001, None).class(), ErrorClass::TokenExpired);
        assert_eq!(failure(40089, None).class(), ErrorClass::BadCredentials);
        assert_eq!(failure(60003, None).class(), ErrorClass::NotFound);
        assert_eq!(failure(400002, None).class(), ErrorClass::Other);
        assert_eq!(failure(90019, None).class(), ErrorClass::Throttled);
        assert_eq!(failure(88, Some("90002")).class(), ErrorClass::Throttled);
        assert_eq!(failure(88, Some("-1")).class(), ErrorClass::Busy);
        assert_eq!(failure(88, Some("42001")).class(), ErrorClass::TokenExpired);
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
            refused.api = crate::client::GET_TOKEN.to_owned();
            assert_eq!(refused.class(), ErrorClass::BadCredentials);
            assert!(refused.to_string().contains("App Secret"), "{refused}");
        }
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
