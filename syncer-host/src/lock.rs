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
    /// Another run of the syncer holds its lease in the shared state (on `replica`).
    #[error("another run of syncer {syncer} is in progress on replica {replica}")]
    Leased {
        /// The syncer.
        syncer: String,
        /// The replica running it.
        replica: String,
    },
    /// The shared state could not be asked for the lease; no run starts without one.
    #[error("no run starts while the shared state is unreachable: {0}")]
    State(String),
}

impl LockError {
    /// Whether another run holds the syncer (rather than the lock being unobtainable).
    pub fn is_busy(&self) -> bool {
        matches!(self, LockError::Busy(..) | LockError::Leased { .. })
    }
}

/// Longest encoded name used as is; longer ones are replaced by a digest (file names are
/// limited to 255 bytes on most file systems, and the state file's name comes before it).
const MAX_ENCODED: usize = 160;

/// The lock file of `syncer` beside the state database at `state_path`.
///
/// The name is an injective encoding of the syncer's name, so two syncers never share a lock:
/// lowercase ASCII letters, digits and `-` stay, every other byte (uppercase letters included,
/// because some file systems ignore case) becomes `_` and two lowercase hex digits. A name
/// whose encoding is too long becomes `_sha256_` and the hex SHA-256 of the name; `_s` never
/// starts an escape, so the two forms cannot meet.
pub fn lock_path(state_path: &Path, syncer: &str) -> PathBuf {
    let mut name = state_path.as_os_str().to_owned();
    name.push(format!(".{}.lock", encode(syncer)));
    PathBuf::from(name)
}

fn encode(syncer: &str) -> String {
    let mut out = String::with_capacity(syncer.len());
    for byte in syncer.bytes() {
        if byte.is_ascii_lowercase() || byte.is_ascii_digit() || byte == b'-' {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("_{byte:02x}"));
        }
    }
    if out.len() <= MAX_ENCODED {
        return out;
    }
    let digest = ring::digest::digest(&ring::digest::SHA256, syncer.as_bytes());
    let hex: String = digest
        .as_ref()
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect();
    format!("_sha256_{hex}")
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

    #[test]
    fn names_that_differ_only_in_unsafe_characters_get_their_own_locks() {
        let names = [
            "acme.dt",
            "acme_dt",
            "acme-dt",
            "acme dt",
            "acme/dt",
            "Acme-dt",
            "acme_2edt",
            "钉钉",
            "",
            "_",
        ];
        let paths: std::collections::BTreeSet<_> = names
            .iter()
            .map(|name| lock_path(Path::new("state.db"), name))
            .collect();
        assert_eq!(paths.len(), names.len(), "{paths:?}");
        assert_eq!(
            lock_path(Path::new("state.db"), "acme-dt"),
            Path::new("state.db.acme-dt.lock")
        );
        assert_eq!(
            lock_path(Path::new("state.db"), "acme.dt"),
            Path::new("state.db.acme_2edt.lock")
        );

        let dir = tempfile::tempdir().expect("tempdir");
        let state = dir.path().join("state.db");
        let _dotted = try_lock(&state, "acme.dt").expect("acme.dt");
        assert!(
            try_lock(&state, "acme_dt").is_ok(),
            "acme_dt is another syncer"
        );
    }

    #[test]
    fn very_long_names_get_a_digest_that_fits_a_file_name() {
        let long = "部门".repeat(100);
        let other = format!("{long}x");
        let path = lock_path(Path::new("state.db"), &long);
        let file = path
            .file_name()
            .expect("name")
            .to_string_lossy()
            .into_owned();
        assert!(file.len() < 255 && file.contains("_sha256_"), "{file}");
        assert_ne!(path, lock_path(Path::new("state.db"), &other));
        let dir = tempfile::tempdir().expect("tempdir");
        assert!(try_lock(&dir.path().join("state.db"), &long).is_ok());
    }
}
