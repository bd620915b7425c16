//! Revert over the control API (`POST /api/v1/runs/{run_id}/revert`), and a revert refused while
//! a run of the syncer goes, from the API (409) and from the CLI (a skipped run).

use std::process::Stdio;
use std::time::Duration;

use serde_json::Value;
use syncer_dingtalk_sim::Faults;
use tokio::process::{Child, Command};

use crate::common::{
    call_api, embedded_config, fake_dingtalk, org, stalled, start_serve, until_fetching, Scratch,
    BIN, SECRET_ENV,
};

const TOKEN: &str = "revert-token-9Xw1";

/// A serve config with the embedded target, the syncer not scheduled.
fn config(endpoint: &str) -> String {
    format!(
        "[server]\ntoken = \"${{SYNCER_API_TOKEN}}\"\nshutdown_grace = 1\n{}",
        embedded_config(endpoint, "is_enabled = false")
    )
}

/// The environment of serve and of the CLI on that config.
const ENV: [(&str, &str); 2] = [SECRET_ENV, ("SYNCER_API_TOKEN", TOKEN)];

/// A running `syncer-host serve` and its base URL.
struct Served {
    _child: Child,
    url: String,
}

impl Served {
    async fn start(scratch: &Scratch) -> Served {
        let mut command = Command::new(BIN);
        command
            .envs(ENV)
            .env_remove("RUST_LOG")
            .stderr(Stdio::null());
        let (child, url) = start_serve(command, scratch).await;
        Served { _child: child, url }
    }

    async fn send(&self, method: reqwest::Method, path: &str) -> (u16, Value) {
        let (status, text) = call_api(&self.url, method, path, TOKEN).await;
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    async fn post(&self, path: &str) -> (u16, Value) {
        self.send(reqwest::Method::POST, path).await
    }

    /// Starts a run with `POST path` (202) and waits until it has ended: the run object.
    async fn run(&self, path: &str) -> Value {
        let (status, body) = self.post(path).await;
        assert_eq!(status, 202, "{body}");
        let run_id = body["run_id"].as_i64().expect("the new run's id");
        for _ in 0..1200 {
            let (_, run) = self
                .send(reqwest::Method::GET, &format!("/api/v1/runs/{run_id}"))
                .await;
            if run["status"] != "running" {
                assert_eq!(run["run_id"], run_id, "{run}");
                return run;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("run {run_id} did not finish");
    }
}

/// The embedded store's users by name: their display names.
fn display_names(scratch: &Scratch) -> Vec<(String, String)> {
    scratch
        .stored_users("acme")
        .iter()
        .map(|user| {
            (
                user["name"].as_str().expect("name").to_owned(),
                user["displayName"]
                    .as_str()
                    .expect("display name")
                    .to_owned(),
            )
        })
        .collect()
}

#[tokio::test]
async fn revert_over_the_http_api_starts_a_revert_run_of_that_runs_syncer() {
    let dingtalk = fake_dingtalk(org(30), Faults::default()).await;
    let scratch = Scratch::new();
    scratch.write_config(&config(&dingtalk.url()));
    let served = Served::start(&scratch).await;
    let first = served.run("/api/v1/syncers/acme-dt/sync").await;
    assert_eq!(first["status"], "succeeded", "{first}");
    let names_before = display_names(&scratch);

    let renamed: Vec<String> = dingtalk.org().users[..2]
        .iter()
        .map(|user| user.userid.clone())
        .collect();
    dingtalk.update_org(|org| {
        for userid in &renamed {
            org.user_mut(userid).expect("user").name = format!("Renamed {userid}");
        }
    });
    let renaming = served.run("/api/v1/syncers/acme-dt/sync").await;
    assert_eq!(renaming["report"]["counts"]["updated"], 2, "{renaming}");
    let renaming_id = renaming["run_id"].as_i64().expect("id");
    let names_renamed = display_names(&scratch);
    assert_ne!(names_renamed, names_before);

    let dry = served
        .run(&format!("/api/v1/runs/{renaming_id}/revert?dry_run=true"))
        .await;
    assert_eq!(dry["dry_run"], true, "{dry}");
    assert_eq!(dry["report"]["kind"], "revert", "{dry}");
    assert_eq!(dry["report"]["reverts"], renaming_id, "{dry}");
    assert_eq!(
        dry["report"]["plan"]["update"].as_array().map(Vec::len),
        Some(2),
        "{dry}"
    );
    assert_eq!(
        display_names(&scratch),
        names_renamed,
        "a dry run writes nothing"
    );

    let undone = served
        .run(&format!("/api/v1/runs/{renaming_id}/revert"))
        .await;
    assert_eq!(undone["status"], "succeeded", "{undone}");
    assert_eq!(undone["report"]["reverts"], renaming_id);
    assert_eq!(display_names(&scratch), names_before);

    let (status, body) = served.post("/api/v1/runs/999999/revert").await;
    assert_eq!(status, 404, "{body}");
    assert!(
        body["error"]
            .as_str()
            .expect("error")
            .contains("no run 999999"),
        "{body}"
    );
    let (status, body) = served
        .post(&format!("/api/v1/runs/{renaming_id}/revert?dryrun=true"))
        .await;
    assert_eq!(status, 400, "a misspelt dry run starts nothing: {body}");
    let (status, body) = served.post("/api/v1/runs/abc/revert").await;
    assert_eq!(status, 400, "{body}");
}

#[tokio::test]
async fn a_revert_is_refused_while_a_run_of_the_syncer_goes() {
    let quick = fake_dingtalk(org(20), Faults::default()).await;
    let scratch = Scratch::new();
    scratch.write_config(&config(&quick.url()));
    let outcome = scratch.run(&["sync", "acme-dt", "--json"], &ENV).await;
    assert_eq!(outcome.code, 0, "{}", outcome.all());
    let first = outcome.json()["run_id"].as_i64().expect("run_id");
    let users_before = scratch.stored_users("acme");

    let slow = fake_dingtalk(org(20), stalled()).await;
    scratch.write_config(&config(&slow.url()));
    let served = Served::start(&scratch).await;
    let (status, body) = served.post("/api/v1/syncers/acme-dt/sync").await;
    assert_eq!(status, 202, "{body}");
    until_fetching(&slow).await;

    let (status, body) = served.post(&format!("/api/v1/runs/{first}/revert")).await;
    assert_eq!(status, 409, "{body}");
    assert!(
        body["error"].as_str().expect("error").contains("acme-dt"),
        "{body}"
    );
    let outcome = scratch
        .run(&["revert", &first.to_string(), "--json"], &ENV)
        .await;
    assert_eq!(outcome.code, 1, "{}", outcome.all());
    let report = outcome.json();
    assert_eq!(report["status"], "skipped", "{report}");
    assert_eq!(report["kind"], "revert", "{report}");
    assert_eq!(report["reverts"], first, "{report}");
    assert_eq!(
        scratch.stored_users("acme"),
        users_before,
        "nothing written"
    );
}

#[tokio::test]
async fn reverting_an_unknown_run_is_an_error_that_says_where_runs_are_listed() {
    let scratch = Scratch::new();
    scratch.write_config(&config("http://127.0.0.1:9"));
    let outcome = scratch.run(&["revert", "42"], &ENV).await;
    assert_eq!(outcome.code, 2, "{}", outcome.all());
    assert!(outcome.stderr.contains("no run 42"), "{}", outcome.all());
    assert!(outcome.stderr.contains("runs NAME"), "{}", outcome.all());
}

#[tokio::test]
async fn a_run_without_a_journal_says_so_and_its_revert_writes_nothing() {
    let dingtalk = fake_dingtalk(org(20), Faults::default()).await;
    let scratch = Scratch::new();
    scratch.write_config(&config(&dingtalk.url()));
    let outcome = scratch.run(&["sync", "acme-dt", "--json"], &ENV).await;
    assert_eq!(outcome.code, 0, "{}", outcome.all());
    let renamed = dingtalk.org().users[0].userid.clone();
    dingtalk.update_org(|org| org.user_mut(&renamed).expect("user").name = "Renamed".into());

    let unjournaled = [ENV[0], ENV[1], ("SYNCER_JOURNAL", "off")];
    let outcome = scratch
        .run(&["sync", "acme-dt", "--json"], &unjournaled)
        .await;
    assert_eq!(outcome.code, 0, "{}", outcome.all());
    let report = outcome.json();
    assert!(
        report["notices"].to_string().contains("cannot be reverted"),
        "{report}"
    );
    let names = display_names(&scratch);

    let run = report["run_id"].as_i64().expect("run_id").to_string();
    let outcome = scratch.run(&["revert", &run, "--json"], &ENV).await;
    assert_eq!(outcome.code, 0, "{}", outcome.all());
    let undone = outcome.json();
    assert_eq!(undone["target_writes"], 0, "{undone}");
    assert!(
        undone["notices"].to_string().contains("has no journal"),
        "{undone}"
    );
    assert_eq!(display_names(&scratch), names);
}
