//! The monthly API call budget of each syncer: its calls are counted per calendar month in
//! China Standard Time in the host's state ([`Ledger`], batched; [`QuotaBook`], SQLite or
//! PostgreSQL), a scheduled full sync that would not fit in what is left (or run ahead of an
//! even pace over the month) is held back ([`budget`]), and a remote's "quota used up" stops
//! the syncer's scheduled runs until the month turns. Knows no backend: the plugin declares its
//! default budget, and its calls arrive through the `CallMeter` the host gives it.

pub mod budget;
mod ledger;
pub mod month;

pub use budget::{Admission, Standing};
pub use ledger::Ledger;
pub use month::{Month, SystemClock};

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

    /// `syncer`'s counts of `month`.
    pub async fn usage(&self, syncer: &str, month: &str) -> Result<MonthUsage, QuotaError> {
        dispatch!(self, usage(syncer, month))
    }
}
