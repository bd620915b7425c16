//! The run history in the shared state: the same rows as the SQLite history, plus the replica
//! that ran each run, so every replica shows the same history.

use syncer_core::SyncReport;
use tokio_postgres::Row;

use super::pool::{self, PgState};
use crate::state::record::{self, HistoryError, RunQuery, RunRecord};

/// Runs kept per syncer, as in the SQLite history.
const KEPT_RUNS: i64 = 1_000;

const COLUMNS: &str = "run_id, syncer, status, dry_run, started_at, finished_at, report, replica";

/// The run history of the shared state.
#[derive(Clone)]
pub struct PgHistory(PgState);

impl PgHistory {
    /// The history in `state`.
    pub fn new(state: PgState) -> Self {
        Self(state)
    }

    fn fail(&self, error: impl std::fmt::Display) -> HistoryError {
        HistoryError::new(self.0.location(), error)
    }

    async fn client(&self) -> Result<deadpool_postgres::Object, HistoryError> {
        self.0.client().await.map_err(|e| self.fail(e))
    }

    fn query(&self, error: &tokio_postgres::Error) -> HistoryError {
        self.fail(pool::describe(error))
    }

    /// Drops `syncer`'s finished runs beyond the newest ones kept.
    async fn prune(
        &self,
        client: &tokio_postgres::Client,
        syncer: &str,
    ) -> Result<(), HistoryError> {
        client
            .execute(
                "DELETE FROM runs WHERE syncer = $1 AND status != 'running' AND run_id <= (
                     SELECT run_id FROM runs WHERE syncer = $1 ORDER BY run_id DESC LIMIT 1 OFFSET $2
                 )",
                &[&syncer, &KEPT_RUNS],
            )
            .await
            .map_err(|e| self.query(&e))?;
        Ok(())
    }

    /// Records the start of a run by this replica, with its `opening` report, and returns its
    /// id.
    pub async fn start(&self, opening: &SyncReport) -> Result<i64, HistoryError> {
        let body = record::encode(opening).map_err(|e| self.fail(e))?;
        let client = self.client().await?;
        let row = client
            .query_one(
                "INSERT INTO runs (syncer, status, dry_run, started_at, report, replica)
                 VALUES ($1, 'running', $2, $3, $4, $5) RETURNING run_id",
                &[
                    &opening.syncer,
                    &opening.dry_run,
                    &opening.started_at,
                    &body,
                    &self.0.replica(),
                ],
            )
            .await
            .map_err(|e| self.query(&e))?;
        self.prune(&client, &opening.syncer).await?;
        Ok(row.get(0))
    }

    /// Records how a run ended (only while `running` when `only_if_running`).
    pub async fn complete(
        &self,
        run_id: i64,
        report: &SyncReport,
        only_if_running: bool,
    ) -> Result<bool, HistoryError> {
        let body = record::encode(report).map_err(|e| self.fail(e))?;
        let changed = self
            .client()
            .await?
            .execute(
                "UPDATE runs SET status = $1, finished_at = $2, report = $3
                 WHERE run_id = $4 AND (NOT $5 OR status = 'running')",
                &[
                    &report.status.as_str(),
                    &report.finished_at,
                    &body,
                    &run_id,
                    &only_if_running,
                ],
            )
            .await
            .map_err(|e| self.query(&e))?;
        Ok(changed > 0)
    }

    /// Records a run that did not happen, in one statement.
    pub async fn record_skipped(&self, report: &SyncReport) -> Result<i64, HistoryError> {
        let body = record::encode(report).map_err(|e| self.fail(e))?;
        let client = self.client().await?;
        let row = client
            .query_one(
                "INSERT INTO runs (syncer, status, dry_run, started_at, finished_at, report, replica)
                 VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING run_id",
                &[
                    &report.syncer,
                    &report.status.as_str(),
                    &report.dry_run,
                    &report.started_at,
                    &report.finished_at,
                    &body,
                    &self.0.replica(),
                ],
            )
            .await
            .map_err(|e| self.query(&e))?;
        self.prune(&client, &report.syncer).await?;
        Ok(row.get(0))
    }

    /// The syncer's runs `query` reads.
    pub async fn select(
        &self,
        query: RunQuery,
        syncer: &str,
    ) -> Result<Vec<RunRecord>, HistoryError> {
        let filter = query.clause("$1", "$2");
        let limit = query.limit();
        let rows = self
            .client()
            .await?
            .query(
                &format!("SELECT {COLUMNS} FROM runs {filter}"),
                &[&syncer, &limit],
            )
            .await
            .map_err(|e| self.query(&e))?;
        Ok(rows.iter().map(to_record).collect())
    }

    /// One run by id.
    pub async fn run(&self, run_id: i64) -> Result<Option<RunRecord>, HistoryError> {
        let row = self
            .client()
            .await?
            .query_opt(
                &format!("SELECT {COLUMNS} FROM runs WHERE run_id = $1"),
                &[&run_id],
            )
            .await
            .map_err(|e| self.query(&e))?;
        Ok(row.as_ref().map(to_record))
    }
}

fn to_record(row: &Row) -> RunRecord {
    let run_id: i64 = row.get(0);
    let report: Option<String> = row.get(6);
    RunRecord {
        run_id,
        syncer: row.get(1),
        status: record::status(row.get(2)),
        dry_run: row.get(3),
        started_at: row.get(4),
        finished_at: row.get(5),
        report: record::decode(run_id, report),
        replica: Some(row.get(7)),
    }
}
