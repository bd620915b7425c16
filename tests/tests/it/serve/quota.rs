//! `serve` under the monthly DingTalk API quota: a scheduled full sync that would not fit in
//! what is left of the budget is not started (skipped, with the numbers), a used-up quota
//! (errcode 90020) stops the syncer's scheduled runs for the month, across a restart, and
//! `GET /api/v1/syncers` and `/metrics` show why.

use serde_json::Value;
use syncer_dingtalk_sim::Faults;

use super::{serve_config, Served, CLI_ENV};
use crate::common::{eventually, fake_dingtalk, org, Scratch};
use crate::quota::{counted, cst_month, spend};

/// The newest skipped run of `acme-dt` whose reason contains `words`.
async fn skipped_with(served: &Served, words: &str) -> Value {
    eventually(&format!("a run skipped because {words}"), || async {
        served.runs().await.into_iter().find(|run| {
            run["status"] == "skipped" && run["report"]["errors"].to_string().contains(words)
        })
    })
    .await
}

#[tokio::test]
async fn a_scheduled_sync_that_does_not_fit_in_the_budget_is_skipped_with_the_numbers() {
    let dingtalk = fake_dingtalk(org(30), Faults::default()).await;
    let scratch = Scratch::new();
    scratch.write_config(&serve_config(
        &dingtalk.url(),
        "is_enabled = true\nsync_interval = 1",
    ));
    let outcome = scratch.run(&["sync", "acme-dt"], &CLI_ENV).await;
    assert_eq!(outcome.code, 0, "{}", outcome.all());
    let needs = dingtalk.stats().total_calls;
    spend(&scratch, 9_998);
    let served = Served::start(&scratch, &[]).await;
    let numbers = format!("9,998 of 10,000 calls used this month; a full sync needs about {needs}");
    skipped_with(&served, &numbers).await;
    assert_eq!(
        dingtalk.stats().total_calls,
        needs,
        "the skipped runs made no call"
    );
    let quota = served.acme().await["quota"].clone();
    assert_eq!(quota["used"], 9_998, "{quota}");
    assert_eq!(quota["budget"], 10_000, "{quota}");
    assert_eq!(quota["month"], cst_month(), "{quota}");
    assert!(quota["exhausted_at"].is_null(), "{quota}");
    assert!(
        quota["reason"]
            .as_str()
            .is_some_and(|r| r.contains(&numbers)),
        "{quota}"
    );
    let (status, _) = served.get("/api/v1/syncers").await;
    assert_eq!(status, 200);
    let metrics = reqwest::Client::new()
        .get(format!("{}/metrics", served.url))
        .bearer_auth(super::TOKEN)
        .send()
        .await
        .expect("GET /metrics")
        .text()
        .await
        .expect("text");
    assert!(
        metrics.contains("syncer_api_calls_month{syncer=\"acme-dt\"} 9998"),
        "{metrics}"
    );
    assert!(
        metrics.contains("syncer_api_call_budget{syncer=\"acme-dt\"} 10000"),
        "{metrics}"
    );
    assert_eq!(served.terminate().await, 0);
}

#[tokio::test]
async fn a_used_up_quota_stops_scheduled_runs_for_the_month_and_says_why_across_a_restart() {
    let dingtalk = fake_dingtalk(
        org(30),
        Faults {
            monthly_call_quota: Some(0),
            ..Faults::default()
        },
    )
    .await;
    let scratch = Scratch::new();
    scratch.write_config(&serve_config(
        &dingtalk.url(),
        "is_enabled = true\nsync_interval = 1",
    ));
    let served = Served::start(&scratch, &[]).await;
    let failed = eventually("the run DingTalk refused", || async {
        served
            .runs()
            .await
            .into_iter()
            .find(|run| run["status"] == "failed")
    })
    .await;
    let message = failed["report"]["errors"].to_string();
    assert!(
        message.contains("monthly DingTalk API quota") && message.contains("usage details"),
        "{message}"
    );
    skipped_with(&served, "quota is used up").await;
    assert_eq!(
        dingtalk.stats().total_calls,
        1,
        "one refused call, and no other"
    );
    let quota = served.acme().await["quota"].clone();
    assert!(quota["exhausted_at"].is_string(), "{quota}");
    let reason = quota["reason"].as_str().unwrap_or_default().to_owned();
    assert!(
        reason.contains("quota is used up") && reason.contains("90020"),
        "{quota}"
    );
    assert_eq!(served.terminate().await, 0);
    let (calls, mark) = counted(&scratch);
    assert_eq!(calls, 1, "serve counted its call in the state");
    assert!(mark.is_some(), "the mark is in the state");

    // A new process reads the mark from the state: still no scheduled run this month.
    let skipped_before = skipped_count(&scratch).await;
    let served = Served::start(&scratch, &[]).await;
    eventually("a scheduled run skipped after the restart", || async {
        (skipped_count_of(&served).await > skipped_before).then_some(())
    })
    .await;
    assert_eq!(
        dingtalk.stats().total_calls,
        1,
        "no call after the restart either"
    );
    assert!(served.acme().await["quota"]["exhausted_at"].is_string());
    assert_eq!(served.terminate().await, 0);
}

async fn skipped_count(scratch: &Scratch) -> usize {
    scratch
        .runs(&CLI_ENV)
        .await
        .iter()
        .filter(|run| run["status"] == "skipped")
        .count()
}

async fn skipped_count_of(served: &Served) -> usize {
    served
        .runs()
        .await
        .iter()
        .filter(|run| run["status"] == "skipped")
        .count()
}
