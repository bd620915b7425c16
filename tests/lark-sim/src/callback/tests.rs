//! Callbacks against a receiver written here from the same guide: it checks the signature,
//! opens the body, answers the URL check, and refuses as told.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use parking_lot::Mutex;
use serde_json::{json, Value};
use syncer_sim_kit::SimServer;

use super::crypto::{open, signature};
use crate::{
    CallbackConfig, CallbackError, ContactEvent, Credentials, FakeLark, Faults, LarkOrg, SimUser,
};

const KEY: &str = "simencryptkey";
const WAIT: Duration = Duration::from_secs(10);

/// The app's side: every document it opened, and how many callbacks it still answers 503.
#[derive(Default)]
struct Inbox {
    seen: Mutex<Vec<Value>>,
    unavailable_for: Mutex<usize>,
}

async fn receive(State(inbox): State<Arc<Inbox>>, headers: HeaderMap, body: Bytes) -> Response {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    let expected = signature(
        &header("X-Lark-Request-Timestamp"),
        &header("X-Lark-Request-Nonce"),
        KEY,
        &body,
    );
    assert_eq!(header("X-Lark-Signature"), expected, "callbacks are signed");
    let sealed: Value = serde_json::from_slice(&body).expect("JSON");
    let plain = open(KEY, sealed["encrypt"].as_str().expect("sealed")).expect("opens");
    let document: Value = serde_json::from_slice(&plain).expect("JSON inside");
    inbox.seen.lock().push(document.clone());
    if document["type"] == "url_verification" {
        return Json(json!({ "challenge": document["challenge"] })).into_response();
    }
    let mut unavailable = inbox.unavailable_for.lock();
    if *unavailable == 0 {
        return StatusCode::OK.into_response();
    }
    *unavailable -= 1;
    StatusCode::SERVICE_UNAVAILABLE.into_response()
}

/// The app's callback endpoint on its own port.
async fn app(unavailable_for: usize) -> (SimServer, Arc<Inbox>) {
    let inbox = Arc::new(Inbox {
        unavailable_for: Mutex::new(unavailable_for),
        ..Inbox::default()
    });
    let router = Router::new()
        .route("/callback", post(receive))
        .with_state(Arc::clone(&inbox));
    let server = SimServer::start_local("app", router).await.expect("binds");
    (server, inbox)
}

async fn setup(unavailable_for: usize) -> (FakeLark, SimServer, Arc<Inbox>) {
    let (app, inbox) = app(unavailable_for).await;
    let mut org = LarkOrg::empty("飞书公司");
    org.add_user(SimUser::new("u1", "张伟", vec!["0".into()]));
    let lark = FakeLark::start(org, Credentials::demo(), Faults::default())
        .await
        .expect("binds");
    let config = CallbackConfig {
        retry_factor: 0.0001,
        ..CallbackConfig::new("simverification", Some(KEY.to_owned()))
    };
    lark.callback_to(format!("{}/callback", app.url()), config)
        .expect("a request URL");
    (lark, app, inbox)
}

#[tokio::test]
async fn the_url_check_and_events_arrive_sealed_signed_and_in_schema_2() {
    let (lark, _app, inbox) = setup(0).await;
    lark.verify_url().await.expect("the challenge comes back");
    lark.modify("u1", |u| u.name = "张伟伟".into())
        .expect("u1 exists");
    let (dept, _) = lark
        .create_department("0", "研发")
        .expect("the root exists");
    lark.rename_department(&dept, "研发中心")
        .expect("it exists");
    assert!(
        lark.remove_department(&dept).is_some(),
        "an empty department can be deleted"
    );
    lark.leave("u1").expect("u1 exists");
    lark.all_acknowledged(WAIT).await.expect("acknowledged");
    let documents = inbox.seen.lock().clone();
    assert_eq!(documents[0]["type"], "url_verification");
    assert_eq!(documents[0]["token"], "simverification");
    let by_type = |t: &str| {
        documents
            .iter()
            .find(|d| d["header"]["event_type"] == t)
            .cloned()
            .unwrap_or_else(|| panic!("a {t} event"))
    };
    let updated = by_type(ContactEvent::UserUpdated.event_type());
    assert_eq!(updated["schema"], "2.0");
    assert_eq!(updated["header"]["token"], "simverification");
    assert_eq!(updated["header"]["app_id"], Credentials::demo().app_id);
    assert_eq!(updated["event"]["object"]["name"], "张伟伟");
    assert_eq!(updated["event"]["old_object"], json!({"name": "张伟"}));
    let renamed = by_type(ContactEvent::DepartmentUpdated.event_type());
    assert_eq!(renamed["event"]["old_object"]["name"], "研发");
    let deleted = by_type(ContactEvent::UserDeleted.event_type());
    assert_eq!(
        deleted["event"]["old_object"]["department_ids"],
        json!(["0"])
    );
    by_type(ContactEvent::DepartmentCreated.event_type());
    by_type(ContactEvent::DepartmentDeleted.event_type());
    let stats = lark.callback_stats();
    assert_eq!(
        (stats.emitted, stats.acknowledged, stats.refused),
        (5, 5, 0)
    );
}

#[tokio::test]
async fn an_unanswered_event_is_retried_with_its_event_id_then_given_up() {
    let (lark, _app, inbox) = setup(2).await;
    lark.hire(SimUser::new("u2", "王芳", vec!["0".into()]));
    lark.all_acknowledged(WAIT).await.expect("acknowledged");
    let documents = inbox.seen.lock().clone();
    assert_eq!(documents.len(), 3);
    assert!(documents
        .iter()
        .all(|d| d["header"]["event_id"] == documents[0]["header"]["event_id"]));
    assert_eq!(documents[0]["event"]["object"]["open_id"], "ou_u2");
    *inbox.unavailable_for.lock() = 5;
    lark.emit_raw("contact.unknown_v9", json!({"anything": true}));
    lark.all_acknowledged(WAIT).await.expect("settled");
    let stats = lark.callback_stats();
    assert_eq!(
        (stats.sent, stats.refused, stats.retried, stats.failed),
        (8, 7, 6, 1)
    );
    assert_eq!(stats.acknowledged, 1);
}

#[tokio::test]
async fn with_duplicates_on_an_acknowledged_event_comes_once_more_with_its_event_id() {
    let (lark, app, inbox) = setup(0).await;
    let mut config = CallbackConfig::new("simverification", Some(KEY.to_owned()));
    config.duplicate_after_ack = true;
    lark.callback_to(format!("{}/callback", app.url()), config)
        .expect("a request URL");
    let id = lark.hire(SimUser::new("u3", "李娜", vec!["0".into()]));
    lark.all_acknowledged(WAIT).await.expect("acknowledged");
    let documents = inbox.seen.lock().clone();
    assert_eq!(documents.len(), 2);
    assert!(documents.iter().all(|d| d["header"]["event_id"] == id));
    let stats = lark.callback_stats();
    assert_eq!((stats.acknowledged, stats.duplicates), (1, 1));
}

#[tokio::test]
async fn a_department_in_use_is_not_deleted_and_events_wait_for_a_request_url() {
    let mut org = LarkOrg::empty("飞书公司");
    org.add_user(SimUser::new("u1", "张伟", vec!["0".into()]));
    let lark = FakeLark::start(org, Credentials::demo(), Faults::default())
        .await
        .expect("binds");
    assert_eq!(lark.verify_url().await, Err(CallbackError::NoTarget));
    let (dept, _) = lark
        .create_department("0", "销售")
        .expect("the root exists");
    lark.move_user("u1", vec![dept.clone()]).expect("u1 exists");
    assert_eq!(lark.remove_department(&dept), None, "it holds u1");
    assert!(lark
        .all_acknowledged(Duration::from_millis(1))
        .await
        .is_err());
    let (app, inbox) = app(0).await;
    lark.callback_to(
        format!("{}/callback", app.url()),
        CallbackConfig::new("t", Some(KEY.into())),
    )
    .expect("a request URL");
    lark.all_acknowledged(WAIT)
        .await
        .expect("sent once subscribed");
    assert_eq!(inbox.seen.lock().len(), 2);
}

/// What a plain receiver got: each request's headers and body.
type Seen = Arc<Mutex<Vec<(HeaderMap, Value)>>>;

#[tokio::test]
async fn without_an_encrypt_key_callbacks_are_plain_and_unsigned() {
    let seen: Seen = Arc::default();
    let sink = Arc::clone(&seen);
    let keep = move |headers: HeaderMap, body: Bytes| async move {
        let body = serde_json::from_slice(&body).expect("JSON");
        sink.lock().push((headers, body));
        StatusCode::OK
    };
    let plain = SimServer::start_local("plain", Router::new().route("/plain", post(keep)))
        .await
        .expect("binds");
    let tenant = LarkOrg::empty("明文公司");
    let lark = FakeLark::start(tenant, Credentials::demo(), Faults::default())
        .await
        .expect("binds");
    let url = format!("{}/plain", plain.url());
    lark.callback_to(url, CallbackConfig::new("tok", None))
        .expect("a request URL");
    lark.hire(SimUser::new("u9", "孙丽", vec!["0".into()]));
    lark.all_acknowledged(WAIT).await.expect("acknowledged");
    let seen = seen.lock();
    let (headers, document) = &seen[0];
    assert!(headers.get("X-Lark-Signature").is_none());
    assert_eq!(
        document["header"]["event_type"],
        ContactEvent::UserCreated.event_type()
    );
    assert_eq!(document["event"]["object"]["name"], "孙丽");
}
