//! A hostile or broken IAM (issue 14): a `get-users` count far beyond what arrives, a listing
//! that never ends, an answer larger than any page, messages that echo a configured secret,
//! writes it takes and never answers, and a run that outlasts its deadline.
//! Each run must end with a named error, not a crash, a hang or a leaked secret.

use serde_json::{json, Value};
use syncer_iam_sim::Flavor;

use crate::common::{
    fake_dingtalk, fake_iam, iam_config, iam_name, org, stalled, IamWorld, Scratch, APP_SECRET,
    IAM_SECRET_VAR, SECRET_ENV,
};

in_both_flavours!(
    a_huge_user_count_is_an_error_naming_it_not_an_allocation,
    a_listing_without_a_count_stops_at_max_users,
    an_oversized_answer_is_a_failed_call_naming_the_api,
    a_message_echoing_a_configured_secret_is_redacted,
    writes_iam_never_answers_trip_the_breaker_and_fail_the_run,
    no_user_write_starts_after_the_run_deadline,
);

fn summary(report: &Value) -> String {
    format!(
        "status {} counts {} errors {}",
        report["status"], report["counts"], report["errors"]
    )
}

/// Whether some report error mentions every one of `texts`.
fn has_error(report: &Value, texts: &[&str]) -> bool {
    report["errors"]
        .as_array()
        .expect("errors is a list")
        .iter()
        .any(|error| {
            let message = error["message"].as_str().unwrap_or_default();
            texts.iter().all(|text| message.contains(text))
        })
}

/// A world of 10 members into a fake IAM of `flavor`, with `target` lines in `[target]`.
async fn world(flavor: Flavor, target: &str) -> IamWorld {
    let world = IamWorld::start(org(10), fake_iam(flavor).await, "").await;
    set_target_keys(&world, target);
    world
}

/// Adds `lines` to the `[target]` table of the world's config.
fn set_target_keys(world: &IamWorld, lines: &str) {
    let path = world.scratch.config();
    let text = std::fs::read_to_string(&path).expect("read config");
    let text = text.replacen("[[syncers]]", &format!("{lines}\n\n[[syncers]]"), 1);
    std::fs::write(path, text).expect("write config");
}

/// Runs a sync that must fail before writing anything; its report.
async fn failed_sync(world: &IamWorld) -> Value {
    let (outcome, report) = world.sync(&[]).await;
    assert_eq!(outcome.code, 1, "{}", outcome.all());
    assert_eq!(report["status"], "failed", "{}", summary(&report));
    assert_eq!(world.iam.stats().total_writes, 0, "{}", summary(&report));
    report
}

async fn a_huge_user_count_is_an_error_naming_it_not_an_allocation(flavor: Flavor) {
    let world = world(flavor, "").await;
    world.iam.answer_user_count(json!(344_000_000_000_u64));
    let report = failed_sync(&world).await;
    assert!(
        has_error(&report, &["344000000000", "max_users"]),
        "{}",
        summary(&report)
    );
    world.iam.answer_user_count(json!(-5));
    let report = failed_sync(&world).await;
    assert!(has_error(&report, &["`-5`"]), "{}", summary(&report));
}

async fn a_listing_without_a_count_stops_at_max_users(flavor: Flavor) {
    let world = world(flavor, "max_users = 2000").await;
    world.iam.list_endless_users();
    let report = failed_sync(&world).await;
    assert!(
        has_error(&report, &["get-users", "past 2000", "max_users"]),
        "{}",
        summary(&report)
    );
    let pages = world.iam.stats().calls_to("get-users");
    assert!(pages <= 6, "pages read: {pages}");
}

async fn an_oversized_answer_is_a_failed_call_naming_the_api(flavor: Flavor) {
    let world = world(flavor, "").await;
    world.iam.pad_answers(40 * 1024 * 1024);
    let report = failed_sync(&world).await;
    assert!(
        has_error(&report, &["get-users", "larger than 32 MiB"]),
        "{}",
        summary(&report)
    );
}

async fn a_message_echoing_a_configured_secret_is_redacted(flavor: Flavor) {
    let world = world(flavor, "").await;
    let iam_secret = world.iam.config().client_secret.clone();
    let member = world.dingtalk.org().users[0].clone();
    world.iam.fail_user_writes(
        iam_name(&member),
        &format!("Incorrect client secret {iam_secret} (app secret {APP_SECRET})"),
    );
    let (outcome, report) = world.sync(&[]).await;
    assert_eq!(outcome.code, 1, "{}", outcome.all());
    assert!(
        has_error(&report, &["Incorrect client secret ***", "app secret ***"]),
        "{}",
        summary(&report)
    );
    let runs = world.run(&["runs", "acme-dt", "--json"]).await;
    for shown in [outcome.all(), runs.all()] {
        assert!(!shown.contains(&iam_secret), "IAM secret leaked:\n{shown}");
        assert!(!shown.contains(APP_SECRET), "app secret leaked:\n{shown}");
    }
}

async fn writes_iam_never_answers_trip_the_breaker_and_fail_the_run(flavor: Flavor) {
    let world = IamWorld::start(org(30), fake_iam(flavor).await, "write_concurrency = 2").await;
    set_target_keys(&world, "timeout_seconds = 1");
    world.iam.hang_writes();
    let (outcome, report) = world.sync(&[]).await;
    assert_eq!(outcome.code, 1, "{}", outcome.all());
    assert_eq!(report["status"], "failed", "{}", summary(&report));
    assert!(
        has_error(
            &report,
            &["planned write(s) were not sent", "stopped answering"]
        ),
        "{}",
        summary(&report)
    );
    // Five unanswered in a row stop the writes: at most one more round of two was in flight.
    let sent = world.iam.stats().writes_to("add-user");
    assert!(sent <= 6, "add-user writes sent: {sent}");
}

async fn no_user_write_starts_after_the_run_deadline(flavor: Flavor) {
    let world = IamWorld::start(org(10), fake_iam(flavor).await, "run_deadline_seconds = 1").await;
    set_target_keys(&world, "timeout_seconds = 2");
    world.iam.hang_writes();
    let (outcome, report) = world.sync(&[]).await;
    assert_eq!(outcome.code, 1, "{}", outcome.all());
    assert_eq!(report["status"], "failed", "{}", summary(&report));
    assert!(
        has_error(&report, &["run_deadline_seconds"]),
        "{}",
        summary(&report)
    );
    assert_eq!(world.iam.stats().writes_to("add-user"), 0);
}

#[tokio::test]
async fn a_run_still_going_past_its_deadline_is_abandoned_and_recorded_failed() {
    // DingTalk answers nothing for a minute: the fetch would outlast any deadline.
    let dingtalk = fake_dingtalk(org(10), stalled()).await;
    let iam = fake_iam(Flavor::Hanzo).await;
    let scratch = Scratch::new();
    scratch.write_config(&iam_config(
        &dingtalk.url(),
        &iam,
        "run_deadline_seconds = 1",
    ));
    let env = [
        SECRET_ENV,
        (IAM_SECRET_VAR, iam.config().client_secret.as_str()),
    ];
    let outcome = scratch.run(&["sync", "acme-dt", "--json"], &env).await;
    assert_eq!(outcome.code, 1, "{}", outcome.all());
    let report = outcome.json();
    assert_eq!(report["status"], "failed", "{}", summary(&report));
    assert!(
        has_error(&report, &["abandoned", "run_deadline_seconds"]),
        "{}",
        summary(&report)
    );
    let runs = scratch.runs(&env).await;
    assert_eq!(runs[0]["status"], "failed", "{runs:?}");
}
