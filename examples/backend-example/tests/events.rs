//! The example backend's change events: its webhook is verified by the shared token before
//! anything is read, and a person named by an event is read alone (found, gone on the
//! directory's `not_found`, an error on any other failure), against a tiny fake over real HTTP.

use std::collections::BTreeMap;

use axum::extract::Path;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};
use syncer_core::{
    find_plugin, Change, ConfigValue, EventMode, PersonLookup, PluginConfig, PushReceipt,
    PushRejected, PushRequest, Syncer,
};

const EVENTS_TOKEN: &str = "ev3nts-t0ken";

async fn token() -> Json<Value> {
    Json(json!({"access_token": "t-1", "expires_in": 3600}))
}

async fn person(Path(id): Path<String>) -> (StatusCode, Json<Value>) {
    match id.as_str() {
        "u1" => (
            StatusCode::OK,
            Json(
                json!({"id": "u1", "name": "Ann", "email": "ann@example.com",
                "departments": ["sales", "ops"]}),
            ),
        ),
        "hidden" => (
            StatusCode::FORBIDDEN,
            Json(json!({"error": {"code": "forbidden", "message": "no"}})),
        ),
        _ => (
            StatusCode::NOT_FOUND,
            Json(json!({"error": {"code": "not_found", "message": "no such person"}})),
        ),
    }
}

async fn start() -> String {
    let app = Router::new()
        .route("/oauth/token", post(token))
        .route("/v1/people/{id}", get(person));
    let url = syncer_remote::loopback::serve(app).await;
    url
}

fn syncer(endpoint: &str, events_token: Option<&str>) -> Box<dyn Syncer> {
    let plugin = find_plugin(syncer_backend_example::TYPE_NAME).expect("registered");
    let text = |value: &str| ConfigValue::Text(value.to_owned());
    let mut values = BTreeMap::from([
        ("client_id".to_owned(), text("c1")),
        ("client_secret".to_owned(), text("s3cret")),
        ("endpoint".to_owned(), text(endpoint)),
        ("max_retries".to_owned(), ConfigValue::Integer(0)),
    ]);
    if let Some(token) = events_token {
        values.insert("events_token".to_owned(), text(token));
    }
    let config = PluginConfig::new(plugin, values).expect("valid config");
    (plugin.build)(&config).expect("builds")
}

fn push(token: &str, body: Value) -> PushRequest {
    PushRequest {
        query: Vec::new(),
        headers: vec![("x-events-token".to_owned(), token.to_owned())],
        body: body.to_string().into_bytes(),
    }
}

#[tokio::test]
async fn a_person_read_alone_is_found_gone_or_an_error() {
    let url = start().await;
    let syncer = syncer(&url, None);
    let PersonLookup::Found(record) = syncer.fetch_person("u1").await.expect("found") else {
        panic!("u1 is a member");
    };
    assert_eq!(record.id, "u1");
    assert_eq!(record.departments, vec!["sales", "ops"]);
    assert_eq!(
        syncer
            .fetch_person("left-long-ago")
            .await
            .expect("answered"),
        PersonLookup::Gone
    );
    let error = syncer
        .fetch_person("hidden")
        .await
        .expect_err("a refusal is not a leaver");
    assert!(error.message.contains("forbidden"), "{error}");
}

#[test]
fn the_webhook_is_verified_before_it_is_read() {
    let syncer = syncer("http://127.0.0.1:9", Some(EVENTS_TOKEN));
    assert_eq!(syncer.event_mode(), EventMode::Http);
    let webhook = syncer.push_receiver().expect("events_token set");
    let left = json!({"id": "e-1", "type": "person.left", "person": "u2"});
    let PushReceipt::Events { events, .. } = webhook
        .receive(&push(EVENTS_TOKEN, left.clone()))
        .expect("verifies")
    else {
        panic!("an event");
    };
    assert_eq!(events[0].change, Change::Left(vec!["u2".into()]));
    let refused = webhook.receive(&push("guess", left));
    assert!(
        matches!(refused, Err(PushRejected::BadSignature(reason)) if !reason.contains(EVENTS_TOKEN))
    );
    assert!(syncer_without_events().push_receiver().is_none());
}

fn syncer_without_events() -> Box<dyn Syncer> {
    syncer("http://127.0.0.1:9", None)
}
