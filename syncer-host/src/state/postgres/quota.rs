//! The monthly API call counts in the shared state: the same rows as the SQLite counters
//! (`state/quota.rs`), so every replica and every CLI run on the shared state counts into one
//! row per syncer and month; each increment is one atomic upsert.

use super::pool::PgState;
use crate::state::quota::{self, Exhausted, MonthUsage, QuotaError};

/// The migration that creates the counters' table.
pub const MIGRATION: &str = "
    CREATE TABLE api_quota (
        syncer TEXT NOT NULL,
        month TEXT NOT NULL,
        calls BIGINT NOT NULL DEFAULT 0,
        exhausted_at TEXT,
        reason TEXT,
        PRIMARY KEY (syncer, month)
    );
";

/// The counters of the shared state.
#[derive(Clone)]
pub struct PgQuota(PgState);

impl PgQuota {
    /// The counters in `state`.
    pub fn new(state: PgState) -> Self {
        Self(state)
    }

    fn fail(&self, error: impl std::fmt::Display) -> QuotaError {
        QuotaError::new(self.0.location(), error)
    }

    async fn client(&self) -> Result<deadpool_postgres::Object, QuotaError> {
        self.0.client().await.map_err(|e| self.fail(e))
    }

    fn query(&self, error: &tokio_postgres::Error) -> QuotaError {
        self.fail(super::pool::describe(error))
    }

    /// Adds `calls` to `syncer`'s count of `month`, atomically.
    pub async fn add(&self, syncer: &str, month: &str, calls: u64) -> Result<(), QuotaError> {
        let calls = i64::try_from(calls).unwrap_or(i64::MAX);
        self.client()
            .await?
            .execute(
                "INSERT INTO api_quota (syncer, month, calls) VALUES ($1, $2, $3)
                 ON CONFLICT (syncer, month) DO UPDATE SET calls = api_quota.calls + excluded.calls",
                &[&syncer, &month, &calls],
            )
            .await
            .map_err(|e| self.query(&e))?;
        Ok(())
    }

    /// Marks `syncer`'s `month` as refused for the used-up quota (the first mark stays).
    pub async fn mark_exhausted(
        &self,
        syncer: &str,
        month: &str,
        exhausted: &Exhausted,
    ) -> Result<(), QuotaError> {
        self.client()
            .await?
            .execute(
                "INSERT INTO api_quota (syncer, month, exhausted_at, reason) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (syncer, month) DO UPDATE SET
                     exhausted_at = COALESCE(api_quota.exhausted_at, excluded.exhausted_at),
                     reason = COALESCE(api_quota.reason, excluded.reason)",
                &[&syncer, &month, &exhausted.at, &exhausted.reason],
            )
            .await
            .map_err(|e| self.query(&e))?;
        Ok(())
    }

    /// Lifts `syncer`'s used-up mark of `month`; the count stays.
    pub async fn clear_exhausted(&self, syncer: &str, month: &str) -> Result<(), QuotaError> {
        self.client()
            .await?
            .execute(
                "UPDATE api_quota SET exhausted_at = NULL, reason = NULL WHERE syncer = $1 AND month = $2",
                &[&syncer, &month],
            )
            .await
            .map_err(|e| self.query(&e))?;
        Ok(())
    }

    /// `syncer`'s counts of `month` (zero when nothing was counted).
    pub async fn usage(&self, syncer: &str, month: &str) -> Result<MonthUsage, QuotaError> {
        let row = self
            .client()
            .await?
            .query_opt(
                "SELECT calls, exhausted_at, reason FROM api_quota WHERE syncer = $1 AND month = $2",
                &[&syncer, &month],
            )
            .await
            .map_err(|e| self.query(&e))?;
        Ok(row.map_or_else(MonthUsage::default, |row| {
            quota::usage(row.get(0), row.get(1), row.get(2))
        }))
    }
}
