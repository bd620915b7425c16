//! The contract every source backend implements: test the connection, fetch a snapshot.

use async_trait::async_trait;
use serde::Serialize;

use crate::events::{DepartmentLookup, EventMode, EventSink, PersonLookup, PushReceiver};
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

impl FetchError {
    /// The error of a backend that does not implement what was asked (`what`: "reading one
    /// person", "change events").
    pub fn unsupported(what: &str) -> Self {
        Self {
            api: None,
            message: format!("this backend does not support {what}"),
        }
    }
}

/// A source directory (DingTalk, Lark, LDAP, ...), built by its plugin from config.
#[async_trait]
pub trait Syncer: Send + Sync {
    /// Proves what a sync needs: credentials and directory permissions, not just a token.
    async fn test_connection(&self) -> ConnectionReport;

    /// Reads every user and department. Parts that fail after retries are listed in
    /// [`Snapshot::failures`]; an `Err` means nothing usable was read.
    async fn fetch(&self, progress: &dyn FetchProgress) -> Result<Snapshot, FetchError>;

    /// Reads one person alone (an event named them): one call where the directory allows it.
    /// [`PersonLookup::Gone`] only when the directory says the id is not a member; any other
    /// failure is an `Err` (a person who cannot be read is never taken for a leaver).
    async fn fetch_person(&self, _id: &str) -> Result<PersonLookup, FetchError> {
        Err(FetchError::unsupported("reading one person"))
    }

    /// Reads one department alone (an event named it, or a person sits in one not seen yet).
    async fn fetch_department(&self, _id: &str) -> Result<DepartmentLookup, FetchError> {
        Err(FetchError::unsupported("reading one department"))
    }

    /// How this syncer's config says it receives change events.
    fn event_mode(&self) -> EventMode {
        EventMode::Off
    }

    /// [`EventMode::Stream`]: keeps the connection to the directory open and hands every event
    /// to `sink`, acknowledging it as the sink answers; reconnects by itself (backoff with
    /// jitter) after any drop. Runs until the future is dropped; an `Err` means it cannot work
    /// at all (credentials refused, not configured).
    async fn listen(&self, _sink: &dyn EventSink) -> Result<(), FetchError> {
        Err(FetchError::unsupported("change events by stream"))
    }

    /// [`EventMode::Http`]: the verifier and decoder of the directory's pushes.
    fn push_receiver(&self) -> Option<&dyn PushReceiver> {
        None
    }
}
