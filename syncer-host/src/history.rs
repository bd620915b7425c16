//! The run history every caller reads and writes: one row per run, inserted as `running` when it
//! starts and completed with its report when it ends. It lives in the host's SQLite file
//! (`[state] path`, one machine) or in the PostgreSQL database several replicas share
//! (`[state] url`); callers see one [`History`] either way. Knows nothing of leases or HTTP.

use syncer_core::SyncReport;

use crate::state::postgres::PgHistory;
use crate::state::record::RunQuery;
pub use crate::state::record::{HistoryError, RunRecord};
use crate::state::sqlite::SqliteHistory;

/// The run history: SQLite or PostgreSQL.
#[derive(Clone)]
pub enum History {
    /// `[state] path`.
    Sqlite(SqliteHistory),
    /// `[state] url`.
    Postgres(PgHistory),
}

macro_rules! dispatch {
    ($self:ident, $method:ident($($arg:expr),*)) => {
        match $self {
            History::Sqlite(history) => history.$method($($arg),*).await,
            History::Postgres(history) => history.$method($($arg),*).await,
        }
    };
}

impl History {
    /// Records the start of a run and returns its id. `opening` is the run's report as it
    /// starts (its syncer, dry run, start and kind: a revert's names the run it undoes); it is
    /// stored with the `running` row, so a run that never reports how it ended is closed later
    /// as what it was.
    pub async fn start(&self, opening: &SyncReport) -> Result<i64, HistoryError> {
        dispatch!(self, start(opening))
    }

    /// Records how a run ended.
    pub async fn finish(&self, run_id: i64, report: &SyncReport) -> Result<(), HistoryError> {
        self.finish_if(run_id, report, false).await.map(|_| ())
    }

    /// Records how a run ended unless its row is no longer `running` (its own report got there
    /// first); returns whether the row was written.
    pub async fn finish_if_running(
        &self,
        run_id: i64,
        report: &SyncReport,
    ) -> Result<bool, HistoryError> {
        self.finish_if(run_id, report, true).await
    }

    async fn finish_if(
        &self,
        run_id: i64,
        report: &SyncReport,
        only_if_running: bool,
    ) -> Result<bool, HistoryError> {
        dispatch!(self, complete(run_id, report, only_if_running))
    }

    /// Records a run that did not happen (another was going), with its report. One statement,
    /// so the row is never seen as `running`.
    pub async fn record_skipped(&self, report: &SyncReport) -> Result<i64, HistoryError> {
        dispatch!(self, record_skipped(report))
    }

    /// A syncer's runs, newest first, at most `limit`.
    pub async fn runs(&self, syncer: &str, limit: usize) -> Result<Vec<RunRecord>, HistoryError> {
        dispatch!(self, select(RunQuery::Newest(limit), syncer))
    }

    /// A syncer's newest run that really ran (or is running): `skipped` rows left out, so one
    /// refused request does not hide the run that refused it.
    pub async fn last_run(&self, syncer: &str) -> Result<Option<RunRecord>, HistoryError> {
        let rows = dispatch!(self, select(RunQuery::LastRun, syncer))?;
        Ok(rows.into_iter().next())
    }

    /// A syncer's newest `skipped` run.
    pub async fn last_skipped(&self, syncer: &str) -> Result<Option<RunRecord>, HistoryError> {
        let rows = dispatch!(self, select(RunQuery::LastSkipped, syncer))?;
        Ok(rows.into_iter().next())
    }

    /// A syncer's rows still marked `running`, oldest first (at most a few hundred).
    pub async fn unfinished(&self, syncer: &str) -> Result<Vec<RunRecord>, HistoryError> {
        dispatch!(self, select(RunQuery::Unfinished, syncer))
    }

    /// One run by id.
    pub async fn run(&self, run_id: i64) -> Result<Option<RunRecord>, HistoryError> {
        dispatch!(self, run(run_id))
    }
}
