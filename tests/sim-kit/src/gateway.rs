//! What a misbehaving network in front of an API does: answer late, or answer with a load
//! balancer's HTML error page instead of the API's JSON.

use std::time::Duration;

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};

/// Waits `latency` (at once for zero), as a slow link or server would.
pub async fn delay(latency: Duration) {
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
}

/// A gateway's HTML error page with `status`; `page` writes the HTML from the status code and its
/// reason phrase, since each vendor's proxy words it its own way.
pub fn gateway_page(status: StatusCode, page: impl FnOnce(u16, &str) -> String) -> Response {
    let reason = status.canonical_reason().unwrap_or("Error");
    let html = page(status.as_u16(), reason);
    (
        status,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        html,
    )
        .into_response()
}
