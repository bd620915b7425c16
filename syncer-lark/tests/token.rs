//! The Lark token endpoint's frequency limit is waited out like any other API's: at least a
//! second before the next try, not the short backoff of an internal error. A tiny Lark that
//! throttles the first token requests and answers every contact call with an empty page.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use parking_lot::Mutex;
use serde_json::{json, Value};
use syncer_core::{NoProgress, Secret, Syncer};
use syncer_lark::event_settings::EventSettings;
use syncer_lark::{api, LarkSettings, LarkSyncer};
use syncer_remote::{AppCredentials, RemoteSettings};

/// When each token request arrived.
type Arrivals = Arc<Mutex<Vec<Instant>>>;

/// Token requests answered with the frequency limit before one gets a token.
const THROTTLED_TOKEN_REQUESTS: usize = 2;

async fn token(State(arrivals): State<Arrivals>) -> (StatusCode, Json<Value>) {
    let mut arrivals = arrivals.lock();
    arrivals.push(Instant::now());
    if arrivals.len() <= THROTTLED_TOKEN_REQUESTS {
        let limited = json!({"code": 99991400, "msg": "request trigger frequency limit"});
        return (StatusCode::TOO_MANY_REQUESTS, Json(limited));
    }
    let issued = json!({"code": 0, "msg": "ok", "tenant_access_token": "t-fresh", "expire": 7200});
    (StatusCode::OK, Json(issued))
}

async fn empty_page() -> Json<Value> {
    Json(json!({"code": 0, "msg": "success", "data": {
        "has_more": false, "items": [], "department": {"name": "Acme"}
    }}))
}

async fn start() -> (String, Arrivals) {
    let arrivals = Arrivals::default();
    let app = Router::new()
        .route(api::TENANT_ACCESS_TOKEN, post(token))
        .fallback(get(empty_page))
        .with_state(arrivals.clone());
    let url = syncer_remote::loopback::serve(app).await;
    (url, arrivals)
}

#[tokio::test]
async fn a_throttled_token_request_is_waited_out_at_least_a_second() {
    let (endpoint, arrivals) = start().await;
    let syncer = LarkSyncer::new(LarkSettings {
        app: AppCredentials::new("cli_throttled".to_owned(), Secret::new("throttled-secret")),
        remote: RemoteSettings {
            endpoint,
            rate_limit: 500.0,
            max_in_flight: 4,
            max_retries: 2,
            timeout: Duration::from_secs(5),
        },
        events: EventSettings::default(),
    });

    let snapshot = syncer.fetch(&NoProgress).await.expect("fetch");

    assert!(snapshot.is_complete(), "{:?}", snapshot.failures);
    let arrivals = arrivals.lock().clone();
    assert_eq!(arrivals.len(), THROTTLED_TOKEN_REQUESTS + 1);
    for pair in arrivals.windows(2) {
        let waited = pair[1] - pair[0];
        assert!(waited >= Duration::from_secs(1), "retried after {waited:?}");
    }
}
