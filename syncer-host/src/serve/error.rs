//! Every error answer of the control API: one [`ApiError`] whose variants know their status,
//! answered as `{"error": "..."}`, and the middleware that gives axum's own error answers (bad
//! path, bad method, ...) the same JSON shape. Knows nothing of routing or of how runs go.

use axum::extract::Request;
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use super::state::StartError;
use crate::history::HistoryError;
use crate::revert::RevertError;

/// Why a request of the control API failed; the message is the answer's `error`.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// No route has this path (404).
    #[error("no such endpoint")]
    NoSuchEndpoint,
    /// The path exists, the method does not (405).
    #[error("method not allowed on this endpoint (the Allow header lists the ones that are)")]
    MethodNotAllowed,
    /// No or the wrong bearer token (401, with `WWW-Authenticate: Bearer`).
    #[error(
        "missing or wrong bearer token: send the [server] token as `Authorization: Bearer <token>`"
    )]
    Unauthorized,
    /// The path names no configured syncer (404).
    #[error("no syncer named `{0}`")]
    UnknownSyncer(String),
    /// The path's run id is not a number (400).
    #[error("`{0}` is not a run id")]
    BadRunId(String),
    /// No run has this id (404).
    #[error("no run {0}")]
    UnknownRun(i64),
    /// The sync query string is not `dry_run` / `allow_mass_deprovision` booleans (400); holds
    /// axum's reason.
    #[error("{0}; dry_run and allow_mass_deprovision take true or false")]
    BadSyncQuery(String),
    /// The revert query string is not `dry_run` / `allow_mass_deprovision` / `delete_created`
    /// booleans (400); holds axum's reason.
    #[error("{0}; dry_run, allow_mass_deprovision and delete_created take true or false")]
    BadRevertQuery(String),
    /// A run could not be started; the status depends on why.
    #[error(transparent)]
    Start(#[from] StartError),
    /// The run history could not be read (500).
    #[error(transparent)]
    History(#[from] HistoryError),
    /// The request target is longer than the API reads (414).
    #[error("the request target is {0} bytes long; the API reads at most {MAX_URI}")]
    UriTooLong(usize),
    /// The request headers are larger than the API reads (431).
    #[error("the request headers hold {0} bytes; the API reads at most {MAX_HEADER_BYTES}")]
    HeadersTooLarge(usize),
    /// The metrics could not be written out (500).
    #[error("cannot write the metrics: {0}")]
    Metrics(std::fmt::Error),
}

impl ApiError {
    /// The HTTP status of the answer.
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::NoSuchEndpoint | ApiError::UnknownSyncer(_) | ApiError::UnknownRun(_) => {
                StatusCode::NOT_FOUND
            }
            ApiError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::UriTooLong(_) => StatusCode::URI_TOO_LONG,
            ApiError::HeadersTooLarge(_) => StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            ApiError::Unauthorized => StatusCode::UNAUTHORIZED,
            ApiError::BadRunId(_) | ApiError::BadSyncQuery(_) | ApiError::BadRevertQuery(_) => {
                StatusCode::BAD_REQUEST
            }
            ApiError::Start(StartError::UnknownSyncer(_)) => StatusCode::NOT_FOUND,
            ApiError::Start(StartError::Busy(_)) => StatusCode::CONFLICT,
            ApiError::Start(StartError::Revert(
                RevertError::UnknownRun(_) | RevertError::SyncerGone { .. },
            )) => StatusCode::NOT_FOUND,
            // The shared state is unreachable: nothing can start until it is back.
            ApiError::Start(StartError::Lock(crate::lock::LockError::State(_))) => {
                StatusCode::SERVICE_UNAVAILABLE
            }
            ApiError::Start(StartError::ShuttingDown) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Start(
                StartError::NotRecorded
                | StartError::Lock(_)
                | StartError::Revert(RevertError::History(_)),
            )
            | ApiError::History(_)
            | ApiError::Metrics(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response =
            (self.status(), Json(json!({ "error": self.to_string() }))).into_response();
        if matches!(self, ApiError::Unauthorized) {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}

/// The longest request target the API reads (its paths and queries are short).
pub const MAX_URI: usize = 8 * 1024;
/// The most header bytes the API reads (names and values together).
pub const MAX_HEADER_BYTES: usize = 32 * 1024;

/// Refuses, with the API's JSON error body, a request whose target or headers are longer than
/// any client of the API sends (414, 431): the HTTP layer would otherwise answer them itself,
/// without a body, once they outgrow its buffer.
pub async fn request_limits(request: Request, next: Next) -> Response {
    let uri_length = request.uri().to_string().len();
    if uri_length > MAX_URI {
        return ApiError::UriTooLong(uri_length).into_response();
    }
    let header_bytes: usize = request
        .headers()
        .iter()
        .map(|(name, value)| name.as_str().len() + value.len())
        .sum();
    if header_bytes > MAX_HEADER_BYTES {
        return ApiError::HeadersTooLarge(header_bytes).into_response();
    }
    next.run(request).await
}

/// Turns any error answer that is not JSON yet (one axum produced itself) into
/// `{"error": "..."}`, keeping its status and headers.
pub async fn json_errors(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    let status = response.status();
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|kind| kind.as_bytes().starts_with(b"application/json"));
    if !(status.is_client_error() || status.is_server_error()) || is_json {
        return response;
    }
    let (mut parts, _) = response.into_parts();
    let reason = status.canonical_reason().unwrap_or("error").to_lowercase();
    let body = json!({ "error": reason }).to_string();
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    Response::from_parts(parts, axum::body::Body::from(body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_error_keeps_its_status() {
        assert_eq!(ApiError::NoSuchEndpoint.status(), StatusCode::NOT_FOUND);
        assert_eq!(
            ApiError::Start(StartError::ShuttingDown).status(),
            StatusCode::SERVICE_UNAVAILABLE
        );
        assert_eq!(
            ApiError::Start(StartError::UnknownSyncer("x".to_owned())).to_string(),
            ApiError::UnknownSyncer("x".to_owned()).to_string()
        );
        let response = ApiError::Unauthorized.into_response();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(response.headers()[header::WWW_AUTHENTICATE], "Bearer");
    }
}
