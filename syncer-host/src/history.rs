//! Run history in the host's own SQLite database: one row per run, inserted as `running` when it
//! starts and completed with its report when it ends, so `runs NAME` and the HTTP API see the
//! same history across restarts.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;
use syncer_core::{RunStatus, SyncReport};

/// A failure of the history database.
#[derive(Debug, thiserror::Error)]
#[error("run history {path}: {message}")]
pub struct HistoryError {
    path: PathBuf,
    message: String,
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
    /// The report, once finished.
    pub report: Option<SyncReport>,
}

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

/// The run history database.
#[derive(Clone)]
pub struct History {
    path: PathBuf,
    db: Arc<Mutex<Connection>>,
}

impl History {
    /// Opens (creating if needed) the history at `path`.
    pub fn open(path: &Path) -> Result<Self, HistoryError> {
        let fail = |message: String| HistoryError {
            path: path.to_owned(),
            message,
        };
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|e| fail(e.to_string()))?;
        }
        let db = Connection::open(path).map_err(|e| fail(e.to_string()))?;
        db.pragma_update(None, "journal_mode", "WAL")
            .map_err(|e| fail(e.to_string()))?;
        db.busy_timeout(std::time::Duration::from_secs(10))
            .map_err(|e| fail(e.to_string()))?;
        db.execute_batch(SCHEMA).map_err(|e| fail(e.to_string()))?;
        Ok(Self {
            path: path.to_owned(),
            db: Arc::new(Mutex::new(db)),
        })
    }

    async fn with_db<T: Send + 'static>(
        &self,
        work: impl FnOnce(&Connection) -> rusqlite::Result<T> + Send + 'static,
    ) -> Result<T, HistoryError> {
        let db = self.db.clone();
        let path = self.path.clone();
        tokio::task::spawn_blocking(move || {
            let db = db.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            work(&db)
        })
        .await
        .map_err(|e| HistoryError {
            path: path.clone(),
            message: e.to_string(),
        })?
        .map_err(|e| HistoryError {
            path,
            message: e.to_string(),
        })
    }

    /// Records the start of a run and returns its id.
    pub async fn start(
        &self,
        syncer: &str,
        dry_run: bool,
        started_at: &str,
    ) -> Result<i64, HistoryError> {
        let (syncer, started_at) = (syncer.to_owned(), started_at.to_owned());
        self.with_db(move |db| {
            db.execute(
                "INSERT INTO runs (syncer, status, dry_run, started_at) VALUES (?1, 'running', ?2, ?3)",
                params![syncer, dry_run, started_at],
            )?;
            Ok(db.last_insert_rowid())
        })
        .await
    }

    /// Records how a run ended.
    pub async fn finish(&self, run_id: i64, report: &SyncReport) -> Result<(), HistoryError> {
        let body = serde_json::to_string(report).unwrap_or_default();
        let status = report.status.as_str();
        let finished_at = report.finished_at.clone();
        self.with_db(move |db| {
            db.execute(
                "UPDATE runs SET status = ?1, finished_at = ?2, report = ?3 WHERE run_id = ?4",
                params![status, finished_at, body, run_id],
            )?;
            Ok(())
        })
        .await
    }

    /// Records a run that did not happen (another was going), with its report.
    pub async fn record_skipped(&self, report: &SyncReport) -> Result<i64, HistoryError> {
        let run_id = self
            .start(&report.syncer, report.dry_run, &report.started_at)
            .await?;
        self.finish(run_id, report).await?;
        Ok(run_id)
    }

    /// A syncer's runs, newest first, at most `limit`.
    pub async fn runs(&self, syncer: &str, limit: usize) -> Result<Vec<RunRecord>, HistoryError> {
        let syncer = syncer.to_owned();
        self.with_db(move |db| {
            let mut statement = db.prepare(
                "SELECT run_id, syncer, status, dry_run, started_at, finished_at, report FROM runs
                 WHERE syncer = ?1 ORDER BY run_id DESC LIMIT ?2",
            )?;
            let rows = statement.query_map(params![syncer, limit as i64], row_to_record)?;
            rows.collect()
        })
        .await
    }

    /// One run by id.
    pub async fn run(&self, run_id: i64) -> Result<Option<RunRecord>, HistoryError> {
        self.with_db(move |db| {
            db.query_row(
                "SELECT run_id, syncer, status, dry_run, started_at, finished_at, report FROM runs WHERE run_id = ?1",
                params![run_id],
                row_to_record,
            )
            .optional()
        })
        .await
    }

    /// Marks runs left `running` by a process that died as failed (called at start-up).
    pub async fn close_abandoned(&self) -> Result<usize, HistoryError> {
        self.with_db(|db| {
            db.execute(
                "UPDATE runs SET status = 'failed', finished_at = started_at WHERE status = 'running'",
                [],
            )
        })
        .await
    }
}

fn row_to_record(row: &rusqlite::Row<'_>) -> rusqlite::Result<RunRecord> {
    let status: String = row.get(2)?;
    let report: Option<String> = row.get(6)?;
    Ok(RunRecord {
        run_id: row.get(0)?,
        syncer: row.get(1)?,
        status: serde_json::from_value(serde_json::Value::String(status))
            .unwrap_or(RunStatus::Failed),
        dry_run: row.get(3)?,
        started_at: row.get(4)?,
        finished_at: row.get(5)?,
        report: report.and_then(|body| serde_json::from_str(&body).ok()),
    })
}
