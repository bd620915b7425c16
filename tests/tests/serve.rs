//! `syncer-host serve` as Hanzo IAM drives it: the control API over real HTTP (every endpoint,
//! the token, 409 while running), scheduled runs without overlap, metrics, graceful shutdown and
//! run history that survives a restart.

mod common;

use std::process::Stdio;
use std::time::Duration;

use common::{embedded_config, fake_dingtalk, org, Scratch, APP_SECRET, BIN, SECRET_ENV};
use serde_json::Value;
use syncer_dingtalk_sim::Faults;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

const TOKEN: &str = "api-token-7Hq2";

/// A running `syncer-host serve` and its base URL.
struct Served {
    child: Child,
    url: String,
}

impl Served {
    async fn start(scratch: &Scratch, extra_env: &[(&str, &str)]) -> Served {
        let mut command = Command::new(BIN);
        command
            .arg("--config")
            .arg(scratch.config())
            .args(["serve", "--listen", "127.0.0.1:0"])
            .current_dir(scratch.dir.path())
            .env(SECRET_ENV.0, SECRET_ENV.1)
            .env("SYNCER_API_TOKEN", TOKEN)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .kill_on_drop(true);
        for (key, value) in extra_env {
            command.env(key, value);
        }
        let mut child = command.spawn().expect("start serve");
        let stdout = child.stdout.take().expect("stdout");
        let mut lines = BufReader::new(stdout).lines();
        let first = lines
            .next_line()
            .await
            .expect("read")
            .expect("serve prints its address");
        let url = first
            .split_whitespace()
            .find(|word| word.starts_with("http://"))
            .expect("address in first line")
            .to_owned();
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        Served { child, url }
    }

    fn client() -> reqwest::Client {
        reqwest::Client::new()
    }

    async fn get(&self, path: &str) -> (u16, Value) {
        let response = Self::client()
            .get(format!("{}{path}", self.url))
            .bearer_auth(TOKEN)
            .send()
            .await
            .expect("GET");
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    async fn post(&self, path: &str) -> (u16, Value) {
        let response = Self::client()
            .post(format!("{}{path}", self.url))
            .bearer_auth(TOKEN)
            .send()
            .await
            .expect("POST");
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    /// Polls a run until it is no longer running (bounded).
    async fn wait_for_run(&self, run_id: i64) -> Value {
        for _ in 0..600 {
            let (_, run) = self.get(&format!("/api/v1/runs/{run_id}")).await;
            if run["status"] != "running" {
                return run;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("run {run_id} did not finish");
    }

    async fn terminate(mut self) -> i32 {
        let pid = self.child.id().expect("pid").to_string();
        let status = std::process::Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .expect("kill");
        assert!(status.success());
        let exit = tokio::time::timeout(Duration::from_secs(60), self.child.wait())
            .await
            .expect("serve stops after SIGTERM")
            .expect("exit status");
        exit.code().unwrap_or(-1)
    }
}

fn serve_config(endpoint: &str, syncer_extra: &str) -> String {
    format!(
        "[server]\ntoken = \"${{SYNCER_API_TOKEN}}\"\n{}",
        embedded_config(endpoint, syncer_extra)
    )
}

#[tokio::test]
async fn every_endpoint_answers_and_only_healthz_is_open() {
    let dingtalk = fake_dingtalk(org(30), Faults::default()).await;
    let scratch = Scratch::new();
    scratch.write_config(&serve_config(&dingtalk.url(), ""));
    let served = Served::start(&scratch, &[]).await;
    let client = Served::client();

    let health = client
        .get(format!("{}/healthz", served.url))
        .send()
        .await
        .expect("healthz");
    assert_eq!(health.status().as_u16(), 200);
    assert_eq!(health.json::<Value>().await.expect("json")["status"], "ok");

    for path in [
        "/api/v1/plugins",
        "/api/v1/syncers",
        "/api/v1/syncers/acme-dt/runs",
        "/metrics",
    ] {
        let none = client
            .get(format!("{}{path}", served.url))
            .send()
            .await
            .expect("get");
        assert_eq!(none.status().as_u16(), 401, "{path} without token");
        let wrong = client
            .get(format!("{}{path}", served.url))
            .bearer_auth("nope")
            .send()
            .await
            .expect("get");
        assert_eq!(wrong.status().as_u16(), 401, "{path} with a wrong token");
        assert!(wrong.json::<Value>().await.expect("json")["error"].is_string());
    }
    let post = client
        .post(format!("{}/api/v1/syncers/acme-dt/sync", served.url))
        .send()
        .await
        .expect("post");
    assert_eq!(post.status().as_u16(), 401);

    let (status, plugins) = served.get("/api/v1/plugins").await;
    assert_eq!(status, 200);
    let dingtalk_plugin = plugins
        .as_array()
        .expect("list")
        .iter()
        .find(|p| p["type"] == "DingTalk")
        .expect("DingTalk");
    assert!(dingtalk_plugin["config_fields"]
        .as_array()
        .expect("fields")
        .iter()
        .any(|f| f["name"] == "app_secret" && f["secret"] == true));
    assert!(!dingtalk_plugin["default_mapping"]
        .as_array()
        .expect("mapping")
        .is_empty());

    let (status, syncers) = served.get("/api/v1/syncers").await;
    assert_eq!(status, 200);
    assert_eq!(syncers[0]["name"], "acme-dt");
    assert_eq!(syncers[0]["config"]["app_secret"], "***");
    assert!(!syncers.to_string().contains(APP_SECRET));

    let (status, test) = served.post("/api/v1/syncers/acme-dt/test").await;
    assert_eq!(status, 200);
    assert_eq!(test["ok"], true, "{test}");
    assert!(test["checks"].as_array().expect("checks").len() >= 3);
    assert!(test["message"].is_string());

    let (status, started) = served.post("/api/v1/syncers/acme-dt/sync").await;
    assert_eq!(status, 202, "{started}");
    let run_id = started["run_id"].as_i64().expect("run id");
    let run = served.wait_for_run(run_id).await;
    assert_eq!(run["status"], "succeeded", "{run}");
    assert_eq!(run["report"]["counts"]["created"], 30);

    let (status, started) = served
        .post("/api/v1/syncers/acme-dt/sync?dry_run=true")
        .await;
    assert_eq!(status, 202);
    let dry = served
        .wait_for_run(started["run_id"].as_i64().expect("id"))
        .await;
    assert_eq!(dry["dry_run"], true);
    assert_eq!(dry["report"]["counts"]["unchanged"], 30);

    let (status, runs) = served.get("/api/v1/syncers/acme-dt/runs").await;
    assert_eq!(status, 200);
    let runs = runs.as_array().expect("runs");
    assert_eq!(runs.len(), 2);
    assert_eq!(runs[0]["dry_run"], true, "newest first");
    assert!(runs[1]["report"]["counts"].is_object());

    let (status, _) = served.post("/api/v1/syncers/nope/sync").await;
    assert_eq!(status, 404);
    let (status, body) = served.get("/api/v1/runs/999999").await;
    assert_eq!(status, 404);
    assert!(body["error"].is_string());
    let (status, _) = served.get("/api/v1/syncers/nope/runs").await;
    assert_eq!(status, 404);

    let metrics = client
        .get(format!("{}/metrics", served.url))
        .bearer_auth(TOKEN)
        .send()
        .await
        .expect("metrics");
    assert_eq!(metrics.status().as_u16(), 200);
    let text = metrics.text().await.expect("text");
    assert!(
        text.contains("syncer_runs_total{syncer=\"acme-dt\",status=\"succeeded\"} 2"),
        "{text}"
    );
    assert!(
        text.contains("syncer_last_success_timestamp_seconds{syncer=\"acme-dt\"}"),
        "{text}"
    );
    assert!(
        text.contains("syncer_users{syncer=\"acme-dt\",state=\"created\"} 30"),
        "{text}"
    );
    assert!(
        text.contains("syncer_api_calls_total{syncer=\"acme-dt\",api=\"/topapi/v2/user/list\"}"),
        "{text}"
    );
    assert!(
        text.contains("syncer_run_duration_seconds_count{syncer=\"acme-dt\"} 2"),
        "{text}"
    );
    assert!(!text.contains(APP_SECRET));

    assert_eq!(served.terminate().await, 0);
}

#[tokio::test]
async fn a_second_sync_while_one_runs_gets_409() {
    let faults = Faults {
        latency: Duration::from_millis(300),
        ..Faults::default()
    };
    let dingtalk = fake_dingtalk(org(30), faults).await;
    let scratch = Scratch::new();
    scratch.write_config(&serve_config(&dingtalk.url(), ""));
    let served = Served::start(&scratch, &[]).await;
    let (status, started) = served.post("/api/v1/syncers/acme-dt/sync").await;
    assert_eq!(status, 202);
    let (status, body) = served.post("/api/v1/syncers/acme-dt/sync").await;
    assert_eq!(status, 409, "{body}");
    assert!(body["error"]
        .as_str()
        .expect("error")
        .contains("in progress"));
    let (_, syncers) = served.get("/api/v1/syncers").await;
    assert_eq!(syncers[0]["running"], true);
    let run = served
        .wait_for_run(started["run_id"].as_i64().expect("id"))
        .await;
    assert_eq!(run["status"], "succeeded");
    served.terminate().await;
}

#[tokio::test]
async fn enabled_syncer_runs_on_its_interval_without_overlap() {
    // Each run takes longer than the 1 s interval, so some scheduled runs find one going.
    let faults = Faults {
        latency: Duration::from_millis(250),
        ..Faults::default()
    };
    let dingtalk = fake_dingtalk(org(20), faults).await;
    let scratch = Scratch::new();
    scratch.write_config(&serve_config(
        &dingtalk.url(),
        "is_enabled = true\nsync_interval = 1",
    ));
    let served = Served::start(&scratch, &[]).await;
    let mut runs = Vec::new();
    for _ in 0..600 {
        let (_, listed) = served.get("/api/v1/syncers/acme-dt/runs").await;
        runs = listed.as_array().cloned().unwrap_or_default();
        let finished = runs.iter().filter(|r| r["status"] == "succeeded").count();
        if finished >= 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let mut real: Vec<(String, String)> = runs
        .iter()
        .filter(|r| r["status"] == "succeeded")
        .map(|r| {
            (
                r["started_at"].as_str().expect("start").to_owned(),
                r["finished_at"].as_str().expect("end").to_owned(),
            )
        })
        .collect();
    assert!(real.len() >= 2, "scheduled runs happened: {runs:?}");
    real.sort();
    for pair in real.windows(2) {
        assert!(pair[1].0 >= pair[0].1, "runs overlap: {pair:?}");
    }
    assert_eq!(served.terminate().await, 0);
}

#[tokio::test]
async fn shutdown_lets_the_running_sync_finish_and_history_survives_a_restart() {
    let faults = Faults {
        latency: Duration::from_millis(200),
        ..Faults::default()
    };
    let dingtalk = fake_dingtalk(org(30), faults).await;
    let scratch = Scratch::new();
    scratch.write_config(&serve_config(&dingtalk.url(), ""));
    let served = Served::start(&scratch, &[]).await;
    let (status, started) = served.post("/api/v1/syncers/acme-dt/sync").await;
    assert_eq!(status, 202);
    let run_id = started["run_id"].as_i64().expect("id");
    // Wait until the run is really under way (DingTalk got calls), then ask serve to stop.
    for _ in 0..600 {
        if dingtalk.stats().total_calls > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(served.terminate().await, 0, "graceful exit");

    let again = Served::start(&scratch, &[]).await;
    let (status, run) = again.get(&format!("/api/v1/runs/{run_id}")).await;
    assert_eq!(status, 200);
    assert_ne!(
        run["status"], "running",
        "the run was recorded when serve stopped: {run}"
    );
    assert!(run["report"].is_object(), "{run}");
    let (_, runs) = again.get("/api/v1/syncers/acme-dt/runs").await;
    assert_eq!(runs.as_array().expect("runs").len(), 1);
    again.terminate().await;

    let cli = scratch
        .run(
            &["runs", "acme-dt", "--json"],
            &[SECRET_ENV, ("SYNCER_API_TOKEN", TOKEN)],
        )
        .await;
    assert_eq!(cli.json().as_array().expect("runs")[0]["run_id"], run_id);
}

#[tokio::test]
async fn serve_refuses_to_listen_beyond_loopback_without_a_token() {
    let scratch = Scratch::new();
    scratch.write_config(&embedded_config("http://127.0.0.1:9", ""));
    let outcome = scratch
        .run(&["serve", "--listen", "0.0.0.0:0"], &[SECRET_ENV])
        .await;
    assert_eq!(outcome.code, 2, "{}", outcome.all());
    assert!(outcome.stderr.contains("token"), "{}", outcome.stderr);
}
