//! `syncer-host serve` as Hanzo IAM drives it: the control API over real HTTP (every endpoint,
//! the token, 409 while running), scheduled runs without overlap, metrics, graceful shutdown and
//! run history that survives a restart.

use std::process::Stdio;
use std::time::Duration;

use crate::common::{
    embedded_config, eventually, fake_dingtalk, kill_9, org, sigterm, stalled, start_serve,
    until_fetching, Scratch, APP_SECRET, BIN, SECRET_ENV,
};
use serde_json::Value;
use syncer_dingtalk_sim::{FakeDingTalk, Faults};
use tokio::process::{Child, Command};

mod hostile;
mod quota;

pub(crate) const TOKEN: &str = "api-token-7Hq2";
/// What the CLI needs to read a serve config.
pub(crate) const CLI_ENV: [(&str, &str); 2] = [SECRET_ENV, ("SYNCER_API_TOKEN", TOKEN)];

/// A running `syncer-host serve` and its base URL.
pub(crate) struct Served {
    pub(crate) child: Child,
    pub(crate) url: String,
}

impl Served {
    pub(crate) async fn start(scratch: &Scratch, extra_env: &[(&str, &str)]) -> Served {
        Self::start_command(Command::new(BIN), scratch, extra_env).await
    }

    /// [`Served::start`] in a process that may open at most `open_files` files.
    async fn start_with_open_files(scratch: &Scratch, open_files: u32) -> Served {
        let mut command = Command::new("sh");
        command.args([
            "-c",
            &format!("ulimit -n {open_files} && exec \"$0\" \"$@\""),
            BIN,
        ]);
        Self::start_command(command, scratch, &[]).await
    }

    async fn start_command(
        mut command: Command,
        scratch: &Scratch,
        extra_env: &[(&str, &str)],
    ) -> Served {
        command
            .env(SECRET_ENV.0, SECRET_ENV.1)
            .env("SYNCER_API_TOKEN", TOKEN)
            .stderr(if std::env::var("SERVE_STDERR").is_ok() {
                Stdio::inherit()
            } else {
                Stdio::null()
            });
        for (key, value) in extra_env {
            command.env(key, value);
        }
        let (child, url) = start_serve(command, scratch).await;
        Served { child, url }
    }

    pub(crate) fn client() -> reqwest::Client {
        reqwest::Client::new()
    }

    pub(crate) async fn get(&self, path: &str) -> (u16, Value) {
        let response = Self::client()
            .get(format!("{}{path}", self.url))
            .bearer_auth(TOKEN)
            .send()
            .await
            .expect("GET");
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    /// `method path` with `authorization` as the header (none when `None`): status, headers,
    /// JSON body (`null` when not JSON).
    async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        authorization: Option<&str>,
    ) -> (u16, reqwest::header::HeaderMap, Value) {
        let mut request = Self::client().request(method, format!("{}{path}", self.url));
        if let Some(value) = authorization {
            request = request.header(reqwest::header::AUTHORIZATION, value);
        }
        let response = request.send().await.expect("request");
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        (
            status,
            headers,
            response.json().await.unwrap_or(Value::Null),
        )
    }

    /// The syncer `acme-dt` as `GET /api/v1/syncers` shows it.
    pub(crate) async fn acme(&self) -> Value {
        let (status, syncers) = self.get("/api/v1/syncers").await;
        assert_eq!(status, 200, "{syncers}");
        syncers[0].clone()
    }

    /// `GET /api/v1/syncers/acme-dt/runs`, newest first.
    pub(crate) async fn runs(&self) -> Vec<Value> {
        let (status, runs) = self.get("/api/v1/syncers/acme-dt/runs").await;
        assert_eq!(status, 200, "{runs}");
        runs.as_array().cloned().expect("a list of runs")
    }

    pub(crate) async fn post(&self, path: &str) -> (u16, Value) {
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
    pub(crate) async fn wait_for_run(&self, run_id: i64) -> Value {
        for _ in 0..600 {
            let (_, run) = self.get(&format!("/api/v1/runs/{run_id}")).await;
            if run["status"] != "running" {
                return run;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("run {run_id} did not finish");
    }

    pub(crate) async fn terminate(mut self) -> i32 {
        sigterm(&self.child);
        let exit = tokio::time::timeout(Duration::from_secs(60), self.child.wait())
            .await
            .expect("serve stops after SIGTERM")
            .expect("exit status");
        exit.code().unwrap_or(-1)
    }
}

fn serve_config(endpoint: &str, syncer_extra: &str) -> String {
    serve_config_with(endpoint, "", syncer_extra)
}

/// [`serve_config`] with `server_extra` lines in `[server]`.
fn serve_config_with(endpoint: &str, server_extra: &str, syncer_extra: &str) -> String {
    format!(
        "[server]\ntoken = \"${{SYNCER_API_TOKEN}}\"\n{server_extra}\n{}",
        embedded_config(endpoint, syncer_extra)
    )
}

/// `[server]` lines for tests whose runs never finish: shutdown waits 1 s, not 30.
const SHORT_GRACE: &str = "shutdown_grace = 1";

/// A fake DingTalk of 30 people that answers every call after `latency_ms`, a config syncing it,
/// and `serve` running on that config.
async fn serving_slow_dingtalk(latency_ms: u64) -> (FakeDingTalk, Scratch, Served) {
    let faults = Faults {
        latency: Duration::from_millis(latency_ms),
        ..Faults::default()
    };
    let dingtalk = fake_dingtalk(org(30), faults).await;
    let scratch = Scratch::new();
    scratch.write_config(&serve_config(&dingtalk.url(), ""));
    let served = Served::start(&scratch, &[]).await;
    (dingtalk, scratch, served)
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
    let (_dingtalk, _scratch, served) = serving_slow_dingtalk(300).await;
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
    let (dingtalk, scratch, served) = serving_slow_dingtalk(200).await;
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

    let cli = scratch.run(&["runs", "acme-dt", "--json"], &CLI_ENV).await;
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

#[tokio::test]
async fn serve_refuses_ipv6_any_and_a_config_listen_beyond_loopback_without_a_token() {
    let scratch = Scratch::new();
    scratch.write_config(&embedded_config("http://127.0.0.1:9", ""));
    let outcome = scratch
        .run(&["serve", "--listen", "[::]:0"], &[SECRET_ENV])
        .await;
    assert_eq!(outcome.code, 2, "{}", outcome.all());
    assert!(outcome.stderr.contains("token"), "{}", outcome.stderr);

    scratch.write_config(&format!(
        "[server]\nlisten = \"0.0.0.0:0\"\n{}",
        embedded_config("http://127.0.0.1:9", "")
    ));
    let outcome = scratch.run(&["serve"], &[SECRET_ENV]).await;
    assert_eq!(outcome.code, 2, "{}", outcome.all());
    assert!(
        outcome.stderr.contains("0.0.0.0:0") && outcome.stderr.contains("token"),
        "{}",
        outcome.stderr
    );
}

#[tokio::test]
async fn an_empty_token_is_a_config_error_not_an_open_api() {
    let scratch = Scratch::new();
    scratch.write_config(&serve_config("http://127.0.0.1:9", ""));
    let outcome = scratch
        .run(
            &["serve", "--listen", "127.0.0.1:0"],
            &[SECRET_ENV, ("SYNCER_API_TOKEN", "")],
        )
        .await;
    assert_eq!(outcome.code, 2, "{}", outcome.all());
    assert!(
        outcome.stderr.contains("server.token") && outcome.stderr.contains("empty"),
        "{}",
        outcome.stderr
    );
}

#[tokio::test]
async fn every_error_is_json_with_its_status_and_the_scheme_is_case_insensitive() {
    use reqwest::Method;

    let dingtalk = fake_dingtalk(org(5), Faults::default()).await;
    let scratch = Scratch::new();
    scratch.write_config(&serve_config(&dingtalk.url(), ""));
    let served = Served::start(&scratch, &[]).await;
    let bearer = format!("Bearer {TOKEN}");
    let auth = Some(bearer.as_str());

    let (status, _, body) = served
        .send(
            Method::POST,
            "/api/v1/syncers/acme-dt/sync?dry_run=yes",
            auth,
        )
        .await;
    assert_eq!(status, 400, "{body}");
    assert!(
        body["error"].as_str().expect("error").contains("dry_run"),
        "{body}"
    );
    let (status, _, body) = served
        .send(
            Method::POST,
            "/api/v1/syncers/acme-dt/sync?dryrun=true",
            auth,
        )
        .await;
    assert_eq!(
        status, 400,
        "a misspelt flag never starts a real sync: {body}"
    );
    assert!(body["error"].is_string(), "{body}");
    assert!(served.runs().await.is_empty(), "no run was started");

    let (status, headers, body) = served
        .send(Method::GET, "/api/v1/syncers/acme-dt/sync", auth)
        .await;
    assert_eq!(status, 405, "{body}");
    assert!(body["error"].is_string(), "{body}");
    let allow = headers.get("allow").expect("Allow header");
    assert!(allow.to_str().expect("ascii").contains("POST"), "{allow:?}");
    let (status, _, body) = served.send(Method::DELETE, "/healthz", None).await;
    assert_eq!(status, 405);
    assert!(body["error"].is_string(), "{body}");

    for (method, path, authorization, expected) in [
        (Method::GET, "/api/v1/nothing-here", auth, 404),
        (Method::POST, "/api/v1/syncers/nope/test", auth, 404),
        (Method::POST, "/api/v1/syncers/nope/sync", auth, 404),
        (Method::GET, "/api/v1/runs/not-a-number", auth, 400),
        (Method::POST, "/api/v1/syncers/acme-dt/test", None, 401),
        (
            Method::GET,
            "/api/v1/syncers",
            Some("Bearer api-token-7Hq"),
            401,
        ),
        (Method::GET, "/api/v1/syncers", Some(TOKEN), 401),
    ] {
        let (status, _, body) = served.send(method.clone(), path, authorization).await;
        assert_eq!(status, expected, "{method} {path}: {body}");
        assert!(body["error"].is_string(), "{method} {path}: {body}");
    }

    for scheme in ["bearer", "BEARER", "Bearer"] {
        let header = format!("{scheme} {TOKEN}");
        let (status, _, body) = served
            .send(Method::GET, "/api/v1/syncers", Some(&header))
            .await;
        assert_eq!(status, 200, "{scheme}: {body}");
    }
    assert_eq!(served.terminate().await, 0);
}

#[tokio::test]
async fn a_refused_cli_sync_does_not_hide_the_run_going_on() {
    let dingtalk = fake_dingtalk(org(30), stalled()).await;
    let scratch = Scratch::new();
    scratch.write_config(&serve_config_with(&dingtalk.url(), SHORT_GRACE, ""));
    let served = Served::start(&scratch, &[]).await;
    let (status, started) = served.post("/api/v1/syncers/acme-dt/sync").await;
    assert_eq!(status, 202, "{started}");
    let run_id = started["run_id"].as_i64().expect("run id");
    until_fetching(&dingtalk).await;

    let refused = scratch.run(&["sync", "acme-dt", "--json"], &CLI_ENV).await;
    assert_eq!(refused.code, 1, "a refused run exits 1: {}", refused.all());
    assert_eq!(refused.json()["status"], "skipped");

    let acme = served.acme().await;
    assert_eq!(acme["running"], true, "{acme}");
    assert_eq!(acme["last_run"]["run_id"], run_id, "{acme}");
    assert_eq!(acme["last_run"]["status"], "running", "{acme}");
    assert_eq!(acme["last_skipped"]["status"], "skipped", "{acme}");
    assert!(acme["last_skipped"]["run_id"].as_i64() > Some(run_id));
    assert_eq!(served.terminate().await, 0);
}

#[tokio::test]
async fn sigterm_during_a_fetch_longer_than_the_grace_exits_0_and_records_the_run_failed() {
    let dingtalk = fake_dingtalk(org(30), stalled()).await;
    let scratch = Scratch::new();
    scratch.write_config(&serve_config_with(&dingtalk.url(), SHORT_GRACE, ""));
    let served = Served::start(&scratch, &[]).await;
    let (status, started) = served.post("/api/v1/syncers/acme-dt/sync").await;
    assert_eq!(status, 202, "{started}");
    let run_id = started["run_id"].as_i64().expect("run id");
    until_fetching(&dingtalk).await;
    assert_eq!(served.terminate().await, 0, "graceful exit after the grace");

    let again = Served::start(&scratch, &[]).await;
    let (status, run) = again.get(&format!("/api/v1/runs/{run_id}")).await;
    assert_eq!(status, 200);
    assert_eq!(run["status"], "failed", "{run}");
    assert!(
        run["report"]["errors"]
            .to_string()
            .contains("stopped by shutdown"),
        "{run}"
    );
    assert_eq!(again.acme().await["running"], false);
    assert_eq!(again.terminate().await, 0);
}

#[tokio::test]
async fn sigterm_during_the_fetch_writes_nothing_and_records_why() {
    // Every call takes 300 ms and the fetch needs several rounds of calls, so it is still going
    // when SIGTERM arrives right after the first call; it finishes within the grace.
    let (dingtalk, scratch, served) = serving_slow_dingtalk(300).await;
    let (status, started) = served.post("/api/v1/syncers/acme-dt/sync").await;
    assert_eq!(status, 202, "{started}");
    let run_id = started["run_id"].as_i64().expect("run id");
    until_fetching(&dingtalk).await;
    assert_eq!(served.terminate().await, 0);

    let again = Served::start(&scratch, &[]).await;
    let (_, run) = again.get(&format!("/api/v1/runs/{run_id}")).await;
    assert_eq!(run["status"], "partial", "{run}");
    assert_eq!(run["report"]["target_writes"], 0, "{run}");
    assert!(
        run["report"]["errors"]
            .to_string()
            .contains("stopped by shutdown"),
        "{run}"
    );
    assert!(scratch.stored_users("acme").is_empty(), "nothing written");
    assert_eq!(again.terminate().await, 0);
}

#[tokio::test]
async fn restarting_serve_keeps_a_live_cli_sync_running_and_closes_it_once_killed() {
    let dingtalk = fake_dingtalk(org(30), stalled()).await;
    let scratch = Scratch::new();
    scratch.write_config(&serve_config_with(&dingtalk.url(), SHORT_GRACE, ""));
    let mut cli = scratch.spawn(&["sync", "acme-dt"], &CLI_ENV);
    until_fetching(&dingtalk).await;

    // serve starts while the CLI sync (another process) is in its fetch.
    let served = Served::start(&scratch, &[]).await;
    let acme = served.acme().await;
    assert_eq!(acme["running"], true, "{acme}");
    assert_eq!(acme["last_run"]["status"], "running", "{acme}");
    let cli_run = acme["last_run"]["run_id"].as_i64().expect("the CLI's run");
    let (status, body) = served.post("/api/v1/syncers/acme-dt/sync").await;
    assert_eq!(status, 409, "{body}");

    kill_9(&mut cli).await;
    let acme = served.acme().await;
    assert_eq!(acme["running"], false, "{acme}");
    assert_eq!(acme["last_run"]["run_id"], cli_run, "{acme}");
    assert_eq!(acme["last_run"]["status"], "failed", "{acme}");
    let (_, run) = served.get(&format!("/api/v1/runs/{cli_run}")).await;
    assert!(
        run["report"]["errors"].to_string().contains("interrupted"),
        "{run}"
    );
    assert_eq!(served.terminate().await, 0);
}

#[tokio::test]
async fn a_scheduled_run_that_finds_one_going_is_recorded_skipped() {
    // The first scheduled run cannot finish (a minute per DingTalk call), so the next tick of
    // the 1 s interval finds it going.
    let dingtalk = fake_dingtalk(org(20), stalled()).await;
    let scratch = Scratch::new();
    scratch.write_config(&serve_config_with(
        &dingtalk.url(),
        SHORT_GRACE,
        "is_enabled = true\nsync_interval = 1",
    ));
    let served = Served::start(&scratch, &[]).await;
    let skipped = eventually("a skipped scheduled run", || async {
        served
            .runs()
            .await
            .into_iter()
            .find(|run| run["status"] == "skipped")
    })
    .await;
    assert!(
        skipped["report"]["errors"]
            .to_string()
            .contains("in progress"),
        "{skipped}"
    );
    let runs = served.runs().await;
    let real: Vec<_> = runs.iter().filter(|r| r["status"] != "skipped").collect();
    assert_eq!(real.len(), 1, "one run at a time: {runs:?}");
    assert_eq!(real[0]["status"], "running");
    let acme = served.acme().await;
    assert_eq!(acme["running"], true, "{acme}");
    assert_eq!(acme["last_run"]["run_id"], real[0]["run_id"], "{acme}");
    let metrics = Served::client()
        .get(format!("{}/metrics", served.url))
        .bearer_auth(TOKEN)
        .send()
        .await
        .expect("metrics")
        .text()
        .await
        .expect("text");
    assert!(
        metrics.contains("syncer_runs_total{syncer=\"acme-dt\",status=\"skipped\"}"),
        "{metrics}"
    );
    assert_eq!(served.terminate().await, 0);
}

#[tokio::test]
async fn a_failing_scheduled_run_does_not_stop_the_scheduler() {
    let faults = Faults {
        ip_whitelist_reject: true,
        ..Faults::default()
    };
    let dingtalk = fake_dingtalk(org(10), faults).await;
    let scratch = Scratch::new();
    scratch.write_config(&serve_config(
        &dingtalk.url(),
        "is_enabled = true\nsync_interval = 1\nmax_retries = 0",
    ));
    let served = Served::start(&scratch, &[]).await;
    let failed = eventually("two failed scheduled runs", || async {
        let failed: Vec<Value> = served
            .runs()
            .await
            .into_iter()
            .filter(|run| run["status"] == "failed")
            .collect();
        (failed.len() >= 2).then_some(failed)
    })
    .await;
    let start = |run: &Value| {
        chrono::DateTime::parse_from_rfc3339(run["started_at"].as_str().expect("start"))
            .expect("RFC 3339")
    };
    // Newest first: the retry waited for the next interval, it did not loop.
    let gap = start(&failed[0]) - start(&failed[1]);
    assert!(gap >= chrono::Duration::milliseconds(900), "{gap:?}");

    dingtalk.set_faults(Faults::default());
    eventually(
        "a scheduled run to succeed once DingTalk answers",
        || async {
            served
                .runs()
                .await
                .into_iter()
                .find(|run| run["status"] == "succeeded")
        },
    )
    .await;
    assert_eq!(served.terminate().await, 0);
}
