//! The contract every source backend implements: test the connection, fetch a snapshot.

use async_trait::async_trait;
use serde::Serialize;

use crate::snapshot::{FetchProgress, Snapshot};

/// One probe of Test Connection (credentials, a permission, a reachable API).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ConnectionCheck {
    /// What was checked, e.g. `credentials`, `department list permission`.
    pub name: String,
    /// Whether it passed.
    pub ok: bool,
    /// What was found; on failure, what to fix and where.
    pub message: String,
}

impl ConnectionCheck {
    /// A passed check.
    pub fn passed(name: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            ok: true,
            message: message.into(),
        }
    }

    /// A failed check.
    pub fn failed(name: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            ok: false,
            message: message.into(),
        }
    }
}

/// The outcome of Test Connection: every check made, in order.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ConnectionReport {
    /// Checks made; a failed check usually ends the probing.
    pub checks: Vec<ConnectionCheck>,
}

impl ConnectionReport {
    /// Whether every check passed (and there was at least one).
    pub fn ok(&self) -> bool {
        !self.checks.is_empty() && self.checks.iter().all(|check| check.ok)
    }

    /// One sentence for a UI: the first failure, or that all passed.
    pub fn summary(&self) -> String {
        match self.checks.iter().find(|check| !check.ok) {
            Some(check) => check.message.clone(),
            None if self.checks.is_empty() => "nothing was checked".to_owned(),
            None => format!("all {} checks passed", self.checks.len()),
        }
    }
}

/// A fetch that could not produce any snapshot at all (no token, root unreadable).
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct FetchError {
    /// The API that failed, when one did.
    pub api: Option<String>,
    /// What happened and what the operator should do.
    pub message: String,
}

/// A source directory (DingTalk, Lark, LDAP, ...), built by its plugin from config.
#[async_trait]
pub trait Syncer: Send + Sync {
    /// Proves what a sync needs: credentials and directory permissions, not just a token.
    async fn test_connection(&self) -> ConnectionReport;

    /// Reads every user and department. Parts that fail after retries are listed in
    /// [`Snapshot::failures`]; an `Err` means nothing usable was read.
    async fn fetch(&self, progress: &dyn FetchProgress) -> Result<Snapshot, FetchError>;
}
