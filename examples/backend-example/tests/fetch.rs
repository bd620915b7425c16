//! The example backend against a tiny fake of its directory over real HTTP: a complete read, a
//! refused token renewed by the shared loop, and a person in two departments read once.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use parking_lot::Mutex;
use serde_json::{json, Value};
use syncer_backend_example::{remote, ExampleSettings};
use syncer_core::{find_plugin, ConfigValue, NoProgress, PluginConfig, Secret};
use syncer_remote::{AppCredentials, CallObserver, Outcome, RemoteSettings};

/// Whether the fake has refused a token once already.
type Refused = Arc<AtomicBool>;

async fn token() -> Json<Value> {
    Json(json!({"access_token": "t-1", "expires_in": 3600}))
}

async fn children(Path(id): Path<String>) -> Json<Value> {
    let items = if id == "root" {
        json!([{"id": "sales", "name": "Sales"}, {"id": "ops", "name": "Ops"}])
    } else {
        json!([])
    };
    Json(json!({ "items": items }))
}

async fn members(
    State(refused): State<Refused>,
    Path(id): Path<String>,
) -> (StatusCode, Json<Value>) {
    if id == "ops" && !refused.swap(true, Ordering::SeqCst) {
        let expired = json!({"error": {"code": "token_expired", "message": "expired"}});
        return (StatusCode::UNAUTHORIZED, Json(expired));
    }
    let items = match id.as_str() {
        "sales" => json!([{"id": "u1", "name": "Ann", "email": "ann@example.com"}]),
        "ops" => json!([{"id": "u1", "name": "Ann"}, {"id": "u2", "name": "Bo"}]),
        _ => json!([]),
    };
    (StatusCode::OK, Json(json!({ "items": items })))
}

/// The fake directory on a loopback port; its URL.
async fn start() -> String {
    let app = Router::new()
        .route("/oauth/token", post(token))
        .route("/v1/departments/{id}/children", get(children))
        .route("/v1/departments/{id}/members", get(members))
        .with_state(Refused::default());
    let url = syncer_remote::loopback::serve(app).await;
    url
}

#[tokio::test]
async fn the_guides_backend_reads_everyone_once_and_renews_a_refused_token() {
    let url = start().await;
    let plugin = find_plugin(syncer_backend_example::TYPE_NAME).expect("registered");
    let text = |value: &str| ConfigValue::Text(value.to_owned());
    let values = BTreeMap::from([
        ("client_id".to_owned(), text("example-client")),
        ("client_secret".to_owned(), text("example-secret")),
        ("endpoint".to_owned(), text(&url)),
        ("max_retries".to_owned(), ConfigValue::Integer(0)),
    ]);
    let config = PluginConfig::new(plugin, values).expect("valid config");
    let syncer = (plugin.build)(&config).expect("builds");

    let snapshot = syncer.fetch(&NoProgress).await.expect("fetch");

    assert!(snapshot.is_complete(), "{:?}", snapshot.failures);
    assert_eq!(snapshot.departments.len(), 3);
    let ids: Vec<&str> = snapshot.users.iter().map(|u| u.id.as_str()).collect();
    assert_eq!(ids, ["u1", "u2"]);
    assert_eq!(snapshot.users[0].departments.len(), 2);
}

/// Every request an observer was told of.
#[derive(Default)]
struct Seen(Mutex<Vec<(String, Outcome)>>);

impl CallObserver for Seen {
    fn observed(&self, api: &str, outcome: Outcome) {
        self.0.lock().push((api.to_owned(), outcome));
    }
}

#[tokio::test]
async fn an_observer_is_told_of_every_request_sent_with_its_api_and_outcome() {
    let url = start().await;
    let settings = ExampleSettings {
        app: AppCredentials::new("observed-client", Secret::new("observed-secret")),
        remote: RemoteSettings {
            endpoint: url,
            rate_limit: 500.0,
            max_in_flight: 2,
            max_retries: 0,
            timeout: std::time::Duration::from_secs(5),
        },
        webhook: None,
    };
    let seen = Arc::new(Seen::default());
    let caller = remote::caller(&settings)
        .expect("caller")
        .observed_by(seen.clone());

    let _: Value = remote::get(&caller, "/v1/departments/:id/members", "ops")
        .await
        .expect("members after one renewal");

    let seen = seen.0.lock().clone();
    let expected = [
        ("/oauth/token", Outcome::Done),
        ("/v1/departments/:id/members", Outcome::RenewToken),
        ("/oauth/token", Outcome::Done),
        ("/v1/departments/:id/members", Outcome::Done),
    ];
    let expected: Vec<(String, Outcome)> = expected
        .iter()
        .map(|(api, outcome)| ((*api).to_owned(), *outcome))
        .collect();
    assert_eq!(seen, expected);
    assert_eq!(caller.api_calls().values().sum::<u64>(), 4);
}
