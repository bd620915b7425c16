//! The host's SQLite state file as each of its stores opens it: the folder created if needed,
//! WAL mode (a CLI run and `serve` share the file), a busy timeout, the store's tables; and the
//! blocking thread every statement runs on. Knows nothing of the tables themselves.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use parking_lot::Mutex;
use rusqlite::Connection;

/// How long a statement waits for another process's write to the file.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// A store's error, made of the file's path and what went wrong.
pub(crate) trait FileError {
    /// The error of the file at `path`.
    fn at(path: &Path, message: String) -> Self;
}

/// One store's connection to the state file.
#[derive(Clone)]
pub(crate) struct StateFile {
    path: PathBuf,
    db: Arc<Mutex<Connection>>,
}

impl StateFile {
    /// Opens (creating if needed) the file at `path` and applies `schemas` in order.
    pub(crate) fn open<E: FileError>(path: &Path, schemas: &[&str]) -> Result<Self, E> {
        Self::open_file(path, schemas).map_err(|message| E::at(path, message))
    }

    fn open_file(path: &Path, schemas: &[&str]) -> Result<Self, String> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|e| e.to_string())?;
        }
        let db = Connection::open(path).map_err(|e| e.to_string())?;
        db.pragma_update(None, "journal_mode", "WAL")
            .map_err(|e| e.to_string())?;
        db.busy_timeout(BUSY_TIMEOUT).map_err(|e| e.to_string())?;
        for schema in schemas {
            db.execute_batch(schema).map_err(|e| e.to_string())?;
        }
        Ok(Self {
            path: path.to_owned(),
            db: Arc::new(Mutex::new(db)),
        })
    }

    /// The file's path.
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// The connection itself, for a store that shares it.
    pub(crate) fn connection(&self) -> Arc<Mutex<Connection>> {
        self.db.clone()
    }

    /// Runs `work` on the connection on a blocking thread.
    pub(crate) async fn run<T: Send + 'static, E: FileError>(
        &self,
        work: impl FnOnce(&Connection) -> rusqlite::Result<T> + Send + 'static,
    ) -> Result<T, E> {
        let db = self.db.clone();
        let fail = |message: String| E::at(&self.path, message);
        tokio::task::spawn_blocking(move || work(&db.lock()))
            .await
            .map_err(|e| fail(e.to_string()))?
            .map_err(|e| fail(e.to_string()))
    }
}
