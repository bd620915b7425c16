//! Shared helpers of the integration tests: a scratch directory with a config file, the
//! `syncer-host` program run as a real process, and the embedded store read back.

use std::future::Future;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use serde_json::Value;
use syncer_dingtalk_sim::{Credentials, FakeDingTalk, Faults, Org, OrgSpec, SimUser};
use syncer_iam_sim::{FakeIam, FakeIamConfig, Flavor};

/// The `syncer-host` program under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_syncer-host-under-test");

/// What a run of the program printed and returned.
#[derive(Debug)]
pub struct Outcome {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Outcome {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not JSON ({e}):\n{}\nstderr:\n{}",
                self.stdout, self.stderr
            )
        })
    }

    pub fn all(&self) -> String {
        format!("{}\n{}", self.stdout, self.stderr)
    }
}

/// A scratch directory for one test.
pub struct Scratch {
    pub dir: tempfile::TempDir,
}

impl Scratch {
    pub fn new() -> Self {
        Self {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn config(&self) -> PathBuf {
        self.path("syncer.toml")
    }

    pub fn write_config(&self, text: &str) -> PathBuf {
        std::fs::write(self.config(), text).expect("write config");
        self.config()
    }

    /// `syncer-host --config <scratch>/syncer.toml ARGS` in the scratch directory, with extra
    /// environment and without the caller's `RUST_LOG`.
    fn command(&self, args: &[&str], env: &[(&str, &str)]) -> tokio::process::Command {
        let mut command = tokio::process::Command::new(BIN);
        command
            .arg("--config")
            .arg(self.config())
            .args(args)
            .current_dir(self.dir.path())
            .env_remove("RUST_LOG");
        for (key, value) in env {
            command.env(key, value);
        }
        command
    }

    /// Runs `syncer-host --config <scratch>/syncer.toml ARGS` with extra environment.
    pub async fn run(&self, args: &[&str], env: &[(&str, &str)]) -> Outcome {
        let output = self
            .command(args, env)
            .output()
            .await
            .expect("run syncer-host");
        Outcome {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    /// Runs ARGS with standard output a pipe whose reader has gone (closed at once, as a
    /// `| head -1` that has read its line).
    pub async fn run_into_closed_pipe(&self, args: &[&str], env: &[(&str, &str)]) -> Outcome {
        let mut child = self
            .command(args, env)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start syncer-host");
        drop(child.stdout.take());
        let output = child.wait_with_output().await.expect("run syncer-host");
        Outcome {
            code: output.status.code().unwrap_or(-1),
            stdout: String::new(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    /// Starts `syncer-host --config <scratch>/syncer.toml ARGS` in the background, output
    /// discarded; it is killed if the handle is dropped.
    pub fn spawn(&self, args: &[&str], env: &[(&str, &str)]) -> tokio::process::Child {
        self.command(args, env)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("start syncer-host")
    }

    /// `runs acme-dt --json`: the history, newest first.
    pub async fn runs(&self, env: &[(&str, &str)]) -> Vec<Value> {
        let outcome = self.run(&["runs", "acme-dt", "--json"], env).await;
        assert_eq!(outcome.code, 0, "{}", outcome.all());
        outcome.json().as_array().cloned().expect("a list of runs")
    }

    /// `sync acme-dt --json` with the DingTalk secret set: the run's outcome.
    pub async fn sync_json(&self) -> Outcome {
        self.run(&["sync", "acme-dt", "--json"], &[SECRET_ENV])
            .await
    }

    /// Users of `org` in the embedded store at `syncer.db`, as JSON bodies.
    pub fn stored_users(&self, org: &str) -> Vec<Value> {
        stored_users(&self.path("syncer.db"), org)
    }
}

pub fn stored_users(db: &Path, org: &str) -> Vec<Value> {
    let db = rusqlite::Connection::open(db).expect("open store");
    let mut statement = db
        .prepare("SELECT body FROM users WHERE owner = ?1 ORDER BY name")
        .expect("query");
    statement
        .query_map([org], |row| row.get::<_, String>(0))
        .expect("rows")
        .map(|body| serde_json::from_str(&body.expect("row")).expect("json body"))
        .collect()
}

/// How long a test waits for something it polls for before failing.
pub const DEADLINE: Duration = Duration::from_secs(30);

/// Polls `probe` (every 50 ms) until it gives `Some`, failing the test after [`DEADLINE`]. The
/// wait is a bounded poll of observable state, never a guess at how long something takes.
pub async fn eventually<T, F, Fut>(what: &str, mut probe: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let start = Instant::now();
    loop {
        if let Some(value) = probe().await {
            return value;
        }
        assert!(start.elapsed() < DEADLINE, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// A fake DingTalk so slow (a minute per call) that a sync against it cannot finish while a
/// test looks at it: the run holds its lock and its `running` row for as long as needed.
pub fn stalled() -> Faults {
    Faults {
        latency: Duration::from_secs(60),
        ..Faults::default()
    }
}

/// Waits until `dingtalk` has received a call: the run that made it holds the syncer's lock
/// and has its history row (both come before the fetch).
pub async fn until_fetching(dingtalk: &FakeDingTalk) {
    eventually("the sync to call DingTalk", || async {
        (dingtalk.stats().total_calls > 0).then_some(())
    })
    .await;
}

/// Kills `child` with SIGKILL (no chance to clean up) and waits until it is gone.
pub async fn kill_9(child: &mut tokio::process::Child) {
    child.start_kill().expect("SIGKILL");
    child.wait().await.expect("reaped");
}

/// The secret every test app uses; tests assert it never appears in output.
pub const APP_SECRET: &str = "sim-secret-Zq8vX2";
pub const APP_KEY: &str = "dingsimkey0001";

pub fn credentials() -> Credentials {
    Credentials::new(APP_KEY, APP_SECRET)
}

/// A simulated organization of `users` people.
pub fn org(users: usize) -> Org {
    Org::generate(&OrgSpec {
        users,
        departments: (users / 10).clamp(5, 500),
        ..OrgSpec::default()
    })
}

pub async fn fake_dingtalk(org: Org, faults: Faults) -> FakeDingTalk {
    FakeDingTalk::start(org, credentials(), faults)
        .await
        .expect("start fake DingTalk")
}

/// A config with the embedded target and one DingTalk syncer `acme-dt` pointing at `endpoint`,
/// its secret read from `${DT_SECRET}`, plus `extra` lines in the syncer table.
pub fn embedded_config(endpoint: &str, extra: &str) -> String {
    format!(
        r#"
[target]
kind = "embedded"

[[syncers]]
name = "acme-dt"
organization = "acme"
type = "DingTalk"
app_key = "{APP_KEY}"
app_secret = "${{DT_SECRET}}"
endpoint = "{endpoint}"
rate_limit = 500
{extra}
"#
    )
}

pub const SECRET_ENV: (&str, &str) = ("DT_SECRET", APP_SECRET);

/// A fake DingTalk serving `org` with `faults`, and a scratch directory whose config
/// ([`embedded_config`], with `extra` syncer lines) syncs it as `acme-dt` into the embedded
/// store.
pub async fn embedded_dingtalk(org: Org, faults: Faults, extra: &str) -> (FakeDingTalk, Scratch) {
    let server = fake_dingtalk(org, faults).await;
    let scratch = Scratch::new();
    scratch.write_config(&embedded_config(&server.url(), extra));
    (server, scratch)
}

/// Panics unless the JSON report of a sync holds every field of the report (`syncer`,
/// `organization`, `status`, `dry_run`, `counts`, `api_calls`, `duration_ms`, `started_at`,
/// `finished_at`, `errors`) and a number for every count.
pub fn assert_report_has_every_field(report: &Value) {
    for key in [
        "syncer",
        "organization",
        "status",
        "dry_run",
        "counts",
        "api_calls",
        "duration_ms",
        "started_at",
        "finished_at",
        "errors",
    ] {
        assert!(report.get(key).is_some(), "report lacks {key}: {report}");
    }
    for key in [
        "fetched",
        "created",
        "updated",
        "unchanged",
        "disabled",
        "deleted",
        "failed",
        "skipped",
    ] {
        assert!(
            report["counts"][key].is_u64(),
            "counts lack {key}: {report}"
        );
    }
}

/// Panics unless `outcome`, a `test` run, failed (exit 1) naming each of `words` on standard
/// output, and showed `secret` nowhere.
pub fn assert_test_refused_naming(outcome: &Outcome, words: &[&str], secret: &str) {
    assert_eq!(outcome.code, 1, "{}", outcome.all());
    for word in words {
        assert!(outcome.stdout.contains(word), "{}", outcome.stdout);
    }
    assert!(!outcome.all().contains(secret));
}

/// The variable the IAM configs read the fake IAM's client secret from.
pub const IAM_SECRET_VAR: &str = "IAM_SECRET";

/// A config with the Hanzo IAM target pointing at `iam` (its flavour's `api_prefix`, client
/// secret read from `${IAM_SECRET}`) and one DingTalk syncer `acme-dt` into organization `acme`,
/// plus `extra` lines in the syncer table.
pub fn iam_config(dingtalk_url: &str, iam: &FakeIam, extra: &str) -> String {
    iam_config_for(dingtalk_url, iam, "acme", extra)
}

/// [`iam_config`] with another target organization.
pub fn iam_config_for(
    dingtalk_url: &str,
    iam: &FakeIam,
    organization: &str,
    extra: &str,
) -> String {
    let endpoint = iam.url();
    let client_id = &iam.config().client_id;
    let prefix = iam.api_prefix();
    format!(
        r#"
[target]
kind = "iam"
endpoint = "{endpoint}"
client_id = "{client_id}"
client_secret = "${{{IAM_SECRET_VAR}}}"
api_prefix = "{prefix}"

[[syncers]]
name = "acme-dt"
organization = "{organization}"
type = "DingTalk"
app_key = "{APP_KEY}"
app_secret = "${{DT_SECRET}}"
endpoint = "{dingtalk_url}"
rate_limit = 500
{extra}
"#
    )
}

/// A fake IAM of `flavor` with organization `acme` and the default application.
pub async fn fake_iam(flavor: Flavor) -> FakeIam {
    FakeIam::start(FakeIamConfig {
        flavor,
        ..FakeIamConfig::default()
    })
    .await
    .expect("start fake IAM")
}

/// A fake DingTalk, a fake IAM and a scratch directory whose config syncs one into the other.
pub struct IamWorld {
    pub dingtalk: FakeDingTalk,
    pub iam: FakeIam,
    pub scratch: Scratch,
}

impl IamWorld {
    /// Serves `org` from a well-behaved fake DingTalk into `iam`, with `extra` syncer lines.
    pub async fn start(org: Org, iam: FakeIam, extra: &str) -> IamWorld {
        let dingtalk = fake_dingtalk(org, Faults::default()).await;
        let scratch = Scratch::new();
        scratch.write_config(&iam_config(&dingtalk.url(), &iam, extra));
        IamWorld {
            dingtalk,
            iam,
            scratch,
        }
    }

    /// Rewrites the config with other `extra` syncer lines.
    pub fn reconfigure(&self, extra: &str) {
        self.scratch
            .write_config(&iam_config(&self.dingtalk.url(), &self.iam, extra));
    }

    /// Both secrets, as the config reads them.
    pub fn env(&self) -> [(&str, &str); 2] {
        [
            SECRET_ENV,
            (IAM_SECRET_VAR, &self.iam.config().client_secret),
        ]
    }

    /// Runs `syncer-host ARGS` with both secrets set.
    pub async fn run(&self, args: &[&str]) -> Outcome {
        self.scratch.run(args, &self.env()).await
    }

    /// `sync acme-dt --json ARGS...`: the outcome and its JSON report.
    pub async fn sync(&self, args: &[&str]) -> (Outcome, Value) {
        let mut all = vec!["sync", "acme-dt", "--json"];
        all.extend_from_slice(args);
        let outcome = self.run(&all).await;
        let report = outcome.json();
        (outcome, report)
    }
}

/// The IAM user name the default mapping gives a DingTalk member: unionid, else userid.
pub fn iam_name(user: &SimUser) -> &str {
    if user.unionid.is_empty() {
        &user.userid
    } else {
        &user.unionid
    }
}

/// Panics unless `stored` (users as JSON bodies) holds one user for each person of `source`,
/// found by userid, with the values the default mapping gives them: the IAM name, display name,
/// e-mail, phone, avatar, title, IsForbidden and the DingTalk identity. Each person with their
/// stored user, for further checks.
pub fn assert_everyone_mapped<'a>(
    stored: &'a [Value],
    source: &'a Org,
) -> Vec<(&'a SimUser, &'a Value)> {
    assert_eq!(stored.len(), source.users.len());
    let by_id: std::collections::HashMap<&str, &Value> = stored
        .iter()
        .map(|user| (user["id"].as_str().expect("id is a string"), user))
        .collect();
    let mut pairs = Vec::new();
    for person in &source.users {
        let user = by_id
            .get(person.userid.as_str())
            .unwrap_or_else(|| panic!("a user with id {} is stored", person.userid));
        assert_eq!(user["name"], iam_name(person), "{}", person.userid);
        assert_eq!(user["displayName"], person.name.as_str());
        assert_eq!(user["email"], person.email.as_str());
        assert_eq!(user["phone"], person.mobile.as_str());
        assert_eq!(user["avatar"], person.avatar.as_str());
        assert_eq!(user["title"], person.title.as_str());
        assert_eq!(user["isForbidden"], !person.active);
        assert_eq!(user["dingtalk"], person.userid.as_str(), "OAuth identity");
        pairs.push((person, *user));
    }
    pairs
}

/// Starts `command` (the program under test, or a shell that execs it, with its environment and
/// stderr already set) as `serve --listen 127.0.0.1:0` on `scratch`'s config: the process, killed
/// when dropped, and the base URL it prints first. The rest of its output is read and dropped.
pub async fn start_serve(
    mut command: tokio::process::Command,
    scratch: &Scratch,
) -> (tokio::process::Child, String) {
    use tokio::io::AsyncBufReadExt;

    command
        .arg("--config")
        .arg(scratch.config())
        .args(["serve", "--listen", "127.0.0.1:0"])
        .current_dir(scratch.dir.path())
        .stdout(Stdio::piped())
        .kill_on_drop(true);
    let mut child = command.spawn().expect("start serve");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = tokio::io::BufReader::new(stdout).lines();
    let first = lines
        .next_line()
        .await
        .expect("read")
        .expect("serve prints its address");
    let url = first
        .split_whitespace()
        .find(|word| word.starts_with("http://"))
        .expect("address in the first line")
        .to_owned();
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    (child, url)
}

/// `method` on `base` + `path` with the bearer `token`: the status and the body's text (empty
/// when it could not be read).
pub async fn call_api(
    base: &str,
    method: reqwest::Method,
    path: &str,
    token: &str,
) -> (u16, String) {
    let response = reqwest::Client::new()
        .request(method, format!("{base}{path}"))
        .bearer_auth(token)
        .send()
        .await
        .expect("request");
    let status = response.status().as_u16();
    (status, response.text().await.unwrap_or_default())
}

/// Sends SIGTERM to `child`, as a service manager stopping it does.
pub fn sigterm(child: &tokio::process::Child) {
    let pid = child.id().expect("pid").to_string();
    let status = std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .expect("kill");
    assert!(status.success());
}

/// A throwaway PostgreSQL cluster with an empty database `syncer`, and its URL; `None` (having
/// said how to run the test) on a machine without PostgreSQL.
pub fn postgres_database() -> Option<(syncer_pg_cluster::PgCluster, String)> {
    let cluster = syncer_pg_cluster::PgCluster::start_or_explain()?;
    cluster.create_database("syncer").expect("createdb");
    let url = cluster.url("syncer");
    Some((cluster, url))
}

/// A client of the PostgreSQL database at `url` (its connection runs on a task of its own).
pub async fn postgres_client(url: &str) -> tokio_postgres::Client {
    let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .expect("connect");
    tokio::spawn(connection);
    client
}

/// The one number `sql` selects from the PostgreSQL database at `url`.
pub async fn query_count(url: &str, sql: &str) -> i64 {
    postgres_client(url)
        .await
        .query_one(sql, &[])
        .await
        .expect("query")
        .get(0)
}

/// A department without sub-departments, not the root, that is the only department of at least
/// two members (so losing it loses people): its id and those members' userids.
pub fn leaf_with_sole_members(org: &Org) -> (i64, Vec<String>) {
    org.departments
        .iter()
        .map(|dept| dept.dept_id)
        .filter(|&id| id != syncer_dingtalk_sim::ROOT_DEPT_ID && org.children_of(id).is_empty())
        .map(|id| {
            let sole = org
                .members_of(id)
                .iter()
                .filter(|user| user.dept_ids == [id])
                .map(|user| user.userid.clone())
                .collect::<Vec<_>>();
            (id, sole)
        })
        .find(|(_, sole)| sole.len() >= 2)
        .expect("the generated org has a leaf department with members of their own")
}

/// The embedded store's `users` (as [`stored_users`] reads them): IsForbidden by id.
pub fn forbidden_by_id(users: &[Value]) -> std::collections::BTreeMap<String, bool> {
    users
        .iter()
        .map(|user| {
            (
                user["id"].as_str().expect("id").to_owned(),
                user["isForbidden"].as_bool().expect("isForbidden"),
            )
        })
        .collect()
}
