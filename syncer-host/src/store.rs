//! The run store of a config's `[state]`: the run history (with the runs' write journals) and
//! the per-syncer run locks, the things every process sharing that state must agree on. Either
//! SQLite beside lock files on this machine (`path`), or the PostgreSQL database several
//! replicas share (`url`), where the lock is a lease renewed while the run works. Knows nothing of targets, sources or HTTP.

use crate::config::Config;
use crate::history::{History, HistoryError};
use crate::lock::{self, LockError, RunLock};
use crate::state::fence::Fence;
use crate::state::journal::JournalStore;
use crate::state::postgres::{Lease, LeaseError, PgHistory, PgJournal, PgState};
use crate::state::sqlite::SqliteHistory;

/// Where the locks live.
enum Locks {
    /// Lock files beside the SQLite file.
    Files(std::path::PathBuf),
    /// Leases in the shared state.
    Leases(PgState),
}

/// The run history and run locks of one `[state]`.
pub struct RunStore {
    history: History,
    journal: JournalStore,
    locks: Locks,
}

/// A held run lock: a lock file, or a lease (whose fence tells whether it is still held).
#[derive(Debug)]
pub enum RunGuard {
    /// A lock file, released when dropped.
    File(RunLock),
    /// A lease in the shared state.
    Lease(Lease),
}

impl RunGuard {
    /// The fence of a lease (`None` for a lock file, which cannot be lost).
    pub fn fence(&self) -> Option<Fence> {
        match self {
            RunGuard::File(_) => None,
            RunGuard::Lease(lease) => Some(lease.fence()),
        }
    }

    /// Records the run holding a lease.
    pub async fn set_run(&self, run_id: i64) {
        if let RunGuard::Lease(lease) = self {
            if let Err(error) = lease.set_run(run_id).await {
                tracing::warn!(%error, "could not record the lease's run");
            }
        }
    }

    /// Gives the lock back.
    pub async fn release(self) {
        match self {
            RunGuard::File(lock) => drop(lock),
            RunGuard::Lease(lease) => lease.release().await,
        }
    }
}

impl RunStore {
    /// Opens (creating or migrating if needed) the state `config` names.
    pub async fn for_config(config: &Config) -> Result<Self, HistoryError> {
        match &config.shared_state {
            None => {
                let history = SqliteHistory::open(&config.state_path)?;
                Ok(Self {
                    journal: JournalStore::Sqlite(history.journal()),
                    history: History::Sqlite(history),
                    locks: Locks::Files(config.state_path.clone()),
                })
            }
            Some(settings) => {
                let state = PgState::open(settings).await.map_err(|e| {
                    if e.is_unreachable() {
                        HistoryError::unreachable(settings.masked_url(), e)
                    } else {
                        HistoryError::new(settings.masked_url(), e)
                    }
                })?;
                Ok(Self {
                    history: History::Postgres(PgHistory::new(state.clone())),
                    journal: JournalStore::Postgres(PgJournal::new(state.clone())),
                    locks: Locks::Leases(state),
                })
            }
        }
    }

    /// The run history.
    pub fn history(&self) -> &History {
        &self.history
    }

    /// The runs' write journals.
    pub fn journal(&self) -> &JournalStore {
        &self.journal
    }

    /// The shared state, when there is one.
    pub fn shared(&self) -> Option<&PgState> {
        match &self.locks {
            Locks::Files(_) => None,
            Locks::Leases(state) => Some(state),
        }
    }

    /// Takes the run lock of `syncer` without waiting; refused while a run of it is going, in
    /// this process or another (on any replica, for a shared state).
    pub async fn try_lock(&self, syncer: &str) -> Result<RunGuard, LockError> {
        match &self.locks {
            Locks::Files(path) => lock::try_lock(path, syncer).map(RunGuard::File),
            Locks::Leases(state) => match state.acquire(syncer).await {
                Ok(lease) => Ok(RunGuard::Lease(lease)),
                Err(LeaseError::Held { syncer, replica }) => {
                    Err(LockError::Leased { syncer, replica })
                }
                Err(LeaseError::State(error)) => Err(LockError::State(error.to_string())),
            },
        }
    }
}
