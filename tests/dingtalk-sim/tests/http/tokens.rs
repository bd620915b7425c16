//! `/gettoken` and access-token validity.

use std::time::Duration;

use serde_json::json;
use syncer_dingtalk_sim::{codes, paths, Faults, Org, OrgSpec};

use crate::client::Sim;

const COUNT: &str = "/topapi/user/count";

#[tokio::test]
async fn repeated_gettoken_returns_the_same_token_while_it_is_valid() {
    let sim = Sim::default().await;
    let first = sim.gettoken().await;
    assert_eq!(first["errcode"], 0);
    assert_eq!(first["errmsg"], "ok");
    assert_eq!(first["expires_in"], 7200);
    let token = first["access_token"].as_str().expect("token");
    assert_eq!(token.len(), 32);
    let second = sim.gettoken().await;
    assert_eq!(second["access_token"], token);
    let stats = sim.server.stats();
    assert_eq!(stats.gettoken_calls, 2);
    assert_eq!(stats.tokens_issued, 1);
    assert_eq!(stats.calls(paths::GETTOKEN), 2);
}

#[tokio::test]
async fn wrong_app_secret_is_rejected_with_40089() {
    let sim = Sim::default().await;
    let (status, body) = sim.gettoken_with("dingsimdemo000000001", "wrong").await;
    assert_eq!(status, 200);
    assert_eq!(body["errcode"], codes::INVALID_APP_CREDENTIALS);
    assert!(body["errmsg"].as_str().is_some_and(|m| !m.is_empty()));
    assert!(body.get("access_token").is_none());
    let (_, body) = sim.gettoken_with("unknown", "").await;
    assert_eq!(body["errcode"], codes::INVALID_APP_CREDENTIALS);
    assert_eq!(sim.server.stats().tokens_issued, 0);
}

#[tokio::test]
async fn missing_or_unknown_token_is_invalid() {
    let sim = Sim::default().await;
    let (status, text) = sim.post_raw(COUNT, None, &json!({})).await;
    assert_eq!(status, 200);
    assert!(text.contains("\"errcode\":40014"), "{text}");
    let body = sim
        .post(COUNT, "0123456789abcdef0123456789abcdef", json!({}))
        .await;
    assert_eq!(body["errcode"], codes::INVALID_TOKEN);
    assert_eq!(sim.server.stats().invalid_token, 2);
}

#[tokio::test]
async fn a_token_expires_after_its_ttl_and_gettoken_then_issues_a_new_one() {
    let faults = Faults {
        token_ttl: Duration::from_millis(150),
        ..Faults::default()
    };
    let sim = Sim::start(Org::generate(&OrgSpec::default()), faults).await;
    let old = sim.token().await;
    assert_eq!(sim.post(COUNT, &old, json!({})).await["errcode"], 0);
    // Time passing is the behaviour under test: let the short TTL run out.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let body = sim.post(COUNT, &old, json!({})).await;
    assert_eq!(body["errcode"], codes::EXPIRED_TOKEN, "{body}");
    let new = sim.token().await;
    assert_ne!(new, old);
    assert_eq!(sim.post(COUNT, &new, json!({})).await["errcode"], 0);
    let stats = sim.server.stats();
    assert_eq!(stats.tokens_issued, 2);
    assert_eq!(stats.expired_token, 1);
}

#[tokio::test]
async fn a_token_can_be_made_to_expire_after_n_calls() {
    let faults = Faults {
        token_expires_after_calls: Some(3),
        ..Faults::default()
    };
    let sim = Sim::start(Org::generate(&OrgSpec::default()), faults).await;
    let token = sim.token().await;
    for _ in 0..3 {
        assert_eq!(sim.post(COUNT, &token, json!({})).await["errcode"], 0);
    }
    assert_eq!(
        sim.post(COUNT, &token, json!({})).await["errcode"],
        codes::EXPIRED_TOKEN
    );
    let fresh = sim.token().await;
    assert_ne!(fresh, token);
    assert_eq!(sim.post(COUNT, &fresh, json!({})).await["errcode"], 0);
    // The expired token stays expired, not unknown.
    assert_eq!(
        sim.post(COUNT, &token, json!({})).await["errcode"],
        codes::EXPIRED_TOKEN
    );
    assert_eq!(sim.server.stats().tokens_issued, 2);
}
