//! The monthly quota of metered calls: past it, every API answers errcode 90020.

use serde_json::json;
use syncer_dingtalk_sim::{codes, paths, Faults};

use crate::client::Sim;

#[tokio::test]
async fn past_the_monthly_quota_every_api_answers_90020_with_the_count_and_the_quota() {
    let sim = Sim::default().await;
    let token = sim.token().await;
    let used = sim.server.stats().total_calls;
    sim.server.set_faults(Faults {
        monthly_call_quota: Some(used + 2),
        ..Faults::default()
    });
    let body = json!({"only_active": false});
    for _ in 0..2 {
        let answer = sim.post(paths::USER_COUNT, &token, body.clone()).await;
        assert_eq!(answer["errcode"], 0, "{answer}");
    }
    let answer = sim.post(paths::USER_COUNT, &token, body.clone()).await;
    assert_eq!(answer["errcode"], codes::QUOTA_EXHAUSTED, "{answer}");
    let message = answer["errmsg"].as_str().expect("errmsg");
    assert!(
        message.contains(&format!("used {}", used + 3))
            && message.contains(&format!("quota {}", used + 2)),
        "{message}"
    );
    let token_answer = sim.gettoken().await;
    assert_eq!(
        token_answer["errcode"],
        codes::QUOTA_EXHAUSTED,
        "{token_answer}"
    );
    let listing = sim
        .post(paths::DEPARTMENT_LISTSUB, &token, json!({"dept_id": 1}))
        .await;
    assert_eq!(listing["errcode"], codes::QUOTA_EXHAUSTED, "{listing}");
    sim.server.set_faults(Faults::default());
    let answer = sim.post(paths::USER_COUNT, &token, body).await;
    assert_eq!(
        answer["errcode"], 0,
        "without a quota the server answers again"
    );
}

#[tokio::test]
async fn past_the_quota_the_stream_gateway_answers_api_dingtalk_coms_refusal() {
    let sim = Sim::start(
        syncer_dingtalk_sim::Org::generate(&syncer_dingtalk_sim::OrgSpec::default()),
        Faults {
            monthly_call_quota: Some(0),
            ..Faults::default()
        },
    )
    .await;
    let demo = syncer_dingtalk_sim::Credentials::demo();
    let url = format!("{}{}", sim.server.stream_endpoint(), paths::GATEWAY_OPEN);
    let response = reqwest::Client::new()
        .post(url)
        .json(&json!({
            "clientId": demo.app_key, "clientSecret": demo.app_secret,
            "subscriptions": [{"type": "EVENT", "topic": "*"}],
        }))
        .send()
        .await
        .expect("connections/open answers");
    assert_eq!(response.status().as_u16(), 403);
    let body: serde_json::Value = response.json().await.expect("JSON");
    assert_eq!(
        body["code"], "Forbidden.AccessDenied.ApiCountLimitForOrg",
        "{body}"
    );
    let message = body["message"].as_str().expect("message");
    assert!(
        message.contains("used 1") && message.contains("quota 0"),
        "{message}"
    );
}
