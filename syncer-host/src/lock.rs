//! One run per syncer at a time, also across processes on this machine: an exclusive lock on a
//! file per syncer next to the host's state database. The OS drops the lock when the process
//! dies, so a crash never leaves a syncer locked.

use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};

/// A held run lock; released when dropped.
#[derive(Debug)]
pub struct RunLock {
    _file: File,
}

/// Why a run lock could not be taken.
#[derive(Debug, thiserror::Error)]
pub enum LockError {
    /// Another run of the syncer holds it.
    #[error("another run of syncer {0} is in progress (lock file {1})")]
    Busy(String, PathBuf),
    /// The lock file could not be opened.
    #[error("cannot open lock file {0}: {1}")]
    Io(PathBuf, std::io::Error),
}

/// The lock file of `syncer` beside the state database at `state_path`.
pub fn lock_path(state_path: &Path, syncer: &str) -> PathBuf {
    let safe: String = syncer
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let mut name = state_path.as_os_str().to_owned();
    name.push(format!(".{safe}.lock"));
    PathBuf::from(name)
}

/// Takes the run lock of `syncer` without waiting.
pub fn try_lock(state_path: &Path, syncer: &str) -> Result<RunLock, LockError> {
    let path = lock_path(state_path, syncer);
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|e| LockError::Io(path.clone(), e))?;
    }
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| LockError::Io(path.clone(), e))?;
    match file.try_lock() {
        Ok(()) => Ok(RunLock { _file: file }),
        Err(std::fs::TryLockError::WouldBlock) => Err(LockError::Busy(syncer.to_owned(), path)),
        Err(std::fs::TryLockError::Error(e)) => Err(LockError::Io(path, e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn second_lock_of_same_syncer_is_refused_until_released() {
        let dir = tempfile::tempdir().expect("tempdir");
        let state = dir.path().join("state.db");
        let first = try_lock(&state, "acme").expect("first lock");
        assert!(matches!(try_lock(&state, "acme"), Err(LockError::Busy(..))));
        assert!(try_lock(&state, "other").is_ok());
        drop(first);
        assert!(try_lock(&state, "acme").is_ok());
    }
}
