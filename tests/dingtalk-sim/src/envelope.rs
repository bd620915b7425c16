//! The shape of every answer: DingTalk's HTTP 200 JSON envelope (`errcode`, `errmsg`,
//! `request_id`, then `result` or the fields of `/gettoken`), errcode 88's `sub_code`/`sub_msg`
//! pair, and the HTML page a failing gateway sends instead.
//!
//! The messages are written for this simulator in DingTalk's style; clients must judge answers by
//! `errcode` (and `sub_code`), never by this text.

use std::net::IpAddr;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{Map, Value};
use syncer_sim_kit::{gateway_page, Refusal, SimError, TokenCheck};

use crate::codes;
use crate::faults::Permission;

/// What a successful call returns.
#[derive(Debug)]
pub(crate) enum Reply {
    /// Placed under `result`, as every `/topapi` answer does.
    Result(Value),
    /// Merged into the envelope's top level, as `/gettoken` does.
    TopLevel(Map<String, Value>),
}

/// Why a call failed, as DingTalk would say it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum ApiError {
    /// A plain errcode with its message.
    Code { errcode: i64, errmsg: String },
    /// Errcode 88 with the real reason in `sub_code` / `sub_msg`.
    Auth { sub_code: i64, sub_msg: String },
    /// A gateway failure: this HTTP status and an HTML page instead of JSON.
    Gateway(StatusCode),
    /// The gateway's flood control: HTTP 200 and a JSON body without `errcode`.
    FloodControl,
}

impl ApiError {
    fn code(errcode: i64, errmsg: impl Into<String>) -> ApiError {
        ApiError::Code {
            errcode,
            errmsg: errmsg.into(),
        }
    }

    pub(crate) fn busy() -> ApiError {
        ApiError::code(codes::SYSTEM_BUSY, "系统繁忙")
    }

    pub(crate) fn throttled() -> ApiError {
        ApiError::code(
            codes::RATE_LIMITED,
            "接口调用超过限流值，请降低调用频率后重试",
        )
    }

    pub(crate) fn invalid_token() -> ApiError {
        ApiError::code(codes::INVALID_TOKEN, "不合法的access_token")
    }

    pub(crate) fn expired_token() -> ApiError {
        ApiError::code(codes::EXPIRED_TOKEN, "access_token已过期")
    }

    pub(crate) fn bad_app_credentials() -> ApiError {
        ApiError::code(codes::INVALID_APP_CREDENTIALS, "不合法的appkey或appsecret")
    }

    pub(crate) fn ip_not_whitelisted(ip: IpAddr) -> ApiError {
        ApiError::code(
            codes::IP_NOT_WHITELISTED,
            format!("访问ip不在白名单之中，请求ip为：{ip}"),
        )
    }

    pub(crate) fn dept_not_found(dept_id: i64) -> ApiError {
        ApiError::code(
            codes::DEPT_NOT_FOUND,
            format!("部门不存在，dept_id={dept_id}"),
        )
    }

    pub(crate) fn user_not_found() -> ApiError {
        ApiError::code(codes::USER_NOT_FOUND, "找不到该用户")
    }

    pub(crate) fn invalid_parameter(detail: impl AsRef<str>) -> ApiError {
        ApiError::code(
            codes::INVALID_PARAMETER,
            format!("无效的参数：{}", detail.as_ref()),
        )
    }

    pub(crate) fn uri_not_found() -> ApiError {
        ApiError::code(codes::URI_NOT_FOUND, "请求的URI地址不存在")
    }

    /// The app lacks a permission scope.
    pub(crate) fn missing_scope(permission: Permission) -> ApiError {
        ApiError::Auth {
            sub_code: codes::NO_PERMISSION,
            sub_msg: format!("应用尚未开通所需的权限：[{}]", permission.scope()),
        }
    }

    /// The department lies outside the app's contact range.
    pub(crate) fn outside_contact_range(dept_id: i64) -> ApiError {
        ApiError::Auth {
            sub_code: codes::NO_PERMISSION,
            sub_msg: format!("没有调用该接口的权限，部门{dept_id}不在应用的通讯录范围内"),
        }
    }

    /// The department lies outside the app's authorized range (errcode 50004).
    pub(crate) fn outside_auth_scope(dept_id: i64) -> ApiError {
        ApiError::code(
            codes::OUTSIDE_AUTH_SCOPE,
            format!("请求的部门id不在授权范围内，dept_id={dept_id}"),
        )
    }

    /// Errcode 90020: the organization's API calls this month exceeded its quota.
    pub(crate) fn quota_exhausted(used: u64, quota: u64) -> ApiError {
        ApiError::code(
            codes::QUOTA_EXHAUSTED,
            format!("您的企业本月API调用量已超过上限 (api calls this month exceeded the limit): used {used}, quota {quota}"),
        )
    }
}

impl SimError for ApiError {
    /// The answer to a call the network in front of oapi refused (`peer` is the caller's IP).
    fn refused(refusal: Refusal, peer: IpAddr) -> ApiError {
        match refusal {
            Refusal::IpDenied => ApiError::ip_not_whitelisted(peer),
            Refusal::Gateway(status) => ApiError::Gateway(status),
            Refusal::RateLimited => ApiError::throttled(),
        }
    }

    /// 40014 for a missing or unknown token, 42001 for an expired one.
    fn token_refused(check: TokenCheck) -> ApiError {
        match check {
            TokenCheck::Expired => ApiError::expired_token(),
            TokenCheck::Unknown | TokenCheck::Valid => ApiError::invalid_token(),
        }
    }

    /// The errcode this error is answered with (the HTTP status for gateway failures).
    fn code(&self) -> i64 {
        match self {
            ApiError::Code { errcode, .. } => *errcode,
            ApiError::Auth { .. } => codes::AUTH_FAILURE,
            ApiError::Gateway(status) => i64::from(status.as_u16()),
            ApiError::FloodControl => codes::FLOOD_CONTROL,
        }
    }

    /// The HTTP answer.
    fn into_response(self, request_id: &str) -> Response {
        let mut body = Map::new();
        body.insert("errcode".into(), self.code().into());
        match self {
            ApiError::Code { errmsg, .. } => {
                body.insert("errmsg".into(), errmsg.into());
            }
            ApiError::Auth { sub_code, sub_msg } => {
                body.insert(
                    "errmsg".into(),
                    format!("ding talk error[subcode={sub_code},submsg={sub_msg}]").into(),
                );
                body.insert("sub_code".into(), sub_code.to_string().into());
                body.insert("sub_msg".into(), sub_msg.into());
            }
            ApiError::Gateway(status) => return gateway_error(status),
            ApiError::FloodControl => {
                let body = serde_json::json!({
                    "status": codes::FLOOD_CONTROL,
                    "wait": 1,
                    "punish": "deny",
                });
                return Json(body).into_response();
            }
        }
        body.insert("request_id".into(), request_id.into());
        Json(Value::Object(body)).into_response()
    }
}

/// The HTTP 200 answer of a successful call.
pub(crate) fn ok_response(reply: Reply, request_id: &str) -> Response {
    let mut body = Map::new();
    body.insert("errcode".into(), codes::OK.into());
    body.insert("errmsg".into(), "ok".into());
    match reply {
        Reply::Result(result) => {
            body.insert("result".into(), result);
            body.insert("request_id".into(), request_id.into());
        }
        Reply::TopLevel(fields) => body.extend(fields),
    }
    Json(Value::Object(body)).into_response()
}

/// What a load balancer in front of DingTalk sends when the service behind it fails.
fn gateway_error(status: StatusCode) -> Response {
    gateway_page(status, |code, reason| {
        format!(
            "<html>\r\n<head><title>{code} {reason}</title></head>\r\n<body>\r\n<center><h1>{code} {reason}</h1></center>\r\n</body>\r\n</html>\r\n"
        )
    })
}
