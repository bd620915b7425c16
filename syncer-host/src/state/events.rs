//! The ids of the change events a syncer has handled, so an event delivered again (DingTalk
//! redelivers, and sends duplicates even after an acknowledgement) costs nothing, also after a
//! restart. In the SQLite file of `[state] path` (its own table, its own connection) or in the
//! shared PostgreSQL state. Ids older than [`KEPT_FOR`] are pruned: the directories redeliver
//! within hours, not weeks. Knows nothing of what an event does.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use parking_lot::Mutex;
use rusqlite::{params, Connection, OptionalExtension};

use crate::state::postgres::PgState;

/// How long an event id is remembered.
pub const KEPT_FOR: Duration = Duration::from_secs(7 * 24 * 3600);

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS seen_events (
    syncer TEXT NOT NULL,
    event_id TEXT NOT NULL,
    seen_at INTEGER NOT NULL,
    PRIMARY KEY (syncer, event_id)
);
CREATE INDEX IF NOT EXISTS seen_events_by_age ON seen_events (seen_at);
";

/// What change events keep in the state (their ids, the deprovisions of the guard's window)
/// could not be read or written.
#[derive(Debug, thiserror::Error)]
#[error("the {what} at {location} could not be read or written: {message}")]
pub struct SeenError {
    what: &'static str,
    location: String,
    message: String,
}

impl SeenError {
    /// `what` at `location` (never a URL with its password) failed with `message`.
    pub(crate) fn new(
        what: &'static str,
        location: impl std::fmt::Display,
        message: impl std::fmt::Display,
    ) -> Self {
        Self {
            what,
            location: location.to_string(),
            message: message.to_string(),
        }
    }
}

/// What [`SeenEvents`] keeps, as its errors name it.
const IDS: &str = "event ids";

/// Where the ids live.
#[derive(Clone)]
pub enum SeenEvents {
    /// The SQLite file of this machine.
    Sqlite {
        /// The file.
        path: PathBuf,
        /// Its connection for event ids.
        db: Arc<Mutex<Connection>>,
    },
    /// The shared state of several replicas.
    Postgres(PgState),
}

fn now_seconds() -> i64 {
    chrono::Utc::now().timestamp()
}

impl SeenEvents {
    /// The ids kept in the SQLite file at `path` (its table is created if needed).
    pub fn sqlite(path: &Path) -> Result<Self, SeenError> {
        let fail = |error: rusqlite::Error| SeenError::new(IDS, path.display(), error);
        let db = Connection::open(path).map_err(fail)?;
        db.busy_timeout(Duration::from_secs(10)).map_err(fail)?;
        db.execute_batch(SCHEMA).map_err(fail)?;
        Ok(Self::Sqlite {
            path: path.to_owned(),
            db: Arc::new(Mutex::new(db)),
        })
    }

    /// The ids kept in the shared state (its table comes with the migrations).
    pub fn postgres(state: PgState) -> Self {
        Self::Postgres(state)
    }

    /// Whether `syncer` handled the event `id` already.
    pub async fn contains(&self, syncer: &str, id: &str) -> Result<bool, SeenError> {
        match self {
            Self::Sqlite { path, db } => {
                let (db, syncer, id) = (db.clone(), syncer.to_owned(), id.to_owned());
                blocking(IDS, path, move || {
                    db.lock()
                        .query_row(
                            "SELECT 1 FROM seen_events WHERE syncer = ?1 AND event_id = ?2",
                            params![syncer, id],
                            |_| Ok(()),
                        )
                        .optional()
                        .map(|row| row.is_some())
                })
                .await
            }
            Self::Postgres(state) => state
                .seen_event(syncer, id)
                .await
                .map_err(|e| SeenError::new(IDS, state.location(), e)),
        }
    }

    /// Remembers that `syncer` handled the events `ids`, and forgets ids older than
    /// [`KEPT_FOR`].
    pub async fn remember(&self, syncer: &str, ids: &[String]) -> Result<(), SeenError> {
        let cutoff = now_seconds() - i64::try_from(KEPT_FOR.as_secs()).unwrap_or(i64::MAX);
        match self {
            Self::Sqlite { path, db } => {
                let (db, syncer, ids) = (db.clone(), syncer.to_owned(), ids.to_vec());
                blocking(IDS, path, move || {
                    let mut db = db.lock();
                    let tx = db.transaction()?;
                    let now = now_seconds();
                    for id in &ids {
                        tx.execute(
                            "INSERT OR REPLACE INTO seen_events (syncer, event_id, seen_at) VALUES (?1, ?2, ?3)",
                            params![syncer, id, now],
                        )?;
                    }
                    tx.execute("DELETE FROM seen_events WHERE seen_at < ?1", params![cutoff])?;
                    tx.commit()
                })
                .await
            }
            Self::Postgres(state) => state
                .remember_events(syncer, ids, KEPT_FOR)
                .await
                .map_err(|e| SeenError::new(IDS, state.location(), e)),
        }
    }
}

/// Runs `work` on the blocking pool; its failure is an error of `what` at `path`.
pub(crate) async fn blocking<T: Send + 'static>(
    what: &'static str,
    path: &Path,
    work: impl FnOnce() -> rusqlite::Result<T> + Send + 'static,
) -> Result<T, SeenError> {
    let fail = |message: String| SeenError::new(what, path.display(), message);
    match tokio::task::spawn_blocking(work).await {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(error)) => Err(fail(error.to_string())),
        Err(error) => Err(fail(error.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn ids_survive_a_reopen_and_are_kept_per_syncer() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("state.db");
        let seen = SeenEvents::sqlite(&path).expect("open");
        seen.remember("dt", &["e1".to_owned()])
            .await
            .expect("write");
        drop(seen);
        let seen = SeenEvents::sqlite(&path).expect("reopen");
        assert!(seen.contains("dt", "e1").await.expect("read"));
        assert!(!seen.contains("other", "e1").await.expect("read"));
        assert!(!seen.contains("dt", "e2").await.expect("read"));
    }

    #[tokio::test]
    async fn old_ids_are_pruned() {
        let dir = tempfile::tempdir().expect("tempdir");
        let seen = SeenEvents::sqlite(&dir.path().join("state.db")).expect("open");
        if let SeenEvents::Sqlite { db, .. } = &seen {
            db.lock()
                .execute(
                    "INSERT INTO seen_events VALUES ('dt', 'old', ?1)",
                    params![now_seconds() - 8 * 24 * 3600],
                )
                .expect("insert");
        }
        seen.remember("dt", &["new".to_owned()])
            .await
            .expect("write");
        assert!(!seen.contains("dt", "old").await.expect("read"));
        assert!(seen.contains("dt", "new").await.expect("read"));
    }
}
