//! The handled change events' ids in the shared state (table `seen_events`, migration 3), so
//! every replica knows an event another one applied.

use std::time::Duration;

use super::pool::{self, PgError, PgState};

impl PgState {
    /// Whether `syncer` handled the event `id` already.
    pub async fn seen_event(&self, syncer: &str, id: &str) -> Result<bool, PgError> {
        let row = self
            .client()
            .await?
            .query_opt(
                "SELECT 1 FROM seen_events WHERE syncer = $1 AND event_id = $2",
                &[&syncer, &id],
            )
            .await
            .map_err(|e| self.query_error(&e))?;
        Ok(row.is_some())
    }

    /// Remembers the events `ids` of `syncer` and forgets those older than `kept_for`.
    pub async fn remember_events(
        &self,
        syncer: &str,
        ids: &[String],
        kept_for: Duration,
    ) -> Result<(), PgError> {
        let client = self.client().await?;
        client
            .execute(
                "INSERT INTO seen_events (syncer, event_id, seen_at)
                 SELECT $1, id, now() FROM unnest($2::text[]) AS id
                 ON CONFLICT (syncer, event_id) DO UPDATE SET seen_at = now()",
                &[&syncer, &ids],
            )
            .await
            .map_err(|e| self.query_error(&e))?;
        client
            .execute(
                "DELETE FROM seen_events WHERE seen_at < now() - make_interval(secs => $1)",
                &[&pool::seconds(kept_for)],
            )
            .await
            .map_err(|e| self.query_error(&e))?;
        Ok(())
    }
}
