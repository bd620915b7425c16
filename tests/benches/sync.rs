//! The sync benchmark (SPEC §9, issue 5): the real `syncer-host` program syncs a simulated
//! DingTalk organization into the fake Hanzo IAM, twice — the initial import, then a
//! steady-state resync that must write nothing — and this prints, per scenario: users,
//! departments, DingTalk API calls against the minimum, wall time against the bound, the
//! syncer's peak RSS and the IAM writes.
//!
//! ```sh
//! cargo bench -p syncer-tests --bench sync            # every scenario
//! cargo bench -p syncer-tests --bench sync -- b       # scenario (b); or a word of its name
//! SYNC_BENCH_SCALE=0.1 cargo bench -p syncer-tests --bench sync   # a tenth of the users
//! ```
//!
//! Environment overrides, applied to every scenario run: `SYNC_BENCH_SCALE` (multiplies users
//! and departments), `SYNC_BENCH_USERS`, `SYNC_BENCH_DEPARTMENTS`, `SYNC_BENCH_RATE` (calls/s per
//! API, client and fake alike), `SYNC_BENCH_LATENCY_MS`, `SYNC_BENCH_BUSY` and `SYNC_BENCH_5XX`
//! (shares of calls), `SYNC_BENCH_TOKEN_CALLS` (a token expires after this many calls),
//! `SYNC_BENCH_TIMEOUT_S` (per run, default 900), `SYNC_BENCH_STATE=postgres` (the host's
//! state — run history and run lease — in a throwaway PostgreSQL instead of its SQLite file, to
//! compare the two), `SYNC_BENCH_JOURNAL=both` (each scenario twice, on fresh fakes: without
//! the write journal, `SYNCER_JOURNAL=off` for the syncer, then with it, to show its cost; `off`
//! runs only without it).
//!
//! **The bound.** The client limits each DingTalk API separately (as DingTalk does) and calls
//! the APIs concurrently, so the time a fetch needs at the limit is that of its busiest API:
//! `bound = max over APIs (calls to that API ÷ rate_limit)` — in practice `user/list pages ÷
//! rate`. Dividing all calls by one rate would overstate it (about 1.9× for these orgs, whose
//! `listsub` calls run beside the `user/list` pages). Calls are those DingTalk received, retries
//! included; latency and the IAM side are not in the bound, so a fetch ratio near 1 means the
//! DingTalk limit is all the fetch waits for (the limiter paces at 95% of `rate_limit`, so
//! about 1.05 is the floor). The table shows the fetch (until DingTalk's last call) and the
//! whole `sync` process (IAM reads, diff and writes included), each against the bound.
//!
//! The fakes run in this process; the syncer in its own, whose peak RSS (`VmHWM`, sampled from
//! Linux's `/proc` until it exits) is reported, with its CPU time (user + system): the figure to
//! compare two variants by on a busy machine, where wall times mostly measure the load.

use std::collections::{BTreeMap, HashMap};
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::Value;
use syncer_dingtalk_sim::{
    benchmark_spec, paths, Credentials, FakeDingTalk, Faults, Org, OrgSpec, Stats,
};
use syncer_iam_sim::{FakeIam, FakeIamConfig};

/// The program under test, built by `cargo bench` with this package's binaries.
const DEFAULT_BIN: &str = env!("CARGO_BIN_EXE_syncer-host-under-test");
/// Members per `user/list` page.
const PAGE_SIZE: usize = 100;
const APP_KEY: &str = "dingbenchkey0001";
const APP_SECRET: &str = "bench-secret-0123456789";
const ORGANIZATION: &str = "acme";

/// One benchmark scenario.
#[derive(Clone, Debug)]
struct Scenario {
    key: &'static str,
    name: &'static str,
    users: usize,
    departments: usize,
    /// Client `rate_limit` (calls/s per API); the fake enforces it too when `enforce_rate`.
    rate: f64,
    enforce_rate: bool,
    max_in_flight: usize,
    faults: Faults,
}

fn scenarios() -> Vec<Scenario> {
    let benchmark = benchmark_spec();
    let rate_limited = Faults {
        latency: Duration::from_millis(100),
        ..Faults::default()
    };
    vec![
        Scenario {
            key: "a",
            name: "overhead: 100k users, high rate limit, no latency",
            users: benchmark.users,
            departments: benchmark.departments,
            rate: 5_000.0,
            enforce_rate: false,
            max_in_flight: 16,
            faults: Faults::default(),
        },
        Scenario {
            key: "b",
            name: "rate-limited: 10k users at 20 calls/s per API, 100 ms latency",
            users: 10_000,
            departments: 200,
            rate: 20.0,
            enforce_rate: true,
            max_in_flight: 16,
            faults: rate_limited.clone(),
        },
        Scenario {
            key: "c",
            name: "faults: as (b) with 5% busy, 3% 5xx, token expiring every 200 calls",
            users: 10_000,
            departments: 200,
            rate: 20.0,
            enforce_rate: true,
            max_in_flight: 16,
            faults: Faults {
                busy_rate: 0.05,
                http_5xx_rate: 0.03,
                token_expires_after_calls: Some(200),
                seed: 5,
                ..rate_limited
            },
        },
    ]
}

fn env_number(name: &str) -> Option<f64> {
    let text = std::env::var(name).ok()?;
    match text.trim().parse::<f64>() {
        Ok(value) if value.is_finite() && value >= 0.0 => Some(value),
        _ => {
            eprintln!("ignoring {name}={text:?}: not a non-negative number");
            None
        }
    }
}

/// Applies the `SYNC_BENCH_*` overrides.
fn with_overrides(mut scenario: Scenario) -> Scenario {
    if let Some(scale) = env_number("SYNC_BENCH_SCALE") {
        scenario.users = ((scenario.users as f64 * scale).round() as usize).max(1);
        scenario.departments = ((scenario.departments as f64 * scale).round() as usize).max(1);
    }
    if let Some(users) = env_number("SYNC_BENCH_USERS") {
        scenario.users = (users as usize).max(1);
    }
    if let Some(departments) = env_number("SYNC_BENCH_DEPARTMENTS") {
        scenario.departments = (departments as usize).max(1);
    }
    if let Some(rate) = env_number("SYNC_BENCH_RATE") {
        scenario.rate = rate.max(0.1);
    }
    if let Some(ms) = env_number("SYNC_BENCH_LATENCY_MS") {
        scenario.faults.latency = Duration::from_millis(ms as u64);
    }
    if let Some(share) = env_number("SYNC_BENCH_BUSY") {
        scenario.faults.busy_rate = share.min(1.0);
    }
    if let Some(share) = env_number("SYNC_BENCH_5XX") {
        scenario.faults.http_5xx_rate = share.min(1.0);
    }
    if let Some(calls) = env_number("SYNC_BENCH_TOKEN_CALLS") {
        scenario.faults.token_expires_after_calls = Some(calls as u64).filter(|&n| n > 0);
    }
    if scenario.enforce_rate {
        scenario.faults.qps_limit = Some(scenario.rate.floor().max(1.0) as u32);
    }
    scenario
}

/// The fewest calls a full read of the org can make, per API path.
fn minimum_calls(org: &Org) -> BTreeMap<&'static str, u64> {
    let mut members: HashMap<i64, usize> = HashMap::new();
    for user in &org.users {
        for dept in &user.dept_ids {
            *members.entry(*dept).or_default() += 1;
        }
    }
    let pages = org
        .departments
        .iter()
        .map(|dept| {
            let count = members.get(&dept.dept_id).copied().unwrap_or(0);
            count.div_ceil(PAGE_SIZE).max(1) as u64
        })
        .sum();
    BTreeMap::from([
        (paths::GETTOKEN, 1),
        (paths::USER_COUNT, 1),
        (paths::DEPARTMENT_GET, 1),
        (paths::DEPARTMENT_LISTSUB, org.departments.len() as u64),
        (paths::USER_LIST, pages),
    ])
}

/// `max over APIs (calls ÷ rate)`, in seconds.
fn bound_seconds<'a>(calls: impl IntoIterator<Item = (&'a str, u64)>, rate: f64) -> f64 {
    calls
        .into_iter()
        .map(|(_, n)| n as f64 / rate)
        .fold(0.0, f64::max)
}

/// What one run of `syncer-host sync` did.
struct RunFigures {
    label: &'static str,
    exit_code: i32,
    report: Value,
    wall: Duration,
    /// From the start until the last call DingTalk received.
    fetch: Duration,
    peak_rss_kib: u64,
    /// CPU time (user + system) the syncer process spent: unlike wall time, hardly moved by
    /// other work on the machine.
    cpu: Duration,
    dingtalk: Stats,
    iam_writes: u64,
    iam_calls: u64,
}

impl RunFigures {
    fn status(&self) -> &str {
        self.report["status"].as_str().unwrap_or("?")
    }
}

/// A finished child process: its exit code, peak resident set size and CPU time.
struct Exit {
    code: i32,
    peak_rss_kib: u64,
    cpu: Duration,
}

/// How often the child's peak RSS is sampled (and its exit looked for).
const SAMPLE_EVERY: Duration = Duration::from_millis(10);

/// `VmHWM` of a live process: the peak of its resident set since exec, in KiB.
fn peak_rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
}

/// User + system CPU time of a live (or exited, not yet reaped) process, from
/// `/proc/PID/stat` (fields 14 and 15, in clock ticks of 1/100 s on Linux).
fn cpu_time(pid: u32) -> Option<Duration> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name (field 2) may hold spaces; the fields after it start past its ')'.
    let after_name = stat.rsplit_once(')')?.1;
    let mut fields = after_name.split_whitespace().skip(11);
    let user: u64 = fields.next()?.parse().ok()?;
    let system: u64 = fields.next()?.parse().ok()?;
    Some(Duration::from_millis((user + system) * 10))
}

/// Waits for `child`, sampling its `VmHWM` until it exits (the last sample is at most
/// `SAMPLE_EVERY` before the exit, and the figure is a high-water mark, so little can be
/// missed), and kills it once `kill` is set. Not `ru_maxrss` of `wait4`: Linux carries the
/// parent's high-water mark into a spawned child at exec, and the parent here holds both fakes.
fn wait_sampling_peak(mut child: Child, kill: &AtomicBool) -> std::io::Result<Exit> {
    let pid = child.id();
    let mut peak = 0;
    let mut cpu = Duration::ZERO;
    loop {
        if let Some(kib) = peak_rss_kib(pid) {
            peak = peak.max(kib);
        }
        // Read before the reap below: an exited child's stat holds its final figures.
        if let Some(spent) = cpu_time(pid) {
            cpu = cpu.max(spent);
        }
        if let Some(status) = child.try_wait()? {
            return Ok(Exit {
                code: status
                    .code()
                    .or_else(|| status.signal().map(|signal| -signal))
                    .unwrap_or(-1),
                peak_rss_kib: peak,
                cpu,
            });
        }
        if kill.load(Ordering::SeqCst) {
            child.kill()?;
        }
        std::thread::sleep(SAMPLE_EVERY);
    }
}

fn binary() -> PathBuf {
    std::env::var_os("SYNC_BENCH_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(DEFAULT_BIN))
}

fn write_config(
    dir: &Path,
    scenario: &Scenario,
    dingtalk: &str,
    iam: &FakeIam,
    state_url: Option<&str>,
) -> PathBuf {
    let config = iam.config();
    let state = state_url
        .map(|url| format!("[state]\nurl = \"{url}\"\n\n"))
        .unwrap_or_default();
    let text = format!(
        r#"{state}[target]
kind = "iam"
endpoint = "{iam_url}"
client_id = "{client_id}"
client_secret = "${{SYNC_BENCH_IAM_SECRET}}"
api_prefix = "{prefix}"

[[syncers]]
name = "bench"
organization = "{ORGANIZATION}"
type = "DingTalk"
app_key = "{APP_KEY}"
app_secret = "${{SYNC_BENCH_DINGTALK_SECRET}}"
endpoint = "{dingtalk}"
rate_limit = {rate}
max_in_flight = {in_flight}
"#,
        iam_url = iam.url(),
        client_id = config.client_id,
        prefix = iam.api_prefix(),
        rate = scenario.rate,
        in_flight = scenario.max_in_flight,
    );
    let path = dir.join("syncer.toml");
    std::fs::write(&path, text).expect("write the bench config");
    path
}

/// Runs `syncer-host --config CONFIG sync bench --json` as a child process and measures it.
async fn run_sync(
    label: &'static str,
    dir: &Path,
    config: &Path,
    dingtalk: &FakeDingTalk,
    iam: &FakeIam,
    timeout: Duration,
    journal: bool,
) -> RunFigures {
    dingtalk.reset_stats();
    iam.reset_stats();
    let stdout_path = dir.join(format!("{label}.stdout.json"));
    let stderr_path = dir.join(format!("{label}.stderr.txt"));
    let stdout = std::fs::File::create(&stdout_path).expect("stdout file");
    let stderr = std::fs::File::create(&stderr_path).expect("stderr file");
    let started = Instant::now();
    let child = Command::new(binary())
        .arg("--config")
        .arg(config)
        .args(["sync", "bench", "--json"])
        .current_dir(dir)
        .env_remove("RUST_LOG")
        .env("SYNC_BENCH_DINGTALK_SECRET", APP_SECRET)
        .env("SYNC_BENCH_IAM_SECRET", &iam.config().client_secret)
        .env("SYNCER_JOURNAL", if journal { "on" } else { "off" })
        .stdin(Stdio::null())
        .stdout(stdout)
        .stderr(stderr)
        .spawn()
        .expect("start syncer-host");
    let kill = Arc::new(AtomicBool::new(false));
    let mut waiting = tokio::task::spawn_blocking({
        let kill = Arc::clone(&kill);
        move || wait_sampling_peak(child, &kill)
    });
    // The fetch ends when DingTalk stops receiving calls (the engine reads IAM after it).
    let mut fetch_end = Duration::ZERO;
    let mut dingtalk_calls = 0;
    let mut tick = tokio::time::interval(Duration::from_millis(25));
    let deadline = tokio::time::sleep(timeout);
    tokio::pin!(deadline);
    let exit = loop {
        tokio::select! {
            joined = &mut waiting => break joined,
            _ = tick.tick() => {
                let calls = dingtalk.stats().total_calls;
                if calls != dingtalk_calls {
                    dingtalk_calls = calls;
                    fetch_end = started.elapsed();
                }
            }
            () = &mut deadline, if !kill.load(Ordering::SeqCst) => {
                eprintln!("{label}: no result after {timeout:?}; killing the syncer");
                kill.store(true, Ordering::SeqCst);
            }
        }
    }
    .expect("the wait task ran")
    .expect("wait for the syncer");
    let wall = started.elapsed();
    let stdout = std::fs::read_to_string(&stdout_path).unwrap_or_default();
    let report = serde_json::from_str(&stdout).unwrap_or_else(|_| {
        let stderr = std::fs::read_to_string(&stderr_path).unwrap_or_default();
        eprintln!(
            "{label}: exit {} without a JSON report\nstdout:\n{stdout}\nstderr:\n{stderr}",
            exit.code
        );
        Value::Null
    });
    RunFigures {
        label,
        exit_code: exit.code,
        report,
        wall,
        fetch: fetch_end,
        peak_rss_kib: exit.peak_rss_kib,
        cpu: exit.cpu,
        dingtalk: dingtalk.stats(),
        iam_writes: iam.stats().total_writes,
        iam_calls: iam.stats().calls.values().sum(),
    }
}

/// `1234567` as `1,234,567`.
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let first_group = digits.len() % 3;
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && i % 3 == first_group {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn short_path(path: &str) -> &str {
    path.rsplit_once("/topapi/").map_or(path, |(_, rest)| rest)
}

fn print_scenario(
    scenario: &Scenario,
    users: usize,
    minimum: &BTreeMap<&'static str, u64>,
    runs: &[RunFigures],
) {
    let min_total: u64 = minimum.values().sum();
    let min_bound = bound_seconds(minimum.iter().map(|(k, v)| (*k, *v)), scenario.rate);
    let faults = &scenario.faults;
    println!();
    println!("({}) {}", scenario.key, scenario.name);
    println!(
        "  org: {} users, {} departments; minimum calls {} ({}); rate_limit {}/s per API, max_in_flight {}",
        thousands(users as u64),
        thousands(scenario.departments as u64),
        thousands(min_total),
        minimum
            .iter()
            .map(|(path, n)| format!("{} {}", short_path(path), thousands(*n)))
            .collect::<Vec<_>>()
            .join(", "),
        scenario.rate,
        scenario.max_in_flight,
    );
    println!(
        "  fake DingTalk: latency {} ms, qps_limit {}, busy {}%, 5xx {}%, token expires after {} calls; bound at the minimum {:.2} s",
        faults.latency.as_millis(),
        faults
            .qps_limit
            .map_or_else(|| "none".to_owned(), |n| format!("{n}/s per API")),
        faults.busy_rate * 100.0,
        faults.http_5xx_rate * 100.0,
        faults
            .token_expires_after_calls
            .map_or_else(|| "∞".to_owned(), |n| n.to_string()),
        min_bound,
    );
    println!(
        "  {:<7} {:<9} {:>4} {:>9} {:>9} {:>8} {:>8} {:>6} {:>8} {:>6} {:>7} {:>10} {:>10} {:>8}  faults seen",
        "run",
        "status",
        "exit",
        "API calls",
        "minimum",
        "bound s",
        "fetch s",
        "ratio",
        "wall s",
        "ratio",
        "CPU s",
        "peak RSS",
        "IAM writes",
        "IAM reqs",
    );
    for run in runs {
        let stats = &run.dingtalk;
        let bound = bound_seconds(
            stats
                .calls_by_path
                .iter()
                .map(|(path, n)| (path.as_str(), *n)),
            scenario.rate,
        );
        let fetch = run.fetch.as_secs_f64();
        let wall = run.wall.as_secs_f64();
        let ratio = |seconds: f64| {
            if bound > 0.0 {
                seconds / bound
            } else {
                f64::NAN
            }
        };
        println!(
            "  {:<7} {:<9} {:>4} {:>9} {:>9} {:>8.2} {:>8.2} {:>6.2} {:>8.2} {:>6.2} {:>7.2} {:>6.1} MiB {:>10} {:>8}  throttled {}, busy {}, 5xx {}, expired token {}; tokens {}",
            run.label,
            run.status(),
            run.exit_code,
            thousands(stats.total_calls),
            thousands(min_total),
            bound,
            fetch,
            ratio(fetch),
            wall,
            ratio(wall),
            run.cpu.as_secs_f64(),
            run.peak_rss_kib as f64 / 1024.0,
            thousands(run.iam_writes),
            thousands(run.iam_calls),
            stats.throttled,
            stats.busy,
            stats.http_5xx,
            stats.expired_token,
            stats.tokens_issued,
        );
    }
    if let Some(resync) = runs.iter().find(|run| run.label == "resync") {
        let reported = resync.report["target_writes"].as_u64().unwrap_or(u64::MAX);
        let verdict = if reported == 0 && resync.iam_writes == 0 {
            "ok"
        } else {
            "NOT ZERO"
        };
        println!(
            "  steady-state resync: {} writes reported, {} received by IAM ({verdict}); report duration {} ms",
            reported, resync.iam_writes, resync.report["duration_ms"]
        );
    }
}

async fn run_scenario(scenario: &Scenario, timeout: Duration, journal: bool) {
    let org = Org::generate(&OrgSpec {
        users: scenario.users,
        departments: scenario.departments,
        max_depth: 6,
        ..OrgSpec::default()
    });
    let users = org.users.len();
    let minimum = minimum_calls(&org);
    let dingtalk = FakeDingTalk::start(
        org,
        Credentials::new(APP_KEY, APP_SECRET),
        scenario.faults.clone(),
    )
    .await
    .expect("start the fake DingTalk");
    let iam = FakeIam::start(FakeIamConfig {
        organizations: vec![ORGANIZATION.to_owned()],
        ..FakeIamConfig::default()
    })
    .await
    .expect("start the fake IAM");
    let dir = tempfile::tempdir().expect("a scratch directory");
    // Kept alive until the scenario's runs are done.
    let postgres = (std::env::var("SYNC_BENCH_STATE").as_deref() == Ok("postgres")).then(|| {
        let cluster = syncer_pg_cluster::PgCluster::start().expect("start a throwaway PostgreSQL");
        cluster.create_database("bench").expect("createdb");
        cluster
    });
    let state_url = postgres.as_ref().map(|cluster| cluster.url("bench"));
    println!(
        "  state: {}",
        if state_url.is_some() {
            "PostgreSQL ([state] url)"
        } else {
            "SQLite ([state] path)"
        }
    );
    println!(
        "  journal: {}",
        if journal {
            "on (every write journaled, as always)"
        } else {
            "off (SYNCER_JOURNAL=off: the baseline)"
        }
    );
    let config = write_config(
        dir.path(),
        scenario,
        &dingtalk.url(),
        &iam,
        state_url.as_deref(),
    );
    let mut runs = Vec::new();
    for label in ["import", "resync"] {
        runs.push(
            run_sync(
                label,
                dir.path(),
                &config,
                &dingtalk,
                &iam,
                timeout,
                journal,
            )
            .await,
        );
    }
    print_scenario(scenario, users, &minimum, &runs);
    dingtalk.shutdown().await;
    iam.shutdown().await;
}

fn main() {
    let filter = std::env::args()
        .skip(1)
        .find(|arg| !arg.starts_with('-'))
        .map(|arg| arg.to_lowercase());
    let binary = binary();
    if !binary.exists() {
        eprintln!(
            "the syncer program is missing at {}; build it with\n  cargo build --release -p syncer-tests --bin syncer-host-under-test\nor point SYNC_BENCH_BIN at a syncer-host binary",
            binary.display()
        );
        std::process::exit(2);
    }
    let timeout = Duration::from_secs_f64(env_number("SYNC_BENCH_TIMEOUT_S").unwrap_or(900.0));
    let mut selected: Vec<Scenario> = scenarios()
        .into_iter()
        .filter(|s| {
            filter
                .as_deref()
                .is_none_or(|f| s.key == f || (f.len() > 1 && s.name.to_lowercase().contains(f)))
        })
        .map(with_overrides)
        .collect();
    if selected.is_empty() {
        eprintln!("no scenario matches {filter:?}; scenarios are a, b and c");
        std::process::exit(2);
    }
    // Smallest first: releasing the fakes of a 100k-user scenario (gigabytes in this process)
    // must not stall the fake DingTalk while a rate-limited scenario is being timed.
    selected.sort_by_key(|scenario| scenario.users);
    println!(
        "syncer sync benchmark: {}\n  bound = max over APIs of (calls DingTalk received ÷ rate_limit); fetch = start until DingTalk's last call; wall = the whole `sync` process; ratios are ÷ bound",
        binary.display()
    );
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a Tokio runtime");
    let journal_modes: &[bool] = match std::env::var("SYNC_BENCH_JOURNAL").as_deref() {
        Ok("both") => &[false, true],
        Ok("off") => &[false],
        _ => &[true],
    };
    for scenario in &selected {
        for &journal in journal_modes {
            runtime.block_on(run_scenario(scenario, timeout, journal));
        }
    }
}
