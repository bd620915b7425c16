//! The shape of every answer: Lark's JSON envelope `{code, msg, data}` (the token endpoint puts
//! its fields at the top level instead of under `data`), the HTTP status Lark pairs with each
//! error, the frequency-limit headers, and the HTML page a failing gateway sends.
//!
//! The messages are written for this fake in Lark's style; clients must judge answers by `code`
//! (and the HTTP status only where there is no JSON), never by this text.

use std::net::IpAddr;

use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Map, Value};
use syncer_sim_kit::{gateway_page, Refusal, SimError, TokenCheck};

use crate::codes;

/// Seconds a throttled client is told to wait (`x-ogw-ratelimit-reset`).
const RATE_LIMIT_RESET_SECONDS: u32 = 1;

/// A failed call, as Lark would answer it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum ApiError {
    /// A JSON answer with this HTTP status, code and message.
    Code {
        status: StatusCode,
        code: i64,
        msg: String,
    },
    /// A gateway failure: this status and an HTML page instead of JSON.
    Gateway(StatusCode),
}

impl ApiError {
    fn code(status: StatusCode, code: i64, msg: impl Into<String>) -> ApiError {
        ApiError::Code {
            status,
            code,
            msg: msg.into(),
        }
    }

    pub(crate) fn invalid_param(detail: &str) -> ApiError {
        ApiError::code(
            StatusCode::BAD_REQUEST,
            codes::INVALID_PARAM,
            format!("invalid param: {detail}"),
        )
    }

    pub(crate) fn app_secret_invalid() -> ApiError {
        ApiError::code(
            StatusCode::BAD_REQUEST,
            codes::APP_SECRET_INVALID,
            "app secret invalid",
        )
    }

    pub(crate) fn param_error(detail: &str) -> ApiError {
        ApiError::code(
            StatusCode::BAD_REQUEST,
            codes::PARAM_ERROR,
            format!("param error: {detail}"),
        )
    }

    pub(crate) fn internal_error() -> ApiError {
        ApiError::code(
            StatusCode::BAD_REQUEST,
            codes::INTERNAL_ERROR,
            "internal error",
        )
    }

    pub(crate) fn no_dept_authority() -> ApiError {
        ApiError::code(
            StatusCode::FORBIDDEN,
            codes::NO_DEPT_AUTHORITY,
            "no dept authority error",
        )
    }

    pub(crate) fn no_user_authority() -> ApiError {
        ApiError::code(
            StatusCode::BAD_REQUEST,
            codes::NO_USER_AUTHORITY,
            "no user authority error",
        )
    }

    pub(crate) fn page_size_too_large() -> ApiError {
        ApiError::code(
            StatusCode::BAD_REQUEST,
            codes::PAGE_SIZE_TOO_LARGE,
            "page size is more than 50",
        )
    }

    pub(crate) fn page_size_invalid() -> ApiError {
        ApiError::code(
            StatusCode::BAD_REQUEST,
            codes::PAGE_SIZE_INVALID,
            "page size is invalid error",
        )
    }

    pub(crate) fn page_token_invalid() -> ApiError {
        ApiError::code(
            StatusCode::BAD_REQUEST,
            codes::PAGE_TOKEN_INVALID,
            "page token is invalid error",
        )
    }

    pub(crate) fn not_found() -> ApiError {
        ApiError::code(StatusCode::NOT_FOUND, codes::NOT_FOUND, "resource not find")
    }

    pub(crate) fn frequency_limit() -> ApiError {
        ApiError::code(
            StatusCode::TOO_MANY_REQUESTS,
            codes::FREQUENCY_LIMIT,
            "request trigger frequency limit",
        )
    }

    pub(crate) fn ip_denied(ip: &str) -> ApiError {
        ApiError::code(
            StatusCode::BAD_REQUEST,
            codes::IP_DENIED,
            format!("ip {ip} is denied by app setting"),
        )
    }

    pub(crate) fn token_missing() -> ApiError {
        ApiError::code(
            StatusCode::BAD_REQUEST,
            codes::TOKEN_MISSING,
            "Missing access token for authorization. Please make a request with token attached.",
        )
    }

    pub(crate) fn token_invalid() -> ApiError {
        ApiError::code(
            StatusCode::BAD_REQUEST,
            codes::TOKEN_INVALID,
            "Invalid access token for authorization. Please make a request with token attached.",
        )
    }

    pub(crate) fn token_bad_format() -> ApiError {
        ApiError::code(
            StatusCode::BAD_REQUEST,
            codes::TOKEN_BAD_FORMAT,
            "Invalid token: must start with t-/u-",
        )
    }

    pub(crate) fn scope_missing(scopes: &[&str]) -> ApiError {
        ApiError::code(
            StatusCode::BAD_REQUEST,
            codes::SCOPE_MISSING,
            format!(
                "Access denied. One of the following scopes is required: [{}].",
                scopes.join(", ")
            ),
        )
    }
}

impl SimError for ApiError {
    /// The answer to a call the network in front of the open platform refused (`peer` is the
    /// caller's IP).
    fn refused(refusal: Refusal, peer: IpAddr) -> ApiError {
        match refusal {
            Refusal::IpDenied => ApiError::ip_denied(&peer.to_string()),
            Refusal::Gateway(status) => ApiError::Gateway(status),
            Refusal::RateLimited => ApiError::frequency_limit(),
        }
    }

    /// 99991663 for a token never handed out and for an expired one alike.
    fn token_refused(_: TokenCheck) -> ApiError {
        ApiError::token_invalid()
    }

    /// The code answered (the HTTP status for gateway failures).
    fn code(&self) -> i64 {
        match self {
            ApiError::Code { code, .. } => *code,
            ApiError::Gateway(status) => i64::from(status.as_u16()),
        }
    }

    /// The HTTP answer, with the request's log id.
    fn into_response(self, log_id: &str) -> Response {
        match self {
            ApiError::Code { status, code, msg } => {
                let body = json!({ "code": code, "msg": msg, "error": { "log_id": log_id } });
                let mut response = (status, Json(body)).into_response();
                if code == codes::FREQUENCY_LIMIT {
                    let headers = response.headers_mut();
                    headers.insert("x-ogw-ratelimit-limit", HeaderValue::from(50u32));
                    headers.insert(
                        "x-ogw-ratelimit-reset",
                        HeaderValue::from(RATE_LIMIT_RESET_SECONDS),
                    );
                }
                with_log_id(response, log_id)
            }
            ApiError::Gateway(status) => gateway_page(status, |code, reason| {
                format!(
                    "<html><head><title>{code} {reason}</title></head><body><h1>{code} {reason}</h1></body></html>"
                )
            }),
        }
    }
}

/// A successful contact API answer: `{"code":0,"msg":"success","data":…}`.
pub(crate) fn ok_data(data: Value, log_id: &str) -> Response {
    let body = json!({ "code": codes::OK, "msg": "success", "data": data });
    with_log_id(Json(body).into_response(), log_id)
}

/// A successful token answer: `code`, `msg` and the fields at the top level.
pub(crate) fn ok_top_level(fields: Map<String, Value>, log_id: &str) -> Response {
    let mut body = Map::new();
    body.insert("code".into(), codes::OK.into());
    body.insert("msg".into(), "ok".into());
    body.extend(fields);
    with_log_id(Json(Value::Object(body)).into_response(), log_id)
}

fn with_log_id(mut response: Response, log_id: &str) -> Response {
    if let Ok(value) = HeaderValue::from_str(log_id) {
        response.headers_mut().insert("x-tt-logid", value);
    }
    response
}
