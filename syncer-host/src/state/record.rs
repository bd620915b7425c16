//! What both histories store and return: a run's record, the history's error, the stored
//! form of a report and a status, and a stored journal row. Knows nothing of either database.

use std::fmt::Display;

use serde::Serialize;
use syncer_core::{RunStatus, SyncReport};

/// A failure of the history database.
#[derive(Debug, thiserror::Error)]
#[error("run history {location}: {message}")]
pub struct HistoryError {
    /// The SQLite file, or the PostgreSQL URL with its password masked.
    location: String,
    message: String,
    /// The shared state did not answer (see [`HistoryError::is_unreachable`]).
    unreachable: bool,
}

impl HistoryError {
    /// An error of the history at `location` (never a URL with its password).
    pub fn new(location: impl Display, message: impl Display) -> Self {
        Self {
            location: location.to_string(),
            message: message.to_string(),
            unreachable: false,
        }
    }

    /// The history's database did not answer at all (it may come back).
    pub fn unreachable(location: impl Display, message: impl Display) -> Self {
        Self {
            unreachable: true,
            ..Self::new(location, message)
        }
    }

    /// Whether the database did not answer: `serve` waits for it, degraded, instead of exiting.
    pub fn is_unreachable(&self) -> bool {
        self.unreachable
    }
}

/// One recorded run.
#[derive(Clone, Debug, Serialize)]
pub struct RunRecord {
    /// The run's id.
    pub run_id: i64,
    /// The syncer.
    pub syncer: String,
    /// `running`, `succeeded`, `partial`, `failed` or `skipped`.
    pub status: RunStatus,
    /// Whether it was a dry run.
    pub dry_run: bool,
    /// Start, RFC 3339.
    pub started_at: String,
    /// End, RFC 3339 (empty while running).
    pub finished_at: String,
    /// The report: once finished, how the run ended; while `running`, the run as it started
    /// (its kind, and for a revert the run it undoes). `None` for a row of an earlier version
    /// still running, or whose report cannot be read.
    pub report: Option<SyncReport>,
    /// The replica that ran it (shared state only; a SQLite history has one machine).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replica: Option<String>,
}

/// One stored row of a run's write journal: the entry's JSON and its outcome's JSON.
pub(crate) struct StoredEntry {
    /// The entry's position in its run.
    pub seq: i64,
    /// `syncer_core::JournalEntry` as JSON, as recorded with its intent.
    pub entry: String,
    /// `syncer_core::Outcome` as JSON, as last recorded.
    pub outcome: String,
}

/// A report as the JSON stored with its run; a report that cannot be encoded is an error,
/// never an empty report stored as if it were the run's.
pub(crate) fn encode(report: &impl Serialize) -> Result<String, String> {
    serde_json::to_string(report)
        .map_err(|error| format!("cannot encode the run's report: {error}"))
}

/// The report stored with run `run_id`, read back. One that cannot be read (written by a newer
/// version, or changed by hand) shows the run without its report, and says so in the log
/// rather than passing for a run that never reported.
pub(crate) fn decode(run_id: i64, stored: Option<String>) -> Option<SyncReport> {
    let body = stored?;
    match serde_json::from_str(&body) {
        Ok(report) => Some(report),
        Err(error) => {
            tracing::warn!(run_id, %error, "the report stored with this run cannot be read; the run is shown without it");
            None
        }
    }
}

/// A stored status; an unknown one reads as failed.
pub(crate) fn status(stored: String) -> RunStatus {
    serde_json::from_value(serde_json::Value::String(stored)).unwrap_or(RunStatus::Failed)
}

/// Which of a syncer's runs a history query reads. Each store binds the syncer's name and the
/// limit to its own placeholders; the query itself is written once, here.
#[derive(Clone, Copy, Debug)]
pub enum RunQuery {
    /// Its runs, newest first, at most this many.
    Newest(usize),
    /// Its newest run that really ran (or is running): `skipped` rows left out.
    LastRun,
    /// Its newest `skipped` run.
    LastSkipped,
    /// Its rows still marked `running`, oldest first.
    Unfinished,
}

/// The most `running` rows one query reads back.
const MAX_UNFINISHED: usize = 500;

impl RunQuery {
    /// The `WHERE … ORDER BY … LIMIT …` clause, with `syncer` and `limit` written as the store's
    /// placeholders (`?1`, `?2` for SQLite; `$1`, `$2` for PostgreSQL).
    pub fn clause(self, syncer: &str, limit: &str) -> String {
        let rest = match self {
            RunQuery::Newest(_) => "ORDER BY run_id DESC",
            RunQuery::LastRun => "AND status != 'skipped' ORDER BY run_id DESC",
            RunQuery::LastSkipped => "AND status = 'skipped' ORDER BY run_id DESC",
            RunQuery::Unfinished => "AND status = 'running' ORDER BY run_id",
        };
        format!("WHERE syncer = {syncer} {rest} LIMIT {limit}")
    }

    /// How many rows it reads at most, as both stores bind it.
    pub fn limit(self) -> i64 {
        let limit = match self {
            RunQuery::Newest(limit) => limit,
            RunQuery::LastRun | RunQuery::LastSkipped => 1,
            RunQuery::Unfinished => MAX_UNFINISHED,
        };
        i64::try_from(limit).unwrap_or(i64::MAX)
    }
}

/// The opening report of a run of `syncer` started at `started_at`, as tests record one.
#[cfg(test)]
pub(crate) fn opening(syncer: &str, started_at: &str) -> SyncReport {
    let mut report = SyncReport::starting(syncer, "acme", false);
    report.started_at = started_at.to_owned();
    report
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stored_report_reads_back_and_an_unreadable_one_shows_none() {
        let report = SyncReport::starting("acme-dt", "acme", false);
        let stored = encode(&report).expect("encodes");
        let read = decode(7, Some(stored)).expect("reads back");
        assert_eq!(read.syncer, "acme-dt");
        assert!(decode(7, Some("{not json".to_owned())).is_none());
        assert!(decode(7, None).is_none());
    }
}
