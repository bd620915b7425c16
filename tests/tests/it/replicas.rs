//! Several replicas of `syncer-host serve` on one PostgreSQL state (`[state] url`): one run per
//! syncer across replicas (409 naming the replica), one run per schedule slot, the takeover of a
//! `kill -9`ed replica's run, one history, migrations by replicas starting at once, and the
//! database stopped and started again. Each test starts its own throwaway PostgreSQL
//! (`syncer_pg_cluster`); without PostgreSQL on the machine a test says how to run it and
//! returns, and under `tests/run` (`SYNCER_REQUIRE_POSTGRES=1`) it fails instead.

use std::process::Stdio;

use serde_json::Value;
use syncer_dingtalk_sim::{FakeDingTalk, Faults};
use syncer_pg_cluster::PASSWORD;
use tokio::process::{Child, Command};

use crate::common::{
    call_api, embedded_config, eventually, fake_dingtalk, kill_9, org, postgres_client,
    postgres_database, query_count, sigterm, stalled, start_serve, until_fetching, Outcome,
    Scratch, BIN, SECRET_ENV,
};

mod events;
mod index;
mod outage;
mod tls;

const TOKEN: &str = "replica-token-4kd9";

/// A config every replica shares: the state URL and replica name from the environment, a
/// 3-second lease (so a takeover is quick to test) and `syncer_extra` in the syncer.
fn shared_config(endpoint: &str, syncer_extra: &str) -> String {
    shared_state(&embedded_config(endpoint, syncer_extra))
}

/// `rest` (target and syncers) under the shared `[server]` and `[state]` tables.
fn shared_state(rest: &str) -> String {
    format!(
        "[server]\ntoken = \"${{SYNCER_API_TOKEN}}\"\nshutdown_grace = 1\n\n[state]\nurl = \"${{STATE_URL}}\"\nreplica = \"${{REPLICA}}\"\nlease_seconds = 3\n{rest}"
    )
}

/// A fake DingTalk of 30 people with `faults`, and a scratch directory whose shared config syncs
/// it with `syncer_extra`.
async fn configured(faults: Faults, syncer_extra: &str) -> (FakeDingTalk, Scratch) {
    let dingtalk = fake_dingtalk(org(30), faults).await;
    let scratch = Scratch::new();
    scratch.write_config(&shared_config(&dingtalk.url(), syncer_extra));
    (dingtalk, scratch)
}

/// One replica: a `serve` process and its base URL.
struct Replica {
    child: Child,
    url: String,
    name: String,
}

impl Replica {
    async fn start(scratch: &Scratch, state_url: &str, name: &str) -> Replica {
        Self::start_with(scratch, state_url, name, &[]).await
    }

    /// [`Replica::start`] with `extra` variables in its environment (a secret its config reads).
    async fn start_with(
        scratch: &Scratch,
        state_url: &str,
        name: &str,
        extra: &[(&str, &str)],
    ) -> Replica {
        let mut command = Command::new(BIN);
        command
            .envs(env(state_url, name))
            .envs(extra.iter().copied())
            .env_remove("RUST_LOG")
            .stderr(Stdio::null());
        let (child, url) = start_serve(command, scratch).await;
        Replica {
            child,
            url,
            name: name.to_owned(),
        }
    }

    async fn send(&self, method: reqwest::Method, path: &str) -> (u16, Value) {
        let (status, text) = call_api(&self.url, method, path, TOKEN).await;
        assert!(
            !text.contains(PASSWORD),
            "the state's password leaked: {text}"
        );
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    async fn get(&self, path: &str) -> (u16, Value) {
        self.send(reqwest::Method::GET, path).await
    }

    async fn sync(&self) -> (u16, Value) {
        self.send(reqwest::Method::POST, "/api/v1/syncers/acme-dt/sync")
            .await
    }

    async fn runs(&self) -> Vec<Value> {
        let (status, runs) = self.get("/api/v1/syncers/acme-dt/runs").await;
        assert_eq!(status, 200, "{runs}");
        runs.as_array().cloned().expect("a list")
    }
}

/// The environment of a replica (and of the CLI on the same config).
fn env(state_url: &str, replica: &str) -> Vec<(String, String)> {
    [
        (SECRET_ENV.0, SECRET_ENV.1),
        ("SYNCER_API_TOKEN", TOKEN),
        ("STATE_URL", state_url),
        ("REPLICA", replica),
    ]
    .iter()
    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
    .collect()
}

async fn cli(scratch: &Scratch, state_url: &str, replica: &str, args: &[&str]) -> Outcome {
    let env = env(state_url, replica);
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let outcome = scratch.run(args, &env).await;
    assert!(
        !outcome.all().contains(PASSWORD),
        "the state's password leaked: {}",
        outcome.all()
    );
    outcome
}

#[tokio::test]
async fn three_replicas_starting_at_once_migrate_a_fresh_database_once() {
    let Some((_cluster, url)) = postgres_database() else {
        return;
    };
    let scratch = Scratch::new();
    scratch.write_config(&shared_config("http://127.0.0.1:9", "is_enabled = false"));
    let starts =
        ["r1", "r2", "r3"].map(|name| cli(&scratch, &url, name, &["runs", "acme-dt", "--json"]));
    for outcome in futures_join(starts).await {
        assert_eq!(outcome.code, 0, "{}", outcome.all());
        assert_eq!(outcome.json(), Value::Array(vec![]));
    }
    // Each version once, every version up to the newest: as many rows as the newest version.
    let newest = query_count(&url, "SELECT max(version)::bigint FROM schema_migrations").await;
    assert!(
        newest >= 5,
        "up to the events' deprovision window: {newest}"
    );
    assert_eq!(
        query_count(&url, "SELECT count(*) FROM schema_migrations").await,
        newest
    );
    assert_eq!(query_count(&url, "SELECT count(*) FROM runs").await, 0);
    assert_eq!(
        query_count(&url, "SELECT count(*) FROM event_deprovisions").await,
        0
    );
}

/// Runs three futures at once.
async fn futures_join<T>(futures: [impl std::future::Future<Output = T>; 3]) -> Vec<T> {
    let [a, b, c] = futures;
    let (a, b, c) = tokio::join!(a, b, c);
    vec![a, b, c]
}

#[tokio::test]
async fn a_start_on_another_replica_while_one_runs_is_refused_naming_the_replica() {
    let Some((_cluster, url)) = postgres_database() else {
        return;
    };
    let (dingtalk, scratch) = configured(stalled(), "is_enabled = false").await;
    let a = Replica::start(&scratch, &url, "replica-a").await;
    let b = Replica::start(&scratch, &url, "replica-b").await;

    let (status, body) = a.sync().await;
    assert_eq!(status, 202, "{body}");
    until_fetching(&dingtalk).await;
    let calls = dingtalk.stats().total_calls;

    let (status, body) = b.sync().await;
    assert_eq!(status, 409, "{body}");
    assert!(
        body["error"].as_str().expect("error").contains("replica-a"),
        "{body}"
    );
    let outcome = cli(&scratch, &url, "cli", &["sync", "acme-dt", "--json"]).await;
    assert_eq!(outcome.code, 1, "{}", outcome.all());
    assert!(outcome.all().contains("replica-a"), "{}", outcome.all());
    assert_eq!(
        dingtalk.stats().total_calls,
        calls,
        "refused starts call DingTalk not once"
    );

    // One history: both replicas and the CLI show the run going on replica-a.
    let on_a = a.runs().await;
    assert_eq!(on_a, b.runs().await);
    let running: Vec<&Value> = on_a.iter().filter(|r| r["status"] == "running").collect();
    assert_eq!(running.len(), 1, "{on_a:?}");
    assert_eq!(running[0]["replica"], "replica-a");
    let listed = cli(&scratch, &url, "cli", &["runs", "acme-dt", "--json"]).await;
    assert_eq!(listed.json(), Value::Array(on_a));
    let (_, syncers) = b.get("/api/v1/syncers").await;
    assert_eq!(syncers[0]["running"], true, "{syncers}");
}

#[tokio::test]
async fn sigterm_gives_the_lease_back_so_another_replica_starts_at_once() {
    let Some((_cluster, url)) = postgres_database() else {
        return;
    };
    let (dingtalk, scratch) = configured(stalled(), "is_enabled = false").await;
    let mut a = Replica::start(&scratch, &url, "replica-a").await;
    let b = Replica::start(&scratch, &url, "replica-b").await;
    let (status, _) = a.sync().await;
    assert_eq!(status, 202);
    until_fetching(&dingtalk).await;
    sigterm(&a.child);
    a.child.wait().await.expect("a stops");
    // The lease lives 3 s; without its release the next start would be refused until then.
    let (status, body) = b.sync().await;
    assert_eq!(status, 202, "{body}");
}

#[tokio::test]
async fn three_replicas_run_each_schedule_slot_once() {
    let Some((_cluster, url)) = postgres_database() else {
        return;
    };
    // A 3-second interval keeps the test short: four slots in about 10 s. Without the shared
    // slots each replica would run every slot, and the lease would turn two of the three runs
    // of each slot into `skipped` rows.
    let (_dingtalk, scratch) =
        configured(Faults::default(), "is_enabled = true\nsync_interval = 3").await;
    let replicas = [
        Replica::start(&scratch, &url, "r1").await,
        Replica::start(&scratch, &url, "r2").await,
        Replica::start(&scratch, &url, "r3").await,
    ];
    let runs = eventually("four finished scheduled runs", || async {
        let runs = replicas[0].runs().await;
        let finished = runs.iter().filter(|r| r["status"] == "succeeded").count();
        (finished >= 4).then_some(runs)
    })
    .await;
    assert!(
        runs.iter().all(|r| r["status"] != "skipped"),
        "a slot ran more than once: {runs:#?}"
    );
    let mut starts: Vec<chrono::DateTime<chrono::Utc>> = runs
        .iter()
        .map(|r| {
            r["started_at"]
                .as_str()
                .expect("start")
                .parse()
                .expect("RFC 3339")
        })
        .collect();
    starts.sort();
    for pair in starts.windows(2) {
        // Slots are 3 s apart by the database's clock; a second run in one slot would start
        // within milliseconds of the first.
        assert!(
            pair[1] - pair[0] >= chrono::Duration::milliseconds(2500),
            "two runs in one slot: {runs:#?}"
        );
    }
    let replicas_seen: std::collections::BTreeSet<&str> =
        runs.iter().filter_map(|r| r["replica"].as_str()).collect();
    assert!(!replicas_seen.is_empty(), "{runs:#?}");
}

#[tokio::test]
async fn a_replica_killed_mid_run_has_its_run_failed_and_another_replica_takes_over() {
    let Some((_cluster, url)) = postgres_database() else {
        return;
    };
    // One slot an hour: the next run can only come from the takeover, not from the schedule.
    let (_dingtalk, scratch) =
        configured(stalled(), "is_enabled = true\nsync_interval = 3600").await;
    let mut replicas = vec![
        Replica::start(&scratch, &url, "replica-a").await,
        Replica::start(&scratch, &url, "replica-b").await,
    ];
    let first = eventually("the first slot's run", || async {
        let runs = replicas[0].runs().await;
        runs.into_iter().find(|r| r["status"] == "running")
    })
    .await;
    let holder = first["replica"].as_str().expect("replica").to_owned();
    let dead = replicas
        .iter()
        .position(|r| r.name == holder)
        .expect("holder");
    let mut killed = replicas.remove(dead);
    kill_9(&mut killed.child).await;
    let survivor = &replicas[0];

    let runs = eventually("the takeover", || async {
        let runs = survivor.runs().await;
        let taken_over = runs
            .iter()
            .any(|r| r["status"] == "running" && r["replica"] == survivor.name.as_str());
        taken_over.then_some(runs)
    })
    .await;
    let old = runs
        .iter()
        .find(|r| r["run_id"] == first["run_id"])
        .expect("the killed run is kept");
    assert_eq!(old["status"], "failed", "{old}");
    assert_eq!(old["replica"], holder.as_str());
}

#[tokio::test]
async fn the_database_stopped_degrades_healthz_and_starts_nothing_until_it_is_back() {
    let Some((mut cluster, url)) = postgres_database() else {
        return;
    };
    let (dingtalk, scratch) = configured(Faults::default(), "is_enabled = false").await;
    let replica = Replica::start(&scratch, &url, "replica-a").await;
    let (status, body) = replica.get("/healthz").await;
    assert_eq!(
        (status, body["status"].as_str()),
        (200, Some("ok")),
        "{body}"
    );

    cluster.stop().expect("stop the database");
    let (status, body) = replica.get("/healthz").await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["status"], "degraded");
    assert!(
        body["reason"]
            .as_str()
            .is_some_and(|r| r.contains("shared state")),
        "{body}"
    );
    let calls = dingtalk.stats().total_calls;
    let (status, body) = replica.sync().await;
    assert_ne!(status, 202, "{body}");
    assert!(
        body["error"]
            .as_str()
            .expect("error")
            .contains("unreachable"),
        "{body}"
    );
    assert_eq!(
        dingtalk.stats().total_calls,
        calls,
        "no run called DingTalk"
    );

    cluster.restart().expect("start the database again");
    eventually("healthz ok again", || async {
        let (status, _) = replica.get("/healthz").await;
        (status == 200).then_some(())
    })
    .await;
    let (status, body) = replica.sync().await;
    assert_eq!(status, 202, "{body}");
    let run_id = body["run_id"].as_i64().expect("run id");
    let run = eventually("the run to finish", || async {
        let (_, run) = replica.get(&format!("/api/v1/runs/{run_id}")).await;
        (run["status"] != "running").then_some(run)
    })
    .await;
    assert_eq!(run["status"], "succeeded", "{run}");
    assert_eq!(
        replica.runs().await.len(),
        1,
        "the refused start left no row"
    );
}

#[tokio::test]
async fn a_replica_started_while_the_database_is_down_waits_degraded_and_starts_when_it_is_back() {
    let Some((mut cluster, url)) = postgres_database() else {
        return;
    };
    cluster.stop().expect("stop the database");
    let (dingtalk, scratch) = configured(Faults::default(), "is_enabled = false").await;
    let replica = Replica::start(&scratch, &url, "replica-a").await;
    let (status, body) = replica.get("/healthz").await;
    assert_eq!(
        (status, body["status"].as_str()),
        (503, Some("degraded")),
        "{body}"
    );
    let reason = body["reason"].as_str().expect("a reason");
    assert!(reason.contains("cannot connect"), "{body}");
    assert!(!reason.contains(PASSWORD), "{body}");
    let (status, body) = replica.sync().await;
    assert_eq!(status, 503, "{body}");
    assert!(
        body["error"]
            .as_str()
            .is_some_and(|e| e.contains("starts nothing")),
        "{body}"
    );
    assert_eq!(dingtalk.stats().total_calls, 0, "no run called DingTalk");

    cluster.restart().expect("start the database");
    eventually("healthz ok once the database answers", || async {
        let (status, _) = replica.get("/healthz").await;
        (status == 200).then_some(())
    })
    .await;
    let (status, body) = replica.sync().await;
    assert_eq!(status, 202, "{body}");
}

#[tokio::test]
async fn sigterm_while_waiting_for_the_database_stops_at_once() {
    let Some((mut cluster, url)) = postgres_database() else {
        return;
    };
    cluster.stop().expect("stop the database");
    let scratch = Scratch::new();
    scratch.write_config(&shared_config("http://127.0.0.1:9", "is_enabled = false"));
    let mut replica = Replica::start(&scratch, &url, "replica-a").await;
    sigterm(&replica.child);
    let status = replica.child.wait().await.expect("serve stops");
    assert!(status.success(), "{status}");
}

/// A run started over the API on replica `replica-a` of the state at `url`, fetching from a
/// fake DingTalk that takes `latency_ms` per call: the fake, the scratch directory, the replica
/// and the run's id, once the run has called DingTalk.
async fn slow_run(url: &str, latency_ms: u64) -> (FakeDingTalk, Scratch, Replica, i64) {
    let faults = Faults {
        latency: std::time::Duration::from_millis(latency_ms),
        ..Default::default()
    };
    let (dingtalk, scratch) = configured(faults, "is_enabled = false").await;
    let replica = Replica::start(&scratch, url, "replica-a").await;
    let (status, body) = replica.sync().await;
    assert_eq!(status, 202, "{body}");
    let run_id = body["run_id"].as_i64().expect("run id");
    until_fetching(&dingtalk).await;
    (dingtalk, scratch, replica, run_id)
}

#[tokio::test]
async fn a_run_that_loses_its_lease_writes_nothing_more_and_is_recorded_failed() {
    let Some((_cluster, url)) = postgres_database() else {
        return;
    };
    // Every DingTalk call takes 1.5 s, so the fetch outlasts the lease renewal (every second).
    let (_dingtalk, scratch, replica, run_id) = slow_run(&url, 1500).await;

    // Another holder takes the lease over (as a replica would after a partition).
    let changed = postgres_client(&url)
        .await
        .execute(
            "UPDATE leases SET holder = 'replica-z', token = 'stolen' WHERE syncer = 'acme-dt'",
            &[],
        )
        .await
        .expect("take the lease");
    assert_eq!(changed, 1);

    let run = eventually("the run to end", || async {
        let (_, run) = replica.get(&format!("/api/v1/runs/{run_id}")).await;
        (run["status"] != "running").then_some(run)
    })
    .await;
    assert_eq!(run["status"], "failed", "{run}");
    assert!(run.to_string().contains("lost its lease"), "{run}");
    assert!(
        scratch.stored_users("acme").is_empty(),
        "a run without its lease wrote users"
    );
}
