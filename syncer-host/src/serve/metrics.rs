//! Prometheus metrics of serve mode (text exposition format 0.0.4, written by
//! `prometheus-client`): runs by syncer and status, last success time, users by state in the
//! last run, source API calls by API, run duration, API calls this month against the budget. Knows nothing of HTTP; the API serves
//! [`Metrics::render`].

use std::sync::atomic::AtomicU64;

use prometheus_client::encoding::{prometheus_text, EncodeLabelSet};
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;
use syncer_core::{RunStatus, SyncReport};

/// The `Content-Type` of [`Metrics::render`]'s text.
pub const CONTENT_TYPE: &str = prometheus_text::CONTENT_TYPE;

/// A syncer.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct SyncerLabels {
    syncer: String,
}

/// A syncer and how its run ended.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RunLabels {
    syncer: String,
    status: String,
}

/// A syncer and a state of users in its last run.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct UserLabels {
    syncer: String,
    state: String,
}

/// A syncer and one of its source's APIs.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ApiLabels {
    syncer: String,
    api: String,
}

/// A syncer, an event type and how the event ended.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct EventLabels {
    syncer: String,
    r#type: String,
    outcome: String,
}

/// Event apply times from 10 ms to about 40 s, doubling.
fn event_histogram() -> Histogram {
    Histogram::new(exponential_buckets(0.01, 2.0, 13))
}

/// A gauge of seconds (fractional).
type Seconds = Gauge<f64, AtomicU64>;

/// Run durations from half a second to over an hour, doubling.
fn duration_histogram() -> Histogram {
    Histogram::new(exponential_buckets(0.5, 2.0, 14))
}

/// The metrics of this process.
pub struct Metrics {
    registry: Registry,
    runs: Family<RunLabels, Counter>,
    last_success: Family<SyncerLabels, Seconds>,
    users: Family<UserLabels, Gauge>,
    api_calls: Family<ApiLabels, Counter>,
    duration: Family<SyncerLabels, Histogram, fn() -> Histogram>,
    last_duration: Family<SyncerLabels, Seconds>,
    events: Family<EventLabels, Counter>,
    event_apply: Family<SyncerLabels, Histogram, fn() -> Histogram>,
    calls_month: Family<SyncerLabels, Gauge>,
    call_budget: Family<SyncerLabels, Gauge>,
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::default();
        let runs = Family::default();
        // Counters get their `_total` suffix from the encoder.
        registry.register(
            "syncer_runs",
            "Sync runs by syncer and final status",
            runs.clone(),
        );
        let last_success = Family::default();
        registry.register(
            "syncer_last_success_timestamp_seconds",
            "End of the last fully successful run, Unix time",
            last_success.clone(),
        );
        let users = Family::default();
        registry.register(
            "syncer_users",
            "Users by state in the syncer's last run",
            users.clone(),
        );
        let api_calls = Family::default();
        registry.register(
            "syncer_api_calls",
            "Source API calls by syncer and API",
            api_calls.clone(),
        );
        let duration = Family::new_with_constructor(duration_histogram as fn() -> Histogram);
        registry.register(
            "syncer_run_duration_seconds",
            "Duration of sync runs",
            duration.clone(),
        );
        let last_duration = Family::default();
        registry.register(
            "syncer_last_run_duration_seconds",
            "Duration of the syncer's last run",
            last_duration.clone(),
        );
        let events = Family::default();
        registry.register(
            "syncer_events",
            "Change events by syncer, type and outcome",
            events.clone(),
        );
        let event_apply = Family::new_with_constructor(event_histogram as fn() -> Histogram);
        registry.register(
            "syncer_event_apply_seconds",
            "From an event's receipt to its change written in the target",
            event_apply.clone(),
        );
        let calls_month = Family::default();
        registry.register(
            "syncer_api_calls_month",
            "Source API calls this calendar month (China Standard Time), counted by every process on the state",
            calls_month.clone(),
        );
        let call_budget = Family::default();
        registry.register(
            "syncer_api_call_budget",
            "The syncer's monthly_call_budget of source API calls (absent: none)",
            call_budget.clone(),
        );
        Self {
            registry,
            calls_month,
            call_budget,
            runs,
            events,
            event_apply,
            last_success,
            users,
            api_calls,
            duration,
            last_duration,
        }
    }
}

impl Metrics {
    /// Counts one handled event; `received` (when it was applied) times it from its receipt.
    pub fn record_event(
        &self,
        syncer: &str,
        kind: &str,
        outcome: &str,
        received: Option<std::time::Instant>,
    ) {
        self.events
            .get_or_create(&EventLabels {
                syncer: syncer.to_owned(),
                r#type: kind.to_owned(),
                outcome: outcome.to_owned(),
            })
            .inc();
        if let Some(received) = received {
            self.event_apply
                .get_or_create(&SyncerLabels {
                    syncer: syncer.to_owned(),
                })
                .observe(received.elapsed().as_secs_f64());
        }
    }

    /// Sets `syncer`'s API calls of this month and its monthly budget.
    pub fn set_quota(&self, syncer: &str, used: u64, budget: Option<u64>) {
        let labels = SyncerLabels {
            syncer: syncer.to_owned(),
        };
        let gauge = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
        self.calls_month.get_or_create(&labels).set(gauge(used));
        if let Some(budget) = budget {
            self.call_budget.get_or_create(&labels).set(gauge(budget));
        }
    }

    /// Counts a finished (or skipped) run.
    pub fn record(&self, report: &SyncReport) {
        let syncer = SyncerLabels {
            syncer: report.syncer.clone(),
        };
        self.runs
            .get_or_create(&RunLabels {
                syncer: report.syncer.clone(),
                status: report.status.as_str().to_owned(),
            })
            .inc();
        if report.status == RunStatus::Skipped {
            return;
        }
        if report.status == RunStatus::Succeeded && !report.dry_run {
            let finished = chrono::DateTime::parse_from_rfc3339(&report.finished_at)
                .map(|t| t.timestamp_millis() as f64 / 1000.0)
                .unwrap_or_default();
            self.last_success.get_or_create(&syncer).set(finished);
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
                let labels = UserLabels {
                    syncer: report.syncer.clone(),
                    state: state.to_owned(),
                };
                let count = i64::try_from(count).unwrap_or(i64::MAX);
                self.users.get_or_create(&labels).set(count);
            }
        }
        for (api, calls) in &report.api_calls_by_api {
            let labels = ApiLabels {
                syncer: report.syncer.clone(),
                api: api.clone(),
            };
            self.api_calls.get_or_create(&labels).inc_by(*calls);
        }
        let seconds = report.duration_ms as f64 / 1000.0;
        self.duration.get_or_create(&syncer).observe(seconds);
        self.last_duration.get_or_create(&syncer).set(seconds);
    }

    /// The metrics in the Prometheus text format ([`CONTENT_TYPE`]).
    pub fn render(&self) -> Result<String, std::fmt::Error> {
        let mut out = String::new();
        prometheus_text::encode(&mut out, &self.registry)?;
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::iter::Peekable;
    use std::str::Chars;

    use super::*;

    /// One sample of the text format: name, labels (unescaped), value.
    type Sample = (String, BTreeMap<String, String>, f64);

    fn metric_name(chars: &mut Peekable<Chars<'_>>) -> String {
        let mut name = String::new();
        while let Some(&c) = chars.peek() {
            if !(c.is_ascii_alphanumeric() || c == '_' || c == ':') {
                break;
            }
            name.push(c);
            chars.next();
        }
        name
    }

    /// Parses a sample line strictly: `name{key="value",...} number`, with `\\`, `\"` and `\n`
    /// the only escapes in a value; `None` for anything else.
    fn parse_sample(line: &str) -> Option<Sample> {
        let mut chars = line.chars().peekable();
        let name = metric_name(&mut chars);
        if name.is_empty() {
            return None;
        }
        let mut labels = BTreeMap::new();
        if chars.peek() == Some(&'{') {
            chars.next();
            loop {
                let key = metric_name(&mut chars);
                if key.is_empty() || chars.next()? != '=' || chars.next()? != '"' {
                    return None;
                }
                let mut value = String::new();
                loop {
                    match chars.next()? {
                        '\\' => match chars.next()? {
                            '\\' => value.push('\\'),
                            '"' => value.push('"'),
                            'n' => value.push('\n'),
                            _ => return None,
                        },
                        '"' => break,
                        c => value.push(c),
                    }
                }
                labels.insert(key, value);
                match chars.next()? {
                    ',' => {}
                    '}' => break,
                    _ => return None,
                }
            }
        }
        if chars.next()? != ' ' {
            return None;
        }
        let value = chars.collect::<String>().parse().ok()?;
        Some((name, labels, value))
    }

    /// Every sample of `text`, checking that each line is a HELP, a TYPE or a sample of the
    /// family declared last (a histogram's `_bucket`, `_sum` and `_count` included).
    fn parse(text: &str) -> Vec<Sample> {
        let mut family = (String::new(), String::new());
        let mut samples = Vec::new();
        for line in text.lines() {
            if let Some(help) = line.strip_prefix("# HELP ") {
                assert!(help.split_once(' ').is_some(), "bad HELP: {line}");
            } else if let Some(kind) = line.strip_prefix("# TYPE ") {
                let (name, kind) = kind.split_once(' ').expect("TYPE name kind");
                assert!(
                    ["counter", "gauge", "histogram"].contains(&kind),
                    "bad TYPE: {line}"
                );
                family = (name.to_owned(), kind.to_owned());
            } else {
                let sample = parse_sample(line).unwrap_or_else(|| panic!("bad line: {line}"));
                let allowed = match family.1.as_str() {
                    "histogram" => ["_bucket", "_sum", "_count"]
                        .iter()
                        .any(|suffix| sample.0 == format!("{}{suffix}", family.0)),
                    _ => sample.0 == family.0,
                };
                assert!(allowed, "{line} is not of family {family:?}");
                samples.push(sample);
            }
        }
        samples
    }

    fn report(syncer: &str, status: RunStatus) -> SyncReport {
        let mut report = SyncReport::starting(syncer, "acme", false);
        report.status = status;
        report.finished_at = "2024-01-01T00:00:10.500Z".to_owned();
        report.duration_ms = 2_500;
        report.counts.fetched = 30;
        report.counts.created = 30;
        report
            .api_calls_by_api
            .insert("/topapi/v2/user/list".to_owned(), 7);
        report
    }

    #[test]
    fn the_text_parses_and_has_every_series_with_its_labels() {
        let metrics = Metrics::default();
        // A syncer name that needs escaping in a label value.
        let odd = "acme \"dt\"\\x\ny";
        metrics.record(&report(odd, RunStatus::Succeeded));
        metrics.record(&report(odd, RunStatus::Succeeded));
        metrics.record(&report(odd, RunStatus::Skipped));
        let text = metrics.render().expect("renders");
        let samples = parse(&text);
        let value = |name: &str, labels: &[(&str, &str)]| {
            samples
                .iter()
                .find(|(sample, found, _)| {
                    sample == name
                        && found.get("syncer").map(String::as_str) == Some(odd)
                        && found.len() == labels.len() + 1
                        && labels
                            .iter()
                            .all(|(key, value)| found.get(*key).map(String::as_str) == Some(value))
                })
                .map(|(_, _, value)| *value)
                .unwrap_or_else(|| panic!("no {name} {labels:?} in\n{text}"))
        };
        assert_eq!(value("syncer_runs_total", &[("status", "succeeded")]), 2.0);
        assert_eq!(value("syncer_runs_total", &[("status", "skipped")]), 1.0);
        assert_eq!(
            value("syncer_last_success_timestamp_seconds", &[]),
            1_704_067_210.5
        );
        assert_eq!(value("syncer_users", &[("state", "created")]), 30.0);
        assert_eq!(value("syncer_users", &[("state", "deleted")]), 0.0);
        assert_eq!(
            value("syncer_api_calls_total", &[("api", "/topapi/v2/user/list")]),
            14.0
        );
        assert_eq!(value("syncer_run_duration_seconds_sum", &[]), 5.0);
        assert_eq!(value("syncer_run_duration_seconds_count", &[]), 2.0);
        assert_eq!(
            value("syncer_run_duration_seconds_bucket", &[("le", "4")]),
            2.0
        );
        assert_eq!(value("syncer_last_run_duration_seconds", &[]), 2.5);
    }
}
