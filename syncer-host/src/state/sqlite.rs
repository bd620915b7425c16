//! The run history of one machine in the host's own SQLite file (`[state] path`): one row per
//! run, inserted as `running` with the run as it starts (its kind) and completed with its
//! report when it ends, so `runs NAME` and the HTTP API see the same history across restarts.
//! The runs' write journals share the file ([`crate::state::journal`]).

use std::path::Path;

use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;
use syncer_core::SyncReport;

use crate::state::file::{FileError, StateFile};
use crate::state::journal::{self, SqliteJournal};
use crate::state::record::{self, HistoryError, RunQuery, RunRecord};

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS runs (
    run_id INTEGER PRIMARY KEY AUTOINCREMENT,
    syncer TEXT NOT NULL,
    status TEXT NOT NULL,
    dry_run INTEGER NOT NULL,
    started_at TEXT NOT NULL,
    finished_at TEXT NOT NULL DEFAULT '',
    report TEXT
);
CREATE INDEX IF NOT EXISTS runs_by_syncer ON runs (syncer, run_id);
";

/// The columns [`row_to_record`] reads, in its order.
const COLUMNS: &str = "run_id, syncer, status, dry_run, started_at, finished_at, report";

/// Runs kept per syncer: a syncer scheduled every minute, or one whose scheduled runs keep
/// finding a long run going (a `skipped` row each), must not grow the state file forever.
const KEPT_RUNS: usize = 1_000;

/// The run history database.
#[derive(Clone)]
pub struct SqliteHistory {
    file: StateFile,
    /// Finished runs kept per syncer, newest first; older ones are dropped as new ones start.
    keep: usize,
}

impl FileError for HistoryError {
    fn at(path: &Path, message: String) -> Self {
        Self::new(path.display(), message)
    }
}

/// Drops `syncer`'s finished runs beyond the newest `keep` (a `running` row always stays).
fn prune(db: &Connection, syncer: &str, keep: usize) -> rusqlite::Result<()> {
    db.execute(
        "DELETE FROM runs WHERE syncer = ?1 AND status != 'running' AND run_id <= (
             SELECT run_id FROM runs WHERE syncer = ?1 ORDER BY run_id DESC LIMIT 1 OFFSET ?2
         )",
        params![syncer, i64::try_from(keep).unwrap_or(i64::MAX)],
    )?;
    Ok(())
}

impl SqliteHistory {
    /// Opens (creating if needed) the history at `path`.
    pub fn open(path: &Path) -> Result<Self, HistoryError> {
        let file = StateFile::open(path, &[SCHEMA, journal::SQLITE_SCHEMA])?;
        Ok(Self {
            file,
            keep: KEPT_RUNS,
        })
    }

    /// The runs' write journals, in the same file on the same connection (pruned with their
    /// runs).
    pub fn journal(&self) -> SqliteJournal {
        SqliteJournal::new(self.file.path().to_owned(), self.file.connection())
    }

    /// The same history keeping at most `keep` finished runs per syncer.
    #[cfg(test)]
    pub(crate) fn keeping(mut self, keep: usize) -> Self {
        self.keep = keep.max(1);
        self
    }

    /// A report as the JSON stored with its run; a report that cannot be encoded is an error,
    /// never an empty report stored as if it were the run's.
    fn encode(&self, report: &impl Serialize) -> Result<String, HistoryError> {
        record::encode(report).map_err(|message| HistoryError::at(self.file.path(), message))
    }

    /// Records the start of a run, with its `opening` report, and returns its id.
    pub async fn start(&self, opening: &SyncReport) -> Result<i64, HistoryError> {
        let body = self.encode(opening)?;
        let (syncer, dry_run) = (opening.syncer.clone(), opening.dry_run);
        let started_at = opening.started_at.clone();
        let keep = self.keep;
        self.file.run(move |db| {
            db.execute(
                "INSERT INTO runs (syncer, status, dry_run, started_at, report) VALUES (?1, 'running', ?2, ?3, ?4)",
                params![syncer, dry_run, started_at, body],
            )?;
            let run_id = db.last_insert_rowid();
            prune(db, &syncer, keep)?;
            Ok(run_id)
        })
        .await
    }

    /// Records how a run ended (only while `running` when `only_if_running`); returns whether
    /// the row was written.
    pub async fn complete(
        &self,
        run_id: i64,
        report: &SyncReport,
        only_if_running: bool,
    ) -> Result<bool, HistoryError> {
        let body = self.encode(report)?;
        let status = report.status.as_str();
        let finished_at = report.finished_at.clone();
        self.file
            .run(move |db| {
                let changed = db.execute(
                    "UPDATE runs SET status = ?1, finished_at = ?2, report = ?3
                 WHERE run_id = ?4 AND (?5 = 0 OR status = 'running')",
                    params![status, finished_at, body, run_id, only_if_running],
                )?;
                Ok(changed > 0)
            })
            .await
    }

    /// Records a run that did not happen (another was going), with its report. One statement,
    /// so the row is never seen as `running`.
    pub async fn record_skipped(&self, report: &SyncReport) -> Result<i64, HistoryError> {
        let body = self.encode(report)?;
        let (syncer, dry_run) = (report.syncer.clone(), report.dry_run);
        let (started_at, finished_at) = (report.started_at.clone(), report.finished_at.clone());
        let status = report.status.as_str();
        let keep = self.keep;
        self.file
            .run(move |db| {
                db.execute(
                    "INSERT INTO runs (syncer, status, dry_run, started_at, finished_at, report)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                    params![syncer, status, dry_run, started_at, finished_at, body],
                )?;
                let run_id = db.last_insert_rowid();
                prune(db, &syncer, keep)?;
                Ok(run_id)
            })
            .await
    }

    /// The syncer's runs `query` reads.
    pub async fn select(
        &self,
        query: RunQuery,
        syncer: &str,
    ) -> Result<Vec<RunRecord>, HistoryError> {
        let filter = query.clause("?1", "?2");
        let limit = query.limit();
        let syncer = syncer.to_owned();
        self.file
            .run(move |db| {
                let mut statement = db.prepare(&format!("SELECT {COLUMNS} FROM runs {filter}"))?;
                let rows = statement.query_map(params![syncer, limit], row_to_record)?;
                rows.collect()
            })
            .await
    }

    /// One run by id.
    pub async fn run(&self, run_id: i64) -> Result<Option<RunRecord>, HistoryError> {
        self.file
            .run(move |db| {
                db.query_row(
                    &format!("SELECT {COLUMNS} FROM runs WHERE run_id = ?1"),
                    params![run_id],
                    row_to_record,
                )
                .optional()
            })
            .await
    }
}

fn row_to_record(row: &rusqlite::Row<'_>) -> rusqlite::Result<RunRecord> {
    let status: String = row.get(2)?;
    let run_id: i64 = row.get(0)?;
    let report: Option<String> = row.get(6)?;
    Ok(RunRecord {
        run_id,
        syncer: row.get(1)?,
        status: record::status(status),
        dry_run: row.get(3)?,
        started_at: row.get(4)?,
        finished_at: row.get(5)?,
        report: record::decode(run_id, report),
        replica: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::History;
    use syncer_core::RunStatus;

    fn report(syncer: &str, status: RunStatus) -> SyncReport {
        let mut report = SyncReport::starting(syncer, "acme", false);
        report.status = status;
        report
    }

    /// A value whose encoding fails, as a report with a broken `Serialize` would.
    struct Unencodable;

    impl Serialize for Unencodable {
        fn serialize<S: serde::Serializer>(&self, _: S) -> Result<S::Ok, S::Error> {
            Err(serde::ser::Error::custom("broken"))
        }
    }

    #[test]
    fn a_report_that_cannot_be_encoded_is_an_error_not_an_empty_report() {
        let dir = tempfile::tempdir().expect("tempdir");
        let history = SqliteHistory::open(&dir.path().join("state.db")).expect("open");
        let error = history.encode(&Unencodable).expect_err("cannot encode");
        assert!(
            error
                .to_string()
                .contains("cannot encode the run's report: broken"),
            "{error}"
        );
        let report = report("acme-dt", RunStatus::Succeeded);
        assert!(history
            .encode(&report)
            .expect("encodes")
            .contains("acme-dt"));
    }

    #[tokio::test]
    async fn last_run_looks_past_skipped_rows_and_skipped_rows_are_never_running() {
        let dir = tempfile::tempdir().expect("tempdir");
        let history =
            History::Sqlite(SqliteHistory::open(&dir.path().join("state.db")).expect("open"));
        let going = history
            .start(&record::opening("acme-dt", "2024-01-01T00:00:00.000Z"))
            .await
            .expect("start");
        let skipped = history
            .record_skipped(&report("acme-dt", RunStatus::Skipped))
            .await
            .expect("skipped");
        assert!(skipped > going);
        let last = history
            .last_run("acme-dt")
            .await
            .expect("last")
            .expect("a run");
        assert_eq!((last.run_id, last.status), (going, RunStatus::Running));
        let last_skipped = history
            .last_skipped("acme-dt")
            .await
            .expect("q")
            .expect("one");
        assert_eq!(last_skipped.run_id, skipped);
        let unfinished = history.unfinished("acme-dt").await.expect("unfinished");
        assert_eq!(unfinished.len(), 1, "only the real run is running");
    }

    #[tokio::test]
    async fn finish_if_running_never_overwrites_a_recorded_end() {
        let dir = tempfile::tempdir().expect("tempdir");
        let history =
            History::Sqlite(SqliteHistory::open(&dir.path().join("state.db")).expect("open"));
        let run = history
            .start(&record::opening("acme-dt", "2024-01-01T00:00:00.000Z"))
            .await
            .expect("start");
        history
            .finish(run, &report("acme-dt", RunStatus::Succeeded))
            .await
            .expect("finish");
        let written = history
            .finish_if_running(run, &report("acme-dt", RunStatus::Failed))
            .await
            .expect("write");
        assert!(!written);
        let row = history.run(run).await.expect("read").expect("row");
        assert_eq!(row.status, RunStatus::Succeeded);
    }

    #[tokio::test]
    async fn old_runs_are_dropped_but_a_running_one_and_other_syncers_stay() {
        let dir = tempfile::tempdir().expect("tempdir");
        let history = History::Sqlite(
            SqliteHistory::open(&dir.path().join("state.db"))
                .expect("open")
                .keeping(3),
        );
        let going = history
            .start(&record::opening("acme-dt", "2024-01-01T00:00:00.000Z"))
            .await
            .expect("start");
        history
            .record_skipped(&report("globex-dt", RunStatus::Skipped))
            .await
            .expect("other syncer");
        for _ in 0..5 {
            history
                .record_skipped(&report("acme-dt", RunStatus::Skipped))
                .await
                .expect("skipped");
        }
        let runs = history.runs("acme-dt", 100).await.expect("runs");
        assert_eq!(
            runs.len(),
            4,
            "three newest finished runs and the running one"
        );
        assert!(runs.iter().any(|run| run.run_id == going));
        assert_eq!(history.runs("globex-dt", 100).await.expect("runs").len(), 1);
    }
}
