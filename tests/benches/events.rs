//! The events benchmark (issue 12): the real `syncer-host serve` with DingTalk Stream events on
//! keeps a 10,000-person organization synced into the fake Hanzo IAM; after its first full sync
//! the benchmark changes one person at a time through the simulator's change API (which emits
//! the event DingTalk sends) and times each from the event's send to its acknowledgement — which
//! the syncer sends only once the change is written in IAM. It prints p50 / p99 / max, the
//! DingTalk calls per event, and a month of a 3,000-person company with events and a daily
//! reconcile against the free edition's 10,000-call quota. A second scenario alternates hires
//! and leavers (which find their accounts through the syncer's account index, not the whole
//! IAM listing) and prints the same figures with the IAM calls per event.
//!
//! ```sh
//! cargo bench -p syncer-tests --bench events
//! EVENTS_BENCH_EVENTS=200 EVENTS_BENCH_USERS=2000 cargo bench -p syncer-tests --bench events
//! # hires and leavers: EVENTS_BENCH_JOINERS pairs (default: half the events, within the guard)
//! ```

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use syncer_dingtalk_sim::{Credentials, FakeDingTalk, Faults, Org, OrgSpec, SimUser};
use syncer_iam_sim::{FakeIam, FakeIamConfig};

const BIN: &str = env!("CARGO_BIN_EXE_syncer-host-under-test");
const APP_KEY: &str = "dingbenchkey0001";
const APP_SECRET: &str = "bench-secret-0123456789";
const TOKEN: &str = "bench-token";
const USER_GET: &str = "/topapi/v2/user/get";
/// The free edition's monthly quota of metered calls, for the whole organization.
const QUOTA: u64 = 10_000;

fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn org(users: usize) -> Org {
    Org::generate(&OrgSpec {
        users,
        departments: (users / 50).clamp(5, 2_000),
        ..OrgSpec::default()
    })
}

fn config(dingtalk: &FakeDingTalk, iam: &FakeIam, events: &str) -> String {
    let (endpoint, prefix) = (iam.url(), iam.api_prefix());
    let client_id = &iam.config().client_id;
    let dingtalk_url = dingtalk.url();
    format!(
        r#"
[server]
token = "{TOKEN}"

[target]
kind = "iam"
endpoint = "{endpoint}"
client_id = "{client_id}"
client_secret = "${{IAM_SECRET}}"
api_prefix = "{prefix}"

[[syncers]]
name = "acme-dt"
organization = "acme"
type = "DingTalk"
app_key = "{APP_KEY}"
app_secret = "${{DT_SECRET}}"
endpoint = "{dingtalk_url}"
rate_limit = 500
is_enabled = true
sync_interval = 86400
{events}
"#
    )
}

fn command(dir: &Path, iam: &FakeIam, args: &[&str]) -> Command {
    let mut command = Command::new(BIN);
    command
        .arg("--config")
        .arg(dir.join("syncer.toml"))
        .args(args)
        .current_dir(dir)
        .env("DT_SECRET", APP_SECRET)
        .env("IAM_SECRET", &iam.config().client_secret)
        .env_remove("RUST_LOG");
    command
}

/// `serve` on a free port: the child and its base URL.
fn serve(dir: &Path, iam: &FakeIam) -> (Child, String) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let listen = format!("127.0.0.1:{port}");
    let child = command(dir, iam, &["serve", "--listen", &listen])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start serve");
    (child, format!("http://{listen}"))
}

async fn get(url: &str) -> Option<Value> {
    let response = reqwest::Client::new()
        .get(url)
        .bearer_auth(TOKEN)
        .send()
        .await
        .ok()?;
    response.json().await.ok()
}

/// Waits (bounded) until serve's first full sync has finished; its report.
async fn first_sync(url: &str) -> Value {
    let start = Instant::now();
    loop {
        if let Some(Value::Array(runs)) = get(&format!("{url}/api/v1/syncers/acme-dt/runs")).await {
            if let Some(run) = runs.iter().find(|run| run["status"] != "running") {
                return run["report"].clone();
            }
        }
        assert!(start.elapsed() < Duration::from_secs(900), "no first sync");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index.min(sorted.len() - 1)]
}

fn ms(d: Duration) -> String {
    format!("{:.0} ms", d.as_secs_f64() * 1000.0)
}

/// A fake DingTalk of `org`, a fake IAM, and a folder for the config and the state.
async fn start_fakes(org: Org) -> (FakeDingTalk, FakeIam, tempfile::TempDir) {
    let dingtalk = FakeDingTalk::start(
        org,
        Credentials::new(APP_KEY, APP_SECRET),
        Faults::default(),
    )
    .await
    .expect("fake DingTalk");
    let iam = FakeIam::start(FakeIamConfig::default())
        .await
        .expect("fake IAM");
    let dir = tempfile::tempdir().expect("tempdir");
    (dingtalk, iam, dir)
}

/// The API calls of one full sync of a `users`-person organization (the `sync` command).
async fn full_sync_calls(users: usize) -> u64 {
    let (dingtalk, iam, dir) = start_fakes(org(users)).await;
    std::fs::write(dir.path().join("syncer.toml"), config(&dingtalk, &iam, "")).expect("config");
    let output = command(dir.path(), &iam, &["sync", "acme-dt", "--json"])
        .output()
        .expect("sync");
    let report: Value = serde_json::from_slice(&output.stdout).expect("a JSON report");
    report["api_calls"].as_u64().unwrap_or(0)
}

/// p50 / p99 / max of `latencies` (sorted here).
fn spread(latencies: &mut [Duration]) -> String {
    latencies.sort();
    let max = latencies.last().copied().unwrap_or_default();
    format!(
        "p50 {}, p99 {}, max {}",
        ms(percentile(latencies, 0.5)),
        ms(percentile(latencies, 0.99)),
        ms(max)
    )
}

/// Sends `event`, waits for its acknowledgement, and returns how long it took.
async fn timed(dingtalk: &FakeDingTalk, what: &str, event: impl FnOnce()) -> Duration {
    let start = Instant::now();
    event();
    dingtalk
        .all_acknowledged(Duration::from_secs(60))
        .await
        .unwrap_or_else(|unsettled| panic!("{what} not acknowledged: {unsettled:?}"));
    start.elapsed()
}

/// Every call the fake IAM has seen.
fn iam_calls(iam: &FakeIam) -> u64 {
    iam.stats().calls.values().sum()
}

/// `pairs` hires and leavers, alternating, one at a time: each hire joins `dept`, each leaver
/// is one of `leavers` (members of the synced organization).
async fn hires_and_leavers(
    dingtalk: &FakeDingTalk,
    iam: &FakeIam,
    dept: i64,
    leavers: &[String],
    pairs: usize,
) {
    let (calls_before, listings_before) = (iam_calls(iam), iam.stats().calls_to("get-users"));
    let (mut hires, mut leaves) = (Vec::new(), Vec::new());
    for (i, leaver) in leavers.iter().take(pairs).enumerate() {
        let mut user = SimUser::new(format!("joiner{i}"), format!("新人{i}"), vec![dept]);
        user.unionid = format!("union-joiner{i}");
        user.email = format!("joiner{i}@acme.example");
        let hired = || {
            dingtalk.hire(user);
        };
        hires.push(timed(dingtalk, "hire", hired).await);
        let left = || {
            dingtalk.leave(leaver).expect("a member leaves");
        };
        leaves.push(timed(dingtalk, "leaver", left).await);
    }
    let events = (hires.len() + leaves.len()) as f64;
    println!(
        "{} hires, send → written in IAM (acknowledged): {}",
        hires.len(),
        spread(&mut hires)
    );
    println!(
        "{} leavers, send → written in IAM (acknowledged): {}",
        leaves.len(),
        spread(&mut leaves)
    );
    println!(
        "IAM calls per hire or leaver: {:.2}; pages of the IAM user listing per event: {:.2}",
        (iam_calls(iam) - calls_before) as f64 / events,
        (iam.stats().calls_to("get-users") - listings_before) as f64 / events
    );
}

#[tokio::main]
async fn main() {
    let users = env_number("EVENTS_BENCH_USERS", 10_000);
    let events = env_number("EVENTS_BENCH_EVENTS", 1_000);
    // Leavers stay within the guard's allowance (10% of the managed users per interval).
    let pairs = env_number("EVENTS_BENCH_JOINERS", (events / 2).min(users / 20));
    let org = org(users);
    let people: Vec<String> = org.users.iter().map(|u| u.userid.clone()).collect();
    let dept = org
        .users
        .iter()
        .flat_map(|u| u.dept_ids.iter().copied())
        .find(|d| *d != 1)
        .unwrap_or(1);
    let (dingtalk, iam, dir) = start_fakes(org).await;
    let stream = format!(
        "events = \"stream\"\nstream_endpoint = \"{}\"",
        dingtalk.stream_endpoint()
    );
    std::fs::write(
        dir.path().join("syncer.toml"),
        config(&dingtalk, &iam, &stream),
    )
    .expect("config");
    let (mut child, url) = serve(dir.path(), &iam);
    let report = first_sync(&url).await;
    assert!(
        dingtalk.connected(1, Duration::from_secs(60)).await,
        "serve connects to the Stream gateway"
    );
    println!(
        "events benchmark: {users} users synced (first full sync: {} API calls, {} ms)",
        report["api_calls"], report["duration_ms"]
    );

    let calls_before = dingtalk.stats().total_calls;
    let gets_before = dingtalk.stats().calls(USER_GET);
    let writes_before: u64 = iam.stats().writes_to("update-user");
    let mut latencies = Vec::with_capacity(events);
    for i in 0..events {
        let userid = &people[i % people.len()];
        let start = Instant::now();
        dingtalk
            .modify(userid, |user| user.title = format!("title {i}"))
            .expect("a member");
        dingtalk
            .all_acknowledged(Duration::from_secs(60))
            .await
            .unwrap_or_else(|unsettled| panic!("event {i} not acknowledged: {unsettled:?}"));
        latencies.push(start.elapsed());
    }
    let calls = dingtalk.stats().total_calls - calls_before;
    let gets = dingtalk.stats().calls(USER_GET) - gets_before;
    let writes = iam.stats().writes_to("update-user") - writes_before;
    let n = latencies.len() as f64;
    println!(
        "{events} events, one at a time, send → written in IAM (acknowledged): {}",
        spread(&mut latencies)
    );
    println!(
        "DingTalk calls per event: {:.2} (user/get {:.2}); IAM user writes per event: {:.2}",
        calls as f64 / n,
        gets as f64 / n,
        writes as f64 / n
    );
    // The leavers are taken from the end, away from the people changed above.
    let leavers: Vec<String> = people.iter().rev().cloned().collect();
    hires_and_leavers(&dingtalk, &iam, dept, &leavers, pairs).await;
    let _ = child.kill();
    let _ = child.wait();

    let company = 3_000;
    let reconcile = full_sync_calls(company).await;
    let reconciles = reconcile * 30;
    let left = QUOTA.saturating_sub(reconciles);
    println!(
        "a month of a {company}-person company: 30 daily reconciles of {reconcile} calls = {reconciles} calls; {left} of the {QUOTA} quota left for events at one call per changed person ({:.1} changes per person a month)",
        left as f64 / company as f64
    );
    let hourly = reconcile * 24 * 30;
    println!("  (the old hourly full sync alone: {hourly} calls a month)");
}
