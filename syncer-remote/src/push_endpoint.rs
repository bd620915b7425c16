//! For backends' tests only (cargo feature `test-support`): a loopback HTTP endpoint that hands
//! every request to a syncer's push receiver, as the host's push route does, answers what the
//! receiver says, and keeps the events it returned, so a backend's push or callback decoding is
//! tested against its simulator over real HTTP. Knows no API and no backend.

use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use syncer_core::{ChangeEvent, PushReceipt, PushRejected, PushRequest, Syncer};

/// The events the endpoint's receiver returned, in the order they came.
pub type Received = Arc<Mutex<Vec<ChangeEvent>>>;

#[derive(Clone)]
struct Endpoint {
    syncer: Arc<dyn Syncer>,
    received: Received,
}

/// Serves `POST /events` on a free port of 127.0.0.1 for `syncer` (which must be in push mode):
/// the endpoint's URL and the events received. A bad signature is answered 403, a malformed
/// request 400. The server runs until the test's runtime ends.
pub async fn serve_push(syncer: Box<dyn Syncer>) -> (String, Received) {
    let received = Received::default();
    let endpoint = Endpoint {
        syncer: Arc::from(syncer),
        received: Arc::clone(&received),
    };
    let app = Router::new()
        .route("/events", post(receive))
        .with_state(endpoint);
    let url = format!("{}/events", crate::loopback::serve(app).await);
    (url, received)
}

async fn receive(
    State(endpoint): State<Endpoint>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let query = query
        .map(|query| {
            reqwest::Url::parse(&format!("http://x/?{query}"))
                .map(|url| url.query_pairs().into_owned().collect())
                .unwrap_or_default()
        })
        .unwrap_or_default();
    let request = PushRequest {
        query,
        headers: headers
            .iter()
            .map(|(name, value)| {
                (
                    name.as_str().to_owned(),
                    value.to_str().unwrap_or("").to_owned(),
                )
            })
            .collect(),
        body: body.to_vec(),
    };
    let receiver = endpoint
        .syncer
        .push_receiver()
        .expect("a syncer in push mode");
    match receiver.receive(&request) {
        Ok(PushReceipt::Answer(reply)) => (StatusCode::OK, reply.body).into_response(),
        Ok(PushReceipt::Events { events, success }) => {
            endpoint.received.lock().expect("lock").extend(events);
            (StatusCode::OK, success.body).into_response()
        }
        Err(PushRejected::BadSignature(_)) => StatusCode::FORBIDDEN.into_response(),
        Err(PushRejected::Malformed(_)) => StatusCode::BAD_REQUEST.into_response(),
    }
}
