//! One schedule slot per syncer: when it is next due, by the database's clock. A replica claims
//! a slot with a compare-and-set (only if it is due, moving it one interval on), so however many
//! replicas ask, each slot is claimed once.

use std::time::Duration;

use super::pool::{self, PgError, PgState};

impl PgState {
    /// Creates `syncer`'s slot, due now, unless it exists.
    pub async fn ensure_slot(&self, syncer: &str) -> Result<(), PgError> {
        self.client()
            .await?
            .execute(
                "INSERT INTO schedule (syncer, next_due) VALUES ($1, now()) ON CONFLICT DO NOTHING",
                &[&syncer],
            )
            .await
            .map_err(|e| self.query_error(&e))?;
        Ok(())
    }

    /// Claims `syncer`'s slot if it is due, moving it `interval` on; whether this replica got it.
    pub async fn claim_slot(&self, syncer: &str, interval: Duration) -> Result<bool, PgError> {
        let changed = self
            .client()
            .await?
            .execute(
                "UPDATE schedule SET next_due = now() + make_interval(secs => $2), claimed_by = $3
                 WHERE syncer = $1 AND next_due <= now()",
                &[&syncer, &pool::seconds(interval), &self.replica()],
            )
            .await
            .map_err(|e| self.query_error(&e))?;
        Ok(changed > 0)
    }

    /// How long until `syncer`'s slot is due (zero when it is, or has no slot).
    pub async fn until_due(&self, syncer: &str) -> Result<Duration, PgError> {
        let row = self
            .client()
            .await?
            .query_opt(
                "SELECT GREATEST(EXTRACT(EPOCH FROM next_due - now()), 0)::float8
                 FROM schedule WHERE syncer = $1",
                &[&syncer],
            )
            .await
            .map_err(|e| self.query_error(&e))?;
        let seconds: f64 = row.map_or(0.0, |row| row.get(0));
        Ok(Duration::try_from_secs_f64(seconds).unwrap_or_default())
    }

    /// Makes `syncer`'s slot due now (its last run died with its replica).
    pub async fn make_due(&self, syncer: &str) -> Result<(), PgError> {
        self.client()
            .await?
            .execute(
                "UPDATE schedule SET next_due = now() WHERE syncer = $1",
                &[&syncer],
            )
            .await
            .map_err(|e| self.query_error(&e))?;
        Ok(())
    }
}
