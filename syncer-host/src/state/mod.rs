//! Where the host keeps what every process running a config must agree on: the SQLite file of
//! one machine ([`sqlite`], beside the file locks of [`crate::lock`]), or the PostgreSQL
//! database several replicas share ([`postgres`]: history, leases, schedule slots, API call counts), the runs'
//! write journals in either ([`journal`]), each syncer's account index ([`account_index`]), and
//! the fence that keeps a run that lost its lease from writing ([`fence`]). Knows nothing of
//! sources, the engine's plan or HTTP.

pub mod account_index;
pub mod event_window;
pub mod events;
pub mod fence;
pub(crate) mod file;
pub mod journal;
pub mod postgres;
pub mod quota;
pub mod record;
pub mod sqlite;
