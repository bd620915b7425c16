//! The example backend against a tiny fake of its directory over real HTTP: a complete read, a
//! refused token renewed by the shared loop, and a person in two departments read once.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};
use syncer_core::{find_plugin, ConfigValue, NoProgress, PluginConfig};

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

#[tokio::test]
async fn the_guides_backend_reads_everyone_once_and_renews_a_refused_token() {
    let app = Router::new()
        .route("/oauth/token", post(token))
        .route("/v1/departments/{id}/children", get(children))
        .route("/v1/departments/{id}/members", get(members))
        .with_state(Refused::default());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("address"));
    tokio::spawn(async move { axum::serve(listener, app).await });

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
