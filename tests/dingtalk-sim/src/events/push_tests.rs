//! HTTP push against a receiver written here from the same description: it checks the
//! signature, decrypts, and answers the sealed `success` (or refuses, as told).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use parking_lot::Mutex;
use serde_json::{json, Value};
use syncer_sim_kit::SimServer;

use super::super::crypto::{signature, PushCipher};
use crate::{event_types, Credentials, FakeDingTalk, Faults, Org, PushConfig, PushError, SimUser};

const TOKEN: &str = "simtoken";
const AES_KEY: &str = "4g5j64qlyl3zvetqxz5jiocdr586fn2zvjpa8zls3ij";
const WAIT: Duration = Duration::from_secs(10);

/// What the receiver saw and how it answers.
#[derive(Default)]
struct Receiver {
    messages: Mutex<Vec<Value>>,
    /// Refuse (HTTP 500) this many pushes first.
    refuse_first: AtomicUsize,
    /// Answer with a wrong signature.
    bad_signature: bool,
}

async fn receive(
    State(receiver): State<Arc<Receiver>>,
    Query(query): Query<std::collections::HashMap<String, String>>,
    Json(body): Json<Value>,
) -> Response {
    let app_key = Credentials::demo().app_key;
    let cipher = PushCipher::new(AES_KEY).expect("valid key");
    let encrypt = body["encrypt"].as_str().unwrap_or_default();
    let expected = signature(TOKEN, &query["timestamp"], &query["nonce"], encrypt);
    assert_eq!(query["msg_signature"], expected, "pushes are signed");
    let (message, owner) = cipher.open(encrypt).expect("pushes decrypt");
    assert_eq!(owner, app_key);
    receiver
        .messages
        .lock()
        .push(serde_json::from_slice(&message).expect("JSON"));
    if receiver
        .refuse_first
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
        .is_ok()
    {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    }
    let sealed = cipher.seal([1; 16], b"success", &app_key);
    let (timestamp, nonce) = ("1700000000000", "abcdefgh");
    let mut msg_signature = signature(TOKEN, timestamp, nonce, &sealed);
    if receiver.bad_signature {
        msg_signature = "0".repeat(40);
    }
    Json(json!({"msg_signature": msg_signature, "timeStamp": timestamp, "nonce": nonce, "encrypt": sealed}))
        .into_response()
}

async fn setup(receiver: Receiver) -> (FakeDingTalk, SimServer, Arc<Receiver>) {
    let receiver = Arc::new(receiver);
    let router = Router::new()
        .route("/events", post(receive))
        .with_state(Arc::clone(&receiver));
    let app = SimServer::start_local("receiver", router)
        .await
        .expect("binds");
    let mut org = Org::empty("推送公司");
    org.add_user(SimUser::new("u1", "张伟", vec![1]));
    let dingtalk = FakeDingTalk::start(org, Credentials::demo(), Faults::default())
        .await
        .expect("binds");
    let config = PushConfig {
        retry_factor: 0.001,
        ..PushConfig::new(TOKEN, AES_KEY, &Credentials::demo().app_key)
    };
    dingtalk
        .push_to(format!("{}/events", app.url()), config)
        .expect("a valid aes_key");
    (dingtalk, app, receiver)
}

#[tokio::test]
async fn an_event_is_pushed_sealed_and_signed_and_acknowledged_by_success() {
    let (dingtalk, _app, receiver) = setup(Receiver::default()).await;
    dingtalk
        .check_url()
        .await
        .expect("the receiver answers success");
    dingtalk.leave("u1").expect("u1 exists");
    dingtalk.all_acknowledged(WAIT).await.expect("pushed");
    let messages = receiver.messages.lock().clone();
    assert_eq!(messages[0]["EventType"], "check_url");
    assert_eq!(messages[1]["EventType"], event_types::USER_LEAVE_ORG);
    assert_eq!(messages[1]["userId"], json!(["u1"]));
    assert!(messages[1]["CorpId"].is_string() && messages[1]["EventTime"].is_string());
    let stats = dingtalk.event_stats();
    assert_eq!(
        (
            stats.push.sent,
            stats.push.answered_success,
            stats.acknowledged
        ),
        (2, 2, 1)
    );
    assert_eq!(stats.delivered, 0, "nothing went to a socket");
}

#[tokio::test]
async fn a_refused_push_is_retried_twice_then_given_up() {
    let (dingtalk, _app, receiver) = setup(Receiver {
        refuse_first: AtomicUsize::new(2),
        ..Receiver::default()
    })
    .await;
    dingtalk.hire(SimUser::new("u2", "王芳", vec![1]));
    dingtalk.all_acknowledged(WAIT).await.expect("pushed");
    let stats = dingtalk.event_stats().push;
    assert_eq!(
        (
            stats.sent,
            stats.refused,
            stats.retried,
            stats.answered_success
        ),
        (3, 2, 2, 1)
    );
    receiver.refuse_first.store(3, Ordering::SeqCst);
    dingtalk.hire(SimUser::new("u3", "李娜", vec![1]));
    dingtalk.all_acknowledged(WAIT).await.expect("settled");
    let stats = dingtalk.event_stats();
    assert_eq!((stats.push.failed, stats.acknowledged), (1, 1));
}

#[tokio::test]
async fn an_answer_with_a_wrong_signature_is_a_refusal() {
    let (dingtalk, _app, _receiver) = setup(Receiver {
        bad_signature: true,
        ..Receiver::default()
    })
    .await;
    let refused = dingtalk.check_url().await;
    assert!(
        matches!(refused, Err(PushError::Refused(ref why)) if why.contains("msg_signature")),
        "{refused:?}"
    );
    assert!(dingtalk
        .push_to("http://127.0.0.1:1/", PushConfig::new(TOKEN, "short", "k"))
        .is_err());
}
