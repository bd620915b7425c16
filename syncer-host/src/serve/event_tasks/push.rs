//! `POST /api/v1/syncers/{name}/events`: the directory's HTTP pushes (DingTalk HTTP push, Lark
//! callbacks). No bearer token — the directory cannot send one — so the backend's
//! [`syncer_core::PushReceiver`] verifies each request by its signature before anything else:
//! 403 and nothing changed on a bad one, 400 on a request it cannot read, 404 for an unknown
//! syncer or one not in `http` mode. A verified push is answered with the backend's reply once
//! every event in it is written or recorded failed, within [`ANSWER_WITHIN`]; an apply that
//! cannot finish in time (or a target that is unreachable) is answered 503, so the directory
//! pushes again, never with a late success.

use std::time::Duration;

use axum::body::Bytes;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;
use syncer_core::{EventOutcome, EventSink, PushReceipt, PushRejected, PushRequest};

use crate::serve::state::AppState;

/// How long a push may take to be answered (DingTalk wants an answer within about 1.5 s).
pub const ANSWER_WITHIN: Duration = Duration::from_millis(1200);
/// The largest push body read.
pub const MAX_BODY: usize = 256 * 1024;

fn refuse(status: StatusCode, message: String) -> Response {
    (status, Json(json!({ "error": message }))).into_response()
}

/// The route's handler.
pub async fn receive(
    State(state): State<AppState>,
    Path(name): Path<String>,
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if state.config().syncer(&name).is_err() {
        return refuse(StatusCode::NOT_FOUND, format!("no syncer named `{name}`"));
    }
    let hub = state.event_hub(&name);
    let Some((hub, receiver)) = hub
        .as_ref()
        .and_then(|hub| hub.source.push_receiver().map(|receiver| (hub, receiver)))
    else {
        return refuse(
            StatusCode::NOT_FOUND,
            format!(
                "syncer {name} does not receive pushed events: set events = \"http\" in its config"
            ),
        );
    };
    let Ok(Query(query)) = query else {
        return refuse(
            StatusCode::BAD_REQUEST,
            "push not read: its query string is malformed".into(),
        );
    };
    let request = PushRequest {
        query,
        headers: headers
            .iter()
            .filter_map(|(key, value)| {
                Some((
                    key.as_str().to_ascii_lowercase(),
                    value.to_str().ok()?.to_owned(),
                ))
            })
            .collect(),
        body: body.to_vec(),
    };
    let receipt = match receiver.receive(&request) {
        Ok(receipt) => receipt,
        Err(PushRejected::BadSignature(why)) => {
            tracing::warn!(syncer = %name, "push refused: {why}");
            return refuse(StatusCode::FORBIDDEN, format!("push refused: {why}"));
        }
        Err(PushRejected::Malformed(why)) => {
            return refuse(StatusCode::BAD_REQUEST, format!("push not read: {why}"))
        }
    };
    let (events, success) = match receipt {
        PushReceipt::Answer(reply) => return reply_with(reply),
        PushReceipt::Events { events, success } => (events, success),
    };
    let all_done = async {
        for event in events {
            if hub.deliver(event).await == EventOutcome::Later {
                return false;
            }
        }
        true
    };
    match tokio::time::timeout(ANSWER_WITHIN, all_done).await {
        Ok(true) => reply_with(success),
        Ok(false) => refuse(
            StatusCode::SERVICE_UNAVAILABLE,
            "the change could not be applied now (the target is unreachable); push it again".into(),
        ),
        Err(_) => refuse(
            StatusCode::SERVICE_UNAVAILABLE,
            format!(
                "the change was not applied within {} ms; push it again",
                ANSWER_WITHIN.as_millis()
            ),
        ),
    }
}

fn reply_with(reply: syncer_core::PushReply) -> Response {
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, reply.content_type)],
        reply.body,
    )
        .into_response()
}
