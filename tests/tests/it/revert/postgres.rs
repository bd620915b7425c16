//! The journal in the shared state (`[state] url`): a run on one replica is reverted from
//! another, and a revert is refused, naming the replica, while a run of the syncer goes there.

use crate::common::{
    embedded_config, fake_dingtalk, org, postgres_database, query_count, stalled, until_fetching,
    Outcome, Scratch, SECRET_ENV,
};
use serde_json::Value;
use syncer_dingtalk_sim::Faults;

/// A config on the shared state at `${STATE_URL}`, replica `${REPLICA}`.
fn shared_config(endpoint: &str) -> String {
    format!(
        "[state]\nurl = \"${{STATE_URL}}\"\nreplica = \"${{REPLICA}}\"\nlease_seconds = 3\n{}",
        embedded_config(endpoint, "is_enabled = false")
    )
}

async fn cli(scratch: &Scratch, url: &str, replica: &str, args: &[&str]) -> Outcome {
    let env = [SECRET_ENV, ("STATE_URL", url), ("REPLICA", replica)];
    scratch.run(args, &env).await
}

/// `revert RUN_ID --json` on `replica`.
async fn revert(scratch: &Scratch, url: &str, replica: &str, run_id: i64) -> Outcome {
    cli(
        scratch,
        url,
        replica,
        &["revert", &run_id.to_string(), "--json"],
    )
    .await
}

#[tokio::test]
async fn a_run_journaled_in_postgresql_is_reverted_and_refused_while_another_replica_runs() {
    let Some((_cluster, url)) = postgres_database() else {
        return;
    };
    let dingtalk = fake_dingtalk(org(30), Faults::default()).await;
    let scratch = Scratch::new();
    scratch.write_config(&shared_config(&dingtalk.url()));

    let outcome = cli(&scratch, &url, "replica-a", &["sync", "acme-dt", "--json"]).await;
    assert_eq!(outcome.code, 0, "{}", outcome.all());
    let before = scratch.stored_users("acme");
    let renamed = dingtalk.org().users[0].userid.clone();
    dingtalk.update_org(|org| org.user_mut(&renamed).expect("user").name = "Renamed".into());
    let outcome = cli(&scratch, &url, "replica-a", &["sync", "acme-dt", "--json"]).await;
    assert_eq!(outcome.code, 0, "{}", outcome.all());
    let renaming = outcome.json()["run_id"].as_i64().expect("run_id");
    assert!(
        query_count(
            &url,
            &format!("SELECT count(*) FROM journal WHERE run_id = {renaming}")
        )
        .await
            > 0,
        "the run is journaled in the shared state"
    );

    let outcome = revert(&scratch, &url, "replica-b", renaming).await;
    assert_eq!(outcome.code, 0, "{}", outcome.all());
    let report = outcome.json();
    assert_eq!(report["reverts"], renaming, "{report}");
    assert_eq!(scratch.stored_users("acme"), before);

    // A run going on replica-a: a revert elsewhere is refused, naming it.
    let slow = fake_dingtalk(org(30), stalled()).await;
    scratch.write_config(&shared_config(&slow.url()));
    let env = [
        SECRET_ENV,
        ("STATE_URL", url.as_str()),
        ("REPLICA", "replica-a"),
    ];
    let _running = scratch.spawn(&["sync", "acme-dt"], &env);
    until_fetching(&slow).await;
    let outcome = revert(&scratch, &url, "replica-b", renaming).await;
    assert_eq!(outcome.code, 1, "{}", outcome.all());
    let report: Value = outcome.json();
    assert_eq!(report["status"], "skipped", "{report}");
    assert!(
        report["errors"].to_string().contains("replica-a"),
        "{report}"
    );
}
