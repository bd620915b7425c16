//! The run store of a `[state] path`: the run history and the per-syncer run locks, the two
//! things every process sharing that path must agree on. Today SQLite beside lock files on
//! this machine ([`History`], [`crate::lock`]); a shared store for several replicas replaces
//! this one module. Knows nothing of targets, sources or HTTP.

use std::path::{Path, PathBuf};

use crate::history::{History, HistoryError};
use crate::lock::{self, LockError, RunLock};

/// The run history and run locks at one state path.
pub struct RunStore {
    history: History,
    state_path: PathBuf,
}

impl RunStore {
    /// Opens (creating if needed) the history at `state_path`; locks go beside it.
    pub fn open(state_path: &Path) -> Result<Self, HistoryError> {
        Ok(Self {
            history: History::open(state_path)?,
            state_path: state_path.to_owned(),
        })
    }

    /// The run history.
    pub fn history(&self) -> &History {
        &self.history
    }

    /// Takes the run lock of `syncer` without waiting; refused while a run of it is going, in
    /// this process or another.
    pub fn try_lock(&self, syncer: &str) -> Result<RunLock, LockError> {
        lock::try_lock(&self.state_path, syncer)
    }
}
