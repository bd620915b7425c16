//! [`QuotaBook`]: where the monthly call counts are kept, the SQLite file of one machine or the
//! PostgreSQL state several replicas share; callers see one book either way.

use crate::state::postgres::PgQuota;
use crate::state::quota::{Exhausted, MonthUsage, QuotaError, SqliteQuota};

/// Where the counts are kept: the SQLite file or the shared PostgreSQL state.
#[derive(Clone)]
pub enum QuotaBook {
    /// `[state] path`.
    Sqlite(SqliteQuota),
    /// `[state] url`.
    Postgres(PgQuota),
}

macro_rules! dispatch {
    ($self:ident, $method:ident($($arg:expr),*)) => {
        match $self {
            QuotaBook::Sqlite(book) => book.$method($($arg),*).await,
            QuotaBook::Postgres(book) => book.$method($($arg),*).await,
        }
    };
}

impl QuotaBook {
    /// Adds `calls` to `syncer`'s count of `month`.
    pub async fn add(&self, syncer: &str, month: &str, calls: u64) -> Result<(), QuotaError> {
        dispatch!(self, add(syncer, month, calls))
    }

    /// Marks `syncer`'s `month` as refused for the used-up quota.
    pub async fn mark_exhausted(
        &self,
        syncer: &str,
        month: &str,
        exhausted: &Exhausted,
    ) -> Result<(), QuotaError> {
        dispatch!(self, mark_exhausted(syncer, month, exhausted))
    }

    /// Lifts `syncer`'s used-up mark of `month`.
    pub async fn clear_exhausted(&self, syncer: &str, month: &str) -> Result<(), QuotaError> {
        dispatch!(self, clear_exhausted(syncer, month))
    }

    /// `syncer`'s counts of `month`.
    pub async fn usage(&self, syncer: &str, month: &str) -> Result<MonthUsage, QuotaError> {
        dispatch!(self, usage(syncer, month))
    }
}
