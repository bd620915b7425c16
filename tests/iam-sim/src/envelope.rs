//! The answer envelope: `{"status","msg","data","data2"}`, HTTP 200 unless IAM says otherwise.
//!
//! Mirrors `controllers.Response`, `ResponseOk`/`ResponseError` and `wrapActionResponse`
//! (hanzoai/iam controllers/base.go, routers/base.go). Knows nothing about routes.

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

/// One answer of the fake: an HTTP status (200 almost always) and the JSON envelope.
#[derive(Debug, Clone)]
pub(crate) struct Reply {
    pub(crate) status: StatusCode,
    pub(crate) body: Value,
}

impl Reply {
    /// `ResponseOk(data, data2)`.
    pub(crate) fn ok(data: Value, data2: Value) -> Self {
        Self::envelope(StatusCode::OK, "ok", "", data, data2)
    }

    /// `ResponseError(msg)`: still HTTP 200.
    pub(crate) fn error(msg: impl Into<String>) -> Self {
        Self::envelope(
            StatusCode::OK,
            "error",
            &msg.into(),
            Value::Null,
            Value::Null,
        )
    }

    /// An error envelope with another HTTP status (Hanzo's type guard answers 403).
    pub(crate) fn error_with_status(status: StatusCode, msg: impl Into<String>) -> Self {
        Self::envelope(status, "error", &msg.into(), Value::Null, Value::Null)
    }

    /// `wrapActionResponse(affected, err)`.
    pub(crate) fn action(result: Result<bool, String>) -> Self {
        match result {
            Ok(true) => Self::ok(json!("Affected"), Value::Null),
            Ok(false) => Self::ok(json!("Unaffected"), Value::Null),
            Err(msg) => Self::error(msg),
        }
    }

    /// Whether the envelope says `status: "ok"`.
    pub(crate) fn is_ok(&self) -> bool {
        self.body.get("status").and_then(Value::as_str) == Some("ok")
    }

    /// Whether a write call changed something (`data: "Affected"`).
    pub(crate) fn is_affected(&self) -> bool {
        self.is_ok() && self.body.get("data").and_then(Value::as_str) == Some("Affected")
    }

    fn envelope(status: StatusCode, word: &str, msg: &str, data: Value, data2: Value) -> Self {
        Self {
            status,
            body: json!({ "status": word, "msg": msg, "data": data, "data2": data2 }),
        }
    }
}

impl IntoResponse for Reply {
    fn into_response(self) -> Response {
        (
            self.status,
            [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
            self.body.to_string(),
        )
            .into_response()
    }
}
