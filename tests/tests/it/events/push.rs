//! DingTalk HTTP push: the simulator pushes sealed, signed events to serve's events route (no
//! bearer token), which answers the sealed `success` once the change is in IAM; a request
//! whose signature does not verify is refused and changes nothing.

use syncer_dingtalk_sim::PushConfig;

use super::*;
use crate::common::APP_KEY;

const CALLBACK_TOKEN: &str = "cbtoken123";
/// A console `aes_key` (43 characters) whose last character carries no stray bits: the
/// simulator's strict base64 decoder refuses the published sample's key.
const AES_KEY: &str = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFA";

fn http_mode() -> String {
    format!("events = \"http\"\ncallback_token = \"{CALLBACK_TOKEN}\"\naes_key = \"{AES_KEY}\"")
}

async fn push_world() -> (EventWorld, Org) {
    let org = crate::common::org(20);
    let world = EventWorld::start(org.clone(), &http_mode()).await;
    let mut config = PushConfig::new(CALLBACK_TOKEN, AES_KEY, APP_KEY);
    config.retry_factor = 0.01;
    world
        .dingtalk
        .push_to(
            format!("{}/api/v1/syncers/acme-dt/events", world.served.url),
            config,
        )
        .expect("push target");
    (world, org)
}

#[tokio::test]
async fn the_url_check_and_a_pushed_hire_are_answered_success() {
    let (world, org) = push_world().await;
    world
        .dingtalk
        .check_url()
        .await
        .expect("check_url answered with the sealed success");
    let dept = staffed_department(&org);
    world.dingtalk.hire(hire("pushed", dept));
    world.settled().await;
    assert!(world.user("union-pushed").is_some(), "in IAM once answered");
    // A push carries no event id: the backend derives one from its content.
    let recent = world.recent().await;
    let event = recent
        .iter()
        .find(|event| event["people"] == serde_json::json!(["pushed"]))
        .expect("the push is listed");
    assert_eq!(event["outcome"], "applied", "{event}");
    assert_eq!(event["type"], "user_add_org");
    assert_eq!(world.counters().await["mode"], "http");
}

#[tokio::test]
async fn a_bad_signature_is_refused_403_and_changes_nothing() {
    let (world, _) = push_world().await;
    let writes = world.writes();
    let response = Served::client()
        .post(format!(
            "{}/api/v1/syncers/acme-dt/events?msg_signature=0000&timestamp=1445827045067&nonce=nEXhMP4r",
            world.served.url
        ))
        .json(&serde_json::json!({ "encrypt": "AAAA" }))
        .send()
        .await
        .expect("POST");
    assert_eq!(response.status().as_u16(), 403);
    let body: Value = response.json().await.expect("JSON");
    assert!(!body.to_string().contains(AES_KEY) && !body.to_string().contains(CALLBACK_TOKEN));
    // A body past the limit is not read at all.
    let response = Served::client()
        .post(format!(
            "{}/api/v1/syncers/acme-dt/events",
            world.served.url
        ))
        .body(vec![b'x'; 300 * 1024])
        .send()
        .await
        .expect("POST");
    assert_eq!(response.status().as_u16(), 413);
    assert_eq!(world.writes(), writes);
    assert_eq!(world.counters().await["received"], 0);
}

#[tokio::test]
async fn pushes_to_an_unknown_syncer_or_one_not_in_http_mode_are_404() {
    let org = crate::common::org(10);
    let world = EventWorld::start(org, "").await;
    for path in [
        "/api/v1/syncers/nobody/events",
        "/api/v1/syncers/acme-dt/events",
    ] {
        let response = Served::client()
            .post(format!("{}{path}", world.served.url))
            .body("{}")
            .send()
            .await
            .expect("POST");
        assert_eq!(response.status().as_u16(), 404, "{path}");
    }
    // The route is open to pushes only: the events listing still wants the token.
    let response = Served::client()
        .get(format!(
            "{}/api/v1/syncers/acme-dt/events",
            world.served.url
        ))
        .send()
        .await
        .expect("GET");
    assert_eq!(response.status().as_u16(), 401);
    assert_eq!(world.counters().await["mode"], "off");
}
