//! The monthly API call counts of one machine, in the host's SQLite file (`[state] path`): one
//! row per syncer and calendar month (China Standard Time, `2026-12`), with the calls counted
//! and, once the remote said its quota is used up, when and why. Every increment is one
//! `INSERT … ON CONFLICT DO UPDATE SET calls = calls + n` statement, so a CLI `sync` and `serve`
//! counting into the same file at once both count. Knows nothing of sources or schedules.

use std::path::Path;

use rusqlite::{params, OptionalExtension};
use serde::Serialize;

use crate::state::file::{FileError, StateFile};

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS api_quota (
    syncer TEXT NOT NULL,
    month TEXT NOT NULL,
    calls INTEGER NOT NULL DEFAULT 0,
    exhausted_at TEXT,
    reason TEXT,
    PRIMARY KEY (syncer, month)
);
";

/// A failure of the quota counters' database.
#[derive(Debug, thiserror::Error)]
#[error("API call counts {location}: {message}")]
pub struct QuotaError {
    location: String,
    message: String,
}

impl QuotaError {
    /// An error of the counters at `location` (never a URL with its password).
    pub fn new(location: impl std::fmt::Display, message: impl std::fmt::Display) -> Self {
        Self {
            location: location.to_string(),
            message: message.to_string(),
        }
    }
}

impl FileError for QuotaError {
    fn at(path: &Path, message: String) -> Self {
        Self::new(path.display(), message)
    }
}

/// When and why the remote said the organization's quota is used up.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Exhausted {
    /// When the refusal was counted, RFC 3339 UTC.
    pub at: String,
    /// The backend's message (remote code, fix), secrets removed.
    pub reason: String,
}

/// One syncer's counts in one month.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MonthUsage {
    /// Calls counted this month, by every process sharing the state.
    pub calls: u64,
    /// Set once the remote refused a call for the used-up quota this month.
    pub exhausted: Option<Exhausted>,
}

/// The counters in the SQLite state file.
#[derive(Clone)]
pub struct SqliteQuota(StateFile);

impl SqliteQuota {
    /// Opens (creating if needed) the counters in the state file at `path`.
    pub fn open(path: &Path) -> Result<Self, QuotaError> {
        StateFile::open(path, &[SCHEMA]).map(Self)
    }

    /// Adds `calls` to `syncer`'s count of `month`, atomically.
    pub async fn add(&self, syncer: &str, month: &str, calls: u64) -> Result<(), QuotaError> {
        let (syncer, month) = (syncer.to_owned(), month.to_owned());
        let calls = i64::try_from(calls).unwrap_or(i64::MAX);
        self.0
            .run(move |db| {
                db.execute(
                    "INSERT INTO api_quota (syncer, month, calls) VALUES (?1, ?2, ?3)
                 ON CONFLICT (syncer, month) DO UPDATE SET calls = calls + excluded.calls",
                    params![syncer, month, calls],
                )
                .map(|_| ())
            })
            .await
    }

    /// Marks `syncer`'s `month` as refused for the used-up quota (the first mark stays).
    pub async fn mark_exhausted(
        &self,
        syncer: &str,
        month: &str,
        exhausted: &Exhausted,
    ) -> Result<(), QuotaError> {
        let (syncer, month) = (syncer.to_owned(), month.to_owned());
        let exhausted = exhausted.clone();
        self.0
            .run(move |db| {
                db.execute(
                "INSERT INTO api_quota (syncer, month, exhausted_at, reason) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (syncer, month) DO UPDATE SET
                     exhausted_at = COALESCE(exhausted_at, excluded.exhausted_at),
                     reason = COALESCE(reason, excluded.reason)",
                params![syncer, month, exhausted.at, exhausted.reason],
            )
            .map(|_| ())
            })
            .await
    }

    /// Lifts `syncer`'s used-up mark of `month` (a later run got through: the quota was
    /// raised); the count stays.
    pub async fn clear_exhausted(&self, syncer: &str, month: &str) -> Result<(), QuotaError> {
        let (syncer, month) = (syncer.to_owned(), month.to_owned());
        self.0.run(move |db| {
            db.execute(
                "UPDATE api_quota SET exhausted_at = NULL, reason = NULL WHERE syncer = ?1 AND month = ?2",
                params![syncer, month],
            )
            .map(|_| ())
        })
        .await
    }

    /// `syncer`'s counts of `month` (zero when nothing was counted).
    pub async fn usage(&self, syncer: &str, month: &str) -> Result<MonthUsage, QuotaError> {
        let (syncer, month) = (syncer.to_owned(), month.to_owned());
        self.0.run(move |db| {
            let row = db
                .query_row(
                    "SELECT calls, exhausted_at, reason FROM api_quota WHERE syncer = ?1 AND month = ?2",
                    params![syncer, month],
                    |row| {
                        let calls: i64 = row.get(0)?;
                        let at: Option<String> = row.get(1)?;
                        let reason: Option<String> = row.get(2)?;
                        Ok(usage(calls, at, reason))
                    },
                )
                .optional()?;
            Ok(row.unwrap_or_default())
        })
        .await
    }
}

/// A stored row as counts.
pub(crate) fn usage(calls: i64, at: Option<String>, reason: Option<String>) -> MonthUsage {
    MonthUsage {
        calls: u64::try_from(calls).unwrap_or(0),
        exhausted: at.map(|at| Exhausted {
            at,
            reason: reason.unwrap_or_default(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn counts_of_two_handles_on_one_file_add_up_and_months_stay_apart() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("state.db");
        let (first, second) = (
            SqliteQuota::open(&path).expect("open"),
            SqliteQuota::open(&path).expect("open again"),
        );
        first.add("acme-dt", "2026-12", 300).await.expect("add");
        second.add("acme-dt", "2026-12", 2).await.expect("add");
        second.add("acme-dt", "2027-01", 5).await.expect("add");
        first.add("other", "2026-12", 7).await.expect("add");
        assert_eq!(
            first.usage("acme-dt", "2026-12").await.expect("read").calls,
            302
        );
        assert_eq!(
            first.usage("acme-dt", "2027-01").await.expect("read").calls,
            5
        );
        assert_eq!(
            first.usage("nobody", "2026-12").await.expect("read"),
            MonthUsage::default()
        );
        let mark = |reason: &str| Exhausted {
            at: "2026-12-20T01:00:00.000Z".into(),
            reason: reason.into(),
        };
        first
            .mark_exhausted("acme-dt", "2026-12", &mark("first"))
            .await
            .expect("mark");
        second
            .mark_exhausted("acme-dt", "2026-12", &mark("second"))
            .await
            .expect("mark");
        let usage = second.usage("acme-dt", "2026-12").await.expect("read");
        assert_eq!(usage.calls, 302, "a mark keeps the count");
        assert_eq!(usage.exhausted, Some(mark("first")), "the first mark stays");
        first
            .clear_exhausted("acme-dt", "2026-12")
            .await
            .expect("clear");
        let usage = second.usage("acme-dt", "2026-12").await.expect("read");
        assert_eq!((usage.calls, usage.exhausted), (302, None));
        assert_eq!(
            second
                .usage("acme-dt", "2027-01")
                .await
                .expect("read")
                .exhausted,
            None
        );
    }
}
