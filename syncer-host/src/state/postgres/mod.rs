//! The state several replicas share in one PostgreSQL database (`[state] url`): the pool, the
//! versioned migrations the program runs at start, and what is kept there — the run history
//! ([`history`]) with each run's write journal ([`journal`]), one lease per running syncer
//! ([`lease`]) and one schedule slot per syncer ([`schedule`]), the monthly API call counts
//! ([`quota`]), what change events leave behind (the ids handled, the deprovisions counted
//! against the guard's window) and each syncer's account index (`account_index`). Every time
//! that matters is the database's own clock (`now()`), so the replicas' clocks may disagree.
//! Knows nothing of targets, sources or HTTP.

mod account_index;
mod event_window;
mod events;
mod history;
mod journal;
mod lease;
mod migrations;
mod pool;
mod quota;
mod schedule;
mod tls;

pub use history::PgHistory;
pub use journal::PgJournal;
pub use lease::{Lease, LeaseError};
pub use pool::PgState;
pub use quota::PgQuota;
