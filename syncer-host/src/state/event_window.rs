//! The deprovisions change events made, per syncer, for the guard's rolling window (one
//! `sync_interval`): a row per applied batch that deprovisioned anyone (syncer, when, how
//! many), summed over the window and pruned beyond it. Kept beside the handled event ids
//! ([`SeenEvents`]: the SQLite file of `[state] path`, or the shared PostgreSQL), so a restart
//! does not forget the window and several replicas count into one. The worker reads and writes
//! it under the syncer's run lock, so two batches never both pass on the same count. Knows
//! nothing of what an event does.

use std::time::Duration;

use rusqlite::params;

use crate::state::events::{blocking, SeenError, SeenEvents};

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS event_deprovisions (
    syncer TEXT NOT NULL,
    at INTEGER NOT NULL,
    count INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS event_deprovisions_by_syncer ON event_deprovisions (syncer, at);
";

/// What the window's errors name.
const WINDOW: &str = "event deprovisions";

/// The deprovisions events made, where the handled ids are kept.
#[derive(Clone)]
pub struct EventWindow(SeenEvents);

/// Milliseconds since the epoch on this machine's clock (the SQLite state is one machine's).
fn now_millis() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

fn millis(duration: Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}

impl EventWindow {
    /// The window kept where `seen` keeps its ids (the SQLite table is created if needed; the
    /// PostgreSQL one comes with the migrations).
    pub fn beside(seen: &SeenEvents) -> Result<Self, SeenError> {
        if let SeenEvents::Sqlite { path, db } = seen {
            db.lock()
                .execute_batch(SCHEMA)
                .map_err(|e| SeenError::new(WINDOW, path.display(), e))?;
        }
        Ok(Self(seen.clone()))
    }

    /// How many users events of `syncer` deprovisioned within the last `window`, by every
    /// process sharing the state.
    pub async fn recent(&self, syncer: &str, window: Duration) -> Result<usize, SeenError> {
        let sum = match &self.0 {
            SeenEvents::Sqlite { path, db } => {
                let (db, syncer) = (db.clone(), syncer.to_owned());
                let since = now_millis().saturating_sub(millis(window));
                blocking(WINDOW, path, move || {
                    db.lock().query_row(
                        "SELECT COALESCE(sum(count), 0) FROM event_deprovisions
                         WHERE syncer = ?1 AND at > ?2",
                        params![syncer, since],
                        |row| row.get::<_, i64>(0),
                    )
                })
                .await
                .map(|sum| u64::try_from(sum).unwrap_or(0))?
            }
            SeenEvents::Postgres(state) => state
                .event_deprovisions(syncer, window)
                .await
                .map_err(|e| SeenError::new(WINDOW, state.location(), e))?,
        };
        Ok(usize::try_from(sum).unwrap_or(usize::MAX))
    }

    /// Records that events of `syncer` deprovisioned `count` users now (nothing when none), and
    /// forgets what is older than `window`.
    pub async fn record(
        &self,
        syncer: &str,
        count: usize,
        window: Duration,
    ) -> Result<(), SeenError> {
        if count == 0 {
            return Ok(());
        }
        let count = u32::try_from(count).unwrap_or(u32::MAX);
        match &self.0 {
            SeenEvents::Sqlite { path, db } => {
                let (db, syncer) = (db.clone(), syncer.to_owned());
                blocking(WINDOW, path, move || {
                    let mut db = db.lock();
                    let tx = db.transaction()?;
                    let now = now_millis();
                    tx.execute(
                        "INSERT INTO event_deprovisions (syncer, at, count) VALUES (?1, ?2, ?3)",
                        params![syncer, now, count],
                    )?;
                    forget_sqlite(&tx, &syncer, now.saturating_sub(millis(window)))?;
                    tx.commit()
                })
                .await
            }
            SeenEvents::Postgres(state) => state
                .record_event_deprovisions(syncer, count, window)
                .await
                .map_err(|e| SeenError::new(WINDOW, state.location(), e)),
        }
    }

    /// Forgets the deprovisions of `syncer` recorded `ago` or longer ago: a full sync that
    /// started then has decided about every leaver with its own guard.
    pub async fn settle(&self, syncer: &str, ago: Duration) -> Result<(), SeenError> {
        match &self.0 {
            SeenEvents::Sqlite { path, db } => {
                let (db, syncer) = (db.clone(), syncer.to_owned());
                let until = now_millis().saturating_sub(millis(ago));
                blocking(WINDOW, path, move || {
                    forget_sqlite(&db.lock(), &syncer, until)
                })
                .await
            }
            SeenEvents::Postgres(state) => state
                .forget_event_deprovisions(syncer, ago)
                .await
                .map_err(|e| SeenError::new(WINDOW, state.location(), e)),
        }
    }
}

/// Deletes the rows of `syncer` recorded at or before `until` (milliseconds).
fn forget_sqlite(db: &rusqlite::Connection, syncer: &str, until: i64) -> rusqlite::Result<()> {
    db.execute(
        "DELETE FROM event_deprovisions WHERE syncer = ?1 AND at <= ?2",
        params![syncer, until],
    )
    .map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn window(dir: &tempfile::TempDir) -> EventWindow {
        let seen = SeenEvents::sqlite(&dir.path().join("state.db")).expect("open");
        EventWindow::beside(&seen).expect("window")
    }

    const HOUR: Duration = Duration::from_secs(3600);

    #[tokio::test]
    async fn deprovisions_survive_a_reopen_and_are_counted_per_syncer() {
        let dir = tempfile::tempdir().expect("tempdir");
        let first = window(&dir);
        first.record("dt", 3, HOUR).await.expect("record");
        first
            .record("dt", 0, HOUR)
            .await
            .expect("nothing to record");
        first.record("other", 5, HOUR).await.expect("record");
        drop(first);
        let reopened = window(&dir);
        reopened.record("dt", 2, HOUR).await.expect("record");
        assert_eq!(reopened.recent("dt", HOUR).await.expect("read"), 5);
        assert_eq!(reopened.recent("other", HOUR).await.expect("read"), 5);
        assert_eq!(reopened.recent("nobody", HOUR).await.expect("read"), 0);
    }

    #[tokio::test]
    async fn rows_past_the_window_are_not_counted_and_are_pruned() {
        let dir = tempfile::tempdir().expect("tempdir");
        let window = window(&dir);
        let SeenEvents::Sqlite { db, .. } = &window.0 else {
            panic!("a SQLite window");
        };
        db.lock()
            .execute(
                "INSERT INTO event_deprovisions VALUES ('dt', ?1, 7)",
                params![now_millis() - 2 * 3600 * 1000],
            )
            .expect("an old row");
        assert_eq!(window.recent("dt", HOUR).await.expect("read"), 0);
        assert_eq!(
            window.recent("dt", 3 * HOUR).await.expect("read"),
            7,
            "within a longer window"
        );
        window.record("dt", 1, HOUR).await.expect("record");
        let rows: i64 = db
            .lock()
            .query_row("SELECT count(*) FROM event_deprovisions", [], |row| {
                row.get(0)
            })
            .expect("count");
        assert_eq!(rows, 1, "the old row went with the write");
    }

    #[tokio::test]
    async fn a_full_sync_settles_what_came_before_it_started_only() {
        let dir = tempfile::tempdir().expect("tempdir");
        let window = window(&dir);
        window.record("dt", 4, HOUR).await.expect("record");
        window.record("other", 4, HOUR).await.expect("record");
        // A sync that started an hour ago: the row is younger, it stays.
        window.settle("dt", HOUR).await.expect("settle");
        assert_eq!(window.recent("dt", HOUR).await.expect("read"), 4);
        window.settle("dt", Duration::ZERO).await.expect("settle");
        assert_eq!(window.recent("dt", HOUR).await.expect("read"), 0);
        assert_eq!(window.recent("other", HOUR).await.expect("read"), 4);
    }
}
