//! The journal in the host's SQLite file, on the history's own connection: a `journal` table
//! keyed by run and `seq`, and a trigger that deletes a run's journal with its history row, so
//! whatever prunes the history prunes the journal.

use std::path::PathBuf;
use std::sync::Arc;

use parking_lot::Mutex;
use rusqlite::{params, Connection};

use crate::state::record::{HistoryError, StoredEntry};

/// The journal's table and the trigger tying it to `runs`; applied when the history opens.
pub(crate) const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS journal (
    run_id INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    entry TEXT NOT NULL,
    outcome TEXT NOT NULL,
    PRIMARY KEY (run_id, seq)
) WITHOUT ROWID;
CREATE TRIGGER IF NOT EXISTS journal_goes_with_its_run AFTER DELETE ON runs
BEGIN
    DELETE FROM journal WHERE run_id = OLD.run_id;
END;
";

/// The journals in a SQLite state file.
#[derive(Clone)]
pub struct SqliteJournal {
    path: PathBuf,
    db: Arc<Mutex<Connection>>,
}

impl SqliteJournal {
    /// The journal on the history connection `db` of the file at `path`.
    pub(crate) fn new(path: PathBuf, db: Arc<Mutex<Connection>>) -> Self {
        Self { path, db }
    }

    pub(super) fn fail(&self, message: impl std::fmt::Display) -> HistoryError {
        HistoryError::new(self.path.display(), message)
    }

    async fn with_tx<T: Send + 'static>(
        &self,
        work: impl FnOnce(&rusqlite::Transaction<'_>) -> rusqlite::Result<T> + Send + 'static,
    ) -> Result<T, HistoryError> {
        let db = self.db.clone();
        tokio::task::spawn_blocking(move || {
            let mut db = db.lock();
            let tx = db.transaction()?;
            let value = work(&tx)?;
            tx.commit()?;
            Ok(value)
        })
        .await
        .map_err(|e| self.fail(e))?
        .map_err(|e: rusqlite::Error| self.fail(e))
    }

    /// Inserts `(seq, entry, outcome)` rows of run `run_id` in one transaction.
    pub(super) async fn insert(
        &self,
        run_id: i64,
        rows: Vec<(i64, String, String)>,
    ) -> Result<(), HistoryError> {
        self.with_tx(move |tx| {
            let mut insert = tx.prepare_cached(
                "INSERT INTO journal (run_id, seq, entry, outcome) VALUES (?1, ?2, ?3, ?4)",
            )?;
            for (seq, entry, outcome) in &rows {
                insert.execute(params![run_id, seq, entry, outcome])?;
            }
            Ok(())
        })
        .await
    }

    /// Sets the outcomes `(seq, outcome)` of run `run_id` in one transaction.
    pub(super) async fn update(
        &self,
        run_id: i64,
        rows: Vec<(i64, String)>,
    ) -> Result<(), HistoryError> {
        self.with_tx(move |tx| {
            let mut update = tx
                .prepare_cached("UPDATE journal SET outcome = ?3 WHERE run_id = ?1 AND seq = ?2")?;
            for (seq, outcome) in &rows {
                update.execute(params![run_id, seq, outcome])?;
            }
            Ok(())
        })
        .await
    }

    /// The rows of run `run_id`, in `seq` order.
    pub(super) async fn select(&self, run_id: i64) -> Result<Vec<StoredEntry>, HistoryError> {
        self.with_tx(move |tx| {
            let mut select = tx.prepare(
                "SELECT seq, entry, outcome FROM journal WHERE run_id = ?1 ORDER BY seq",
            )?;
            let rows = select.query_map(params![run_id], |row| {
                Ok(StoredEntry {
                    seq: row.get(0)?,
                    entry: row.get(1)?,
                    outcome: row.get(2)?,
                })
            })?;
            rows.collect()
        })
        .await
    }
}
