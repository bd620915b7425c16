//! A revert killed mid-way (`kill -9` while IAM holds its writes): its row is a revert of the
//! run it undoes while it runs, and once closed by the next run it is listed as an interrupted
//! revert of that run, in SQLite and in the shared PostgreSQL state.

use serde_json::Value;
use syncer_iam_sim::Flavor;

use crate::common::{
    eventually, fake_iam, iam_config, kill_9, org, postgres_database, IamWorld, Outcome,
};

/// A world whose config has `state` (TOML lines, `[state]` included) above the IAM config.
async fn world_with_state(state: &str) -> IamWorld {
    let world = IamWorld::start(org(30), fake_iam(Flavor::Hanzo).await, "").await;
    world.scratch.write_config(&format!(
        "{state}\n{}",
        iam_config(&world.dingtalk.url(), &world.iam, "")
    ));
    world
}

/// `syncer-host ARGS` with the world's secrets and `extra` environment.
async fn run(world: &IamWorld, extra: &[(&str, &str)], args: &[&str]) -> Outcome {
    let env: Vec<(&str, &str)> = world
        .env()
        .into_iter()
        .chain(extra.iter().copied())
        .collect();
    world.scratch.run(args, &env).await
}

/// The runs of `acme-dt` as `runs --json` lists them.
async fn runs(world: &IamWorld, extra: &[(&str, &str)]) -> Vec<Value> {
    let outcome = run(world, extra, &["runs", "acme-dt", "--json"]).await;
    assert_eq!(outcome.code, 0, "{}", outcome.all());
    outcome.json().as_array().cloned().expect("a list of runs")
}

/// Run `run_id` as `runs --json` lists it.
async fn listed(world: &IamWorld, extra: &[(&str, &str)], run_id: i64) -> Value {
    runs(world, extra)
        .await
        .into_iter()
        .find(|run| run["run_id"] == run_id)
        .unwrap_or_else(|| panic!("run {run_id} is listed"))
}

/// A first sync, then a run that renamed people (the run to revert): its id.
async fn renaming_run(world: &IamWorld, extra: &[(&str, &str)]) -> i64 {
    let outcome = run(world, extra, &["sync", "acme-dt", "--json"]).await;
    assert_eq!(outcome.code, 0, "{}", outcome.all());
    let renamed: Vec<String> = world.dingtalk.org().users[..4]
        .iter()
        .map(|user| user.userid.clone())
        .collect();
    world.dingtalk.update_org(|org| {
        for userid in &renamed {
            org.user_mut(userid).expect("user").name = format!("Renamed {userid}");
        }
    });
    let outcome = run(world, extra, &["sync", "acme-dt", "--json"]).await;
    assert_eq!(outcome.code, 0, "{}", outcome.all());
    let report = outcome.json();
    assert_eq!(report["counts"]["updated"], 4, "{report}");
    report["run_id"].as_i64().expect("run_id")
}

/// Starts `revert RUN_ID` against an IAM that takes its writes and never answers, kills it
/// (`kill -9`) once a write has arrived, and checks that its row says, while still `running`,
/// that it is a revert of `reverted`: the id of the killed run.
async fn kill_a_revert_mid_way(world: &IamWorld, extra: &[(&str, &str)], reverted: i64) -> i64 {
    world.iam.reset_stats();
    world.iam.hang_writes();
    let env: Vec<(&str, &str)> = world
        .env()
        .into_iter()
        .chain(extra.iter().copied())
        .collect();
    let mut reverting = world
        .scratch
        .spawn(&["revert", &reverted.to_string()], &env);
    eventually("the revert's first write", || async {
        (world.iam.stats().total_writes > 0).then_some(())
    })
    .await;
    kill_9(&mut reverting).await;
    let newest = runs(world, extra).await.remove(0);
    assert_eq!(
        newest["status"], "running",
        "kill -9 leaves its row: {newest}"
    );
    assert_eq!(newest["report"]["kind"], "revert", "{newest}");
    assert_eq!(newest["report"]["reverts"], reverted, "{newest}");
    newest["run_id"].as_i64().expect("run_id")
}

/// Checks that `killed`, closed by a later run, is listed (`--json` and by a person) as a
/// failed revert of `reverted`, interrupted, whose rest another revert of `reverted` sends.
async fn assert_listed_as_interrupted_revert(
    world: &IamWorld,
    extra: &[(&str, &str)],
    killed: i64,
    reverted: i64,
) {
    let row = listed(world, extra, killed).await;
    assert_eq!(row["status"], "failed", "{row}");
    let report = &row["report"];
    assert_eq!(report["kind"], "revert", "{row}");
    assert_eq!(report["reverts"], reverted, "{row}");
    let errors = report["errors"].to_string();
    assert!(errors.contains("interrupted"), "{row}");
    assert!(
        errors.contains(&format!("reverting run {reverted} again sends the rest")),
        "{row}"
    );
    let shown = run(world, extra, &["runs", "acme-dt"]).await;
    let line = shown
        .stdout
        .lines()
        .find(|line| line.starts_with(&format!("#{killed} ")))
        .unwrap_or_else(|| panic!("run {killed} is shown: {}", shown.all()));
    assert!(line.contains("failed"), "{line}");
    assert!(line.contains(&format!("(revert of #{reverted})")), "{line}");
}

#[tokio::test]
async fn a_revert_killed_mid_way_is_listed_as_an_interrupted_revert_of_its_run() {
    let world = world_with_state("").await;
    let reverted = renaming_run(&world, &[]).await;
    let killed = kill_a_revert_mid_way(&world, &[], reverted).await;

    // The next run (a dry run: IAM still holds writes) finds the lock free and closes the row.
    let outcome = run(&world, &[], &["sync", "acme-dt", "--dry-run", "--json"]).await;
    assert_ne!(outcome.json()["status"], "skipped", "{}", outcome.all());
    assert_listed_as_interrupted_revert(&world, &[], killed, reverted).await;
}

#[tokio::test]
async fn a_revert_killed_mid_way_is_listed_as_an_interrupted_revert_of_its_run_in_postgresql() {
    let Some((_cluster, url)) = postgres_database() else {
        return;
    };
    let world = world_with_state(
        "[state]\nurl = \"${STATE_URL}\"\nreplica = \"${REPLICA}\"\nlease_seconds = 3",
    )
    .await;
    let replica_a = [("STATE_URL", url.as_str()), ("REPLICA", "replica-a")];
    let replica_b = [("STATE_URL", url.as_str()), ("REPLICA", "replica-b")];
    let reverted = renaming_run(&world, &replica_a).await;
    let killed = kill_a_revert_mid_way(&world, &replica_a, reverted).await;

    // Another replica's next run closes the row once the dead one's lease has expired.
    eventually("the killed revert's row closed", || async {
        run(
            &world,
            &replica_b,
            &["sync", "acme-dt", "--dry-run", "--json"],
        )
        .await;
        (listed(&world, &replica_b, killed).await["status"] != "running").then_some(())
    })
    .await;
    assert_listed_as_interrupted_revert(&world, &replica_b, killed, reverted).await;
    let row = listed(&world, &replica_b, killed).await;
    assert_eq!(row["replica"], "replica-a", "{row}");
    assert!(
        row["report"]["errors"]
            .to_string()
            .contains("replica replica-a"),
        "the closing text names the replica that ran it: {row}"
    );
}
