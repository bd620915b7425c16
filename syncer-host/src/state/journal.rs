//! The write journal of every run, kept in the host's state next to the run's history row
//! (SQLite or PostgreSQL alike): one row per journaled write, keyed by run id and `seq`, holding
//! the entry as [`syncer_core::JournalEntry`]'s stable JSON and its outcome. Each call of the
//! engine is one transaction; a run's journal goes when its history row goes (pruned with it).
//! [`RunJournal`] is one run's journal as the engine sees it. Knows nothing of HTTP or sources.

mod sqlite;

use async_trait::async_trait;
use syncer_core::{Journal, JournalEntry, JournalError, Outcome, OutcomeRecord};

pub use sqlite::SqliteJournal;
pub(crate) use sqlite::SCHEMA as SQLITE_SCHEMA;

use crate::state::postgres::PgJournal;
use crate::state::record::{HistoryError, StoredEntry};

/// Where the journals of a state live: SQLite or PostgreSQL.
#[derive(Clone)]
pub enum JournalStore {
    /// `[state] path`.
    Sqlite(SqliteJournal),
    /// `[state] url`.
    Postgres(PgJournal),
}

macro_rules! dispatch {
    ($self:ident, $method:ident($($arg:expr),*)) => {
        match $self {
            JournalStore::Sqlite(store) => store.$method($($arg),*).await,
            JournalStore::Postgres(store) => store.$method($($arg),*).await,
        }
    };
}

impl JournalStore {
    /// Stores the intents of `entries` of run `run_id` (outcome `pending`), in one transaction.
    pub async fn record_intents(
        &self,
        run_id: i64,
        entries: &[JournalEntry],
    ) -> Result<(), HistoryError> {
        let rows = encode_entries(entries).map_err(|message| self.fail(message))?;
        dispatch!(self, insert(run_id, rows))
    }

    /// Stores how writes of run `run_id` ended, in one transaction.
    pub async fn record_outcomes(
        &self,
        run_id: i64,
        outcomes: &[OutcomeRecord],
    ) -> Result<(), HistoryError> {
        let mut rows = Vec::with_capacity(outcomes.len());
        for record in outcomes {
            let seq = seq_of(record.seq).map_err(|message| self.fail(message))?;
            let outcome = serde_json::to_string(&record.outcome)
                .map_err(|error| self.fail(format!("cannot encode an outcome: {error}")))?;
            rows.push((seq, outcome));
        }
        dispatch!(self, update(run_id, rows))
    }

    /// The journal of run `run_id`, in `seq` order, each entry with its last outcome. A row that
    /// cannot be read back is an error naming the run and the entry: a revert must not work
    /// from part of a journal.
    pub async fn entries(&self, run_id: i64) -> Result<Vec<JournalEntry>, HistoryError> {
        let rows: Vec<StoredEntry> = dispatch!(self, select(run_id))?;
        rows.into_iter()
            .map(|row| decode(run_id, row).map_err(|message| self.fail(message)))
            .collect()
    }

    fn fail(&self, message: impl std::fmt::Display) -> HistoryError {
        match self {
            JournalStore::Sqlite(store) => store.fail(message),
            JournalStore::Postgres(store) => store.fail(message),
        }
    }
}

/// The entries as rows: `(seq, entry JSON, outcome JSON)`.
fn encode_entries(entries: &[JournalEntry]) -> Result<Vec<(i64, String, String)>, String> {
    entries
        .iter()
        .map(|entry| {
            let body = serde_json::to_string(entry)
                .map_err(|error| format!("cannot encode journal entry {}: {error}", entry.seq))?;
            let outcome = serde_json::to_string(&entry.outcome)
                .map_err(|error| format!("cannot encode journal entry {}: {error}", entry.seq))?;
            Ok((seq_of(entry.seq)?, body, outcome))
        })
        .collect()
}

fn seq_of(seq: u64) -> Result<i64, String> {
    i64::try_from(seq).map_err(|_| format!("journal entry number {seq} is out of range"))
}

fn decode(run_id: i64, row: StoredEntry) -> Result<JournalEntry, String> {
    let unreadable = |what: &str, error: serde_json::Error| {
        format!(
            "entry {} of run {run_id}'s journal cannot be read ({what}: {error}); the journal was changed by something other than syncer-host, and the run cannot be reverted from it",
            row.seq
        )
    };
    let mut entry: JournalEntry =
        serde_json::from_str(&row.entry).map_err(|e| unreadable("the entry", e))?;
    let outcome: Outcome =
        serde_json::from_str(&row.outcome).map_err(|e| unreadable("its outcome", e))?;
    entry.outcome = outcome;
    Ok(entry)
}

/// The journal of one run, as the engine records into it. A run without a history row (the
/// history could not record its start) has nowhere to keep its journal: every call fails, so
/// the engine sends no write that could not be undone.
pub struct RunJournal {
    store: JournalStore,
    run_id: Option<i64>,
}

impl RunJournal {
    /// The journal of run `run_id` in `store`.
    pub fn new(store: JournalStore, run_id: Option<i64>) -> Self {
        Self { store, run_id }
    }

    fn run_id(&self) -> Result<i64, JournalError> {
        self.run_id.ok_or_else(|| JournalError {
            message: "the run history could not record the run's start, so its writes have no run to be journaled under".to_owned(),
        })
    }
}

fn journal_error(error: HistoryError) -> JournalError {
    JournalError {
        message: error.to_string(),
    }
}

#[async_trait]
impl Journal for RunJournal {
    async fn record_intents(&self, entries: &[JournalEntry]) -> Result<(), JournalError> {
        let run_id = self.run_id()?;
        self.store
            .record_intents(run_id, entries)
            .await
            .map_err(journal_error)
    }

    async fn record_outcomes(&self, outcomes: &[OutcomeRecord]) -> Result<(), JournalError> {
        let run_id = self.run_id()?;
        self.store
            .record_outcomes(run_id, outcomes)
            .await
            .map_err(journal_error)
    }
}

#[cfg(test)]
mod tests;
