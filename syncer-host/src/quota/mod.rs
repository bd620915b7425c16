//! The monthly API call budget of each syncer: its calls are counted per calendar month in
//! China Standard Time in the host's state ([`Ledger`], batched; [`QuotaBook`], SQLite or
//! PostgreSQL), a scheduled full sync that would not fit in what is left (or run ahead of an
//! even pace over the month) is held back ([`budget`]), and a remote's "quota used up" stops
//! the syncer's scheduled runs until the month turns. Knows no backend: the plugin declares its
//! default budget, and its calls arrive through the `CallMeter` the host gives it.

mod book;
pub mod budget;
pub mod estimate;
mod ledger;
pub mod month;

pub use book::QuotaBook;
pub use budget::{Admission, Standing};
pub use ledger::Ledger;
pub use month::{Month, SystemClock};
