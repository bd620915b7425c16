//! Prometheus metrics of serve mode, in the text exposition format: runs by syncer and status,
//! last success time, users by state in the last run, source API calls by API, run duration.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;

use syncer_core::{RunStatus, SyncReport};

#[derive(Default)]
struct Data {
    runs: BTreeMap<(String, &'static str), u64>,
    last_success: BTreeMap<String, f64>,
    users: BTreeMap<(String, &'static str), usize>,
    api_calls: BTreeMap<(String, String), u64>,
    duration: BTreeMap<String, (f64, u64, f64)>,
}

/// The metrics of this process.
#[derive(Default)]
pub struct Metrics {
    data: Mutex<Data>,
}

impl Metrics {
    /// Counts a finished (or skipped) run.
    pub fn record(&self, report: &SyncReport) {
        let mut data = self.data.lock().unwrap_or_else(|p| p.into_inner());
        let syncer = report.syncer.clone();
        *data
            .runs
            .entry((syncer.clone(), report.status.as_str()))
            .or_default() += 1;
        if report.status == RunStatus::Skipped {
            return;
        }
        if report.status == RunStatus::Succeeded && !report.dry_run {
            let finished = chrono::DateTime::parse_from_rfc3339(&report.finished_at)
                .map(|t| t.timestamp_millis() as f64 / 1000.0)
                .unwrap_or_default();
            data.last_success.insert(syncer.clone(), finished);
        }
        if !report.dry_run {
            let c = &report.counts;
            for (state, count) in [
                ("fetched", c.fetched),
                ("created", c.created),
                ("updated", c.updated),
                ("unchanged", c.unchanged),
                ("disabled", c.disabled),
                ("deleted", c.deleted),
                ("failed", c.failed),
                ("skipped", c.skipped),
            ] {
                data.users.insert((syncer.clone(), state), count);
            }
        }
        for (api, calls) in &report.api_calls_by_api {
            *data
                .api_calls
                .entry((syncer.clone(), api.clone()))
                .or_default() += calls;
        }
        let seconds = report.duration_ms as f64 / 1000.0;
        let entry = data.duration.entry(syncer).or_default();
        entry.0 += seconds;
        entry.1 += 1;
        entry.2 = seconds;
    }

    /// The metrics in Prometheus text format.
    pub fn render(&self) -> String {
        let data = self.data.lock().unwrap_or_else(|p| p.into_inner());
        let mut out = String::new();
        header(
            &mut out,
            "syncer_runs_total",
            "counter",
            "Sync runs by syncer and final status.",
        );
        for ((syncer, status), n) in &data.runs {
            let _ = writeln!(
                out,
                "syncer_runs_total{{syncer=\"{}\",status=\"{status}\"}} {n}",
                escape(syncer)
            );
        }
        header(
            &mut out,
            "syncer_last_success_timestamp_seconds",
            "gauge",
            "End of the last fully successful run, Unix time.",
        );
        for (syncer, at) in &data.last_success {
            let _ = writeln!(
                out,
                "syncer_last_success_timestamp_seconds{{syncer=\"{}\"}} {at}",
                escape(syncer)
            );
        }
        header(
            &mut out,
            "syncer_users",
            "gauge",
            "Users by state in the syncer's last run.",
        );
        for ((syncer, state), n) in &data.users {
            let _ = writeln!(
                out,
                "syncer_users{{syncer=\"{}\",state=\"{state}\"}} {n}",
                escape(syncer)
            );
        }
        header(
            &mut out,
            "syncer_api_calls_total",
            "counter",
            "Source API calls by syncer and API.",
        );
        for ((syncer, api), n) in &data.api_calls {
            let _ = writeln!(
                out,
                "syncer_api_calls_total{{syncer=\"{}\",api=\"{}\"}} {n}",
                escape(syncer),
                escape(api)
            );
        }
        header(
            &mut out,
            "syncer_run_duration_seconds",
            "summary",
            "Duration of sync runs.",
        );
        for (syncer, (sum, count, _)) in &data.duration {
            let _ = writeln!(
                out,
                "syncer_run_duration_seconds_sum{{syncer=\"{}\"}} {sum}",
                escape(syncer)
            );
            let _ = writeln!(
                out,
                "syncer_run_duration_seconds_count{{syncer=\"{}\"}} {count}",
                escape(syncer)
            );
        }
        header(
            &mut out,
            "syncer_last_run_duration_seconds",
            "gauge",
            "Duration of the syncer's last run.",
        );
        for (syncer, (_, _, last)) in &data.duration {
            let _ = writeln!(
                out,
                "syncer_last_run_duration_seconds{{syncer=\"{}\"}} {last}",
                escape(syncer)
            );
        }
        out
    }
}

fn header(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
}

fn escape(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}
