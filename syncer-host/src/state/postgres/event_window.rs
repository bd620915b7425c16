//! The deprovisions made by change events in the shared state (table `event_deprovisions`,
//! migration 5): a row per applied batch that deprovisioned, on the database's clock, so every
//! replica counts the others' deprovisions against the syncer's guard.

use std::time::Duration;

use super::pool::{self, PgError, PgState};

/// The migration that creates the table.
pub const MIGRATION: &str = "
    CREATE TABLE event_deprovisions (
        syncer TEXT NOT NULL,
        at TIMESTAMPTZ NOT NULL,
        count INTEGER NOT NULL
    );
    CREATE INDEX event_deprovisions_by_syncer ON event_deprovisions (syncer, at);
";

impl PgState {
    /// How many users events of `syncer` deprovisioned within the last `window`.
    pub async fn event_deprovisions(&self, syncer: &str, window: Duration) -> Result<u64, PgError> {
        let row = self
            .client()
            .await?
            .query_one(
                "SELECT COALESCE(sum(count), 0)::bigint FROM event_deprovisions
                 WHERE syncer = $1 AND at > now() - make_interval(secs => $2)",
                &[&syncer, &pool::seconds(window)],
            )
            .await
            .map_err(|e| self.query_error(&e))?;
        let sum: i64 = row.get(0);
        Ok(u64::try_from(sum).unwrap_or(0))
    }

    /// Records that events of `syncer` deprovisioned `count` users now, and forgets the rows
    /// older than `window`.
    pub async fn record_event_deprovisions(
        &self,
        syncer: &str,
        count: u32,
        window: Duration,
    ) -> Result<(), PgError> {
        let count = i32::try_from(count).unwrap_or(i32::MAX);
        let client = self.client().await?;
        client
            .execute(
                "INSERT INTO event_deprovisions (syncer, at, count) VALUES ($1, now(), $2)",
                &[&syncer, &count],
            )
            .await
            .map_err(|e| self.query_error(&e))?;
        self.forget_event_deprovisions(syncer, window).await
    }

    /// Forgets the rows of `syncer` recorded more than `ago` ago.
    pub async fn forget_event_deprovisions(
        &self,
        syncer: &str,
        ago: Duration,
    ) -> Result<(), PgError> {
        self.client()
            .await?
            .execute(
                "DELETE FROM event_deprovisions
                 WHERE syncer = $1 AND at <= now() - make_interval(secs => $2)",
                &[&syncer, &pool::seconds(ago)],
            )
            .await
            .map_err(|e| self.query_error(&e))?;
        Ok(())
    }
}
