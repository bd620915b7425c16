//! The journal in the shared state: the same rows as the SQLite journal, each call one
//! statement (so one transaction) whatever its size, and a foreign key that deletes a run's
//! journal with its history row.

use super::pool::{self, PgState};
use crate::state::record::{HistoryError, StoredEntry};

/// The migration that adds the journal (one entry of [`super::migrations`]).
pub(super) const MIGRATION: &str = "
    CREATE TABLE journal (
        run_id BIGINT NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,
        seq BIGINT NOT NULL,
        entry TEXT NOT NULL,
        outcome TEXT NOT NULL,
        PRIMARY KEY (run_id, seq)
    );
";

/// The journals of the shared state.
#[derive(Clone)]
pub struct PgJournal(PgState);

impl PgJournal {
    /// The journals in `state`.
    pub fn new(state: PgState) -> Self {
        Self(state)
    }

    /// An error of the shared state's journal.
    pub(crate) fn fail(&self, error: impl std::fmt::Display) -> HistoryError {
        HistoryError::new(self.0.location(), error)
    }

    async fn client(&self) -> Result<deadpool_postgres::Object, HistoryError> {
        self.0.client().await.map_err(|e| self.fail(e))
    }

    /// Inserts `(seq, entry, outcome)` rows of run `run_id`, in one statement.
    pub(crate) async fn insert(
        &self,
        run_id: i64,
        rows: Vec<(i64, String, String)>,
    ) -> Result<(), HistoryError> {
        let mut seqs = Vec::with_capacity(rows.len());
        let mut entries = Vec::with_capacity(rows.len());
        let mut outcomes = Vec::with_capacity(rows.len());
        for (seq, entry, outcome) in rows {
            seqs.push(seq);
            entries.push(entry);
            outcomes.push(outcome);
        }
        self.client()
            .await?
            .execute(
                "INSERT INTO journal (run_id, seq, entry, outcome)
                 SELECT $1, * FROM UNNEST($2::BIGINT[], $3::TEXT[], $4::TEXT[])",
                &[&run_id, &seqs, &entries, &outcomes],
            )
            .await
            .map_err(|e| self.fail(pool::describe(&e)))?;
        Ok(())
    }

    /// Sets the outcomes `(seq, outcome)` of run `run_id`, in one statement.
    pub(crate) async fn update(
        &self,
        run_id: i64,
        rows: Vec<(i64, String)>,
    ) -> Result<(), HistoryError> {
        let (seqs, outcomes): (Vec<i64>, Vec<String>) = rows.into_iter().unzip();
        self.client()
            .await?
            .execute(
                "UPDATE journal SET outcome = given.outcome
                 FROM UNNEST($2::BIGINT[], $3::TEXT[]) AS given (seq, outcome)
                 WHERE journal.run_id = $1 AND journal.seq = given.seq",
                &[&run_id, &seqs, &outcomes],
            )
            .await
            .map_err(|e| self.fail(pool::describe(&e)))?;
        Ok(())
    }

    /// The rows of run `run_id`, in `seq` order.
    pub(crate) async fn select(&self, run_id: i64) -> Result<Vec<StoredEntry>, HistoryError> {
        let rows = self
            .client()
            .await?
            .query(
                "SELECT seq, entry, outcome FROM journal WHERE run_id = $1 ORDER BY seq",
                &[&run_id],
            )
            .await
            .map_err(|e| self.fail(pool::describe(&e)))?;
        Ok(rows
            .iter()
            .map(|row| StoredEntry {
                seq: row.get(0),
                entry: row.get(1),
                outcome: row.get(2),
            })
            .collect())
    }
}
