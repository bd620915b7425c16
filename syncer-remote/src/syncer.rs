//! [`RemoteSyncer`]: a remote backend's settings made a [`Syncer`]. Each operation gets a fresh
//! [`Caller`] (so a run's call counts are its own), and a caller that cannot be built (no HTTP
//! client) is a failed check or a fetch error, never a panic. The backend says, through
//! [`Directory`], how to build its caller, test the connection and fetch.

use async_trait::async_trait;
use syncer_core::{ConnectionCheck, ConnectionReport, FetchError, FetchProgress, Snapshot, Syncer};

use crate::caller::{Caller, Remote};
use crate::error::CallError;

/// The failure of remote `D::App`'s calls.
pub type DirectoryError<D> = CallError<<<D as Directory>::App as Remote>::Failure>;

/// What a remote backend's settings do as a syncer source.
#[async_trait]
pub trait Directory: Send + Sync + 'static {
    /// The remote the backend calls.
    type App: Remote;
    /// A fresh call loop for the app these settings name.
    fn caller(&self) -> Result<Caller<Self::App>, DirectoryError<Self>>;
    /// Test Connection with `caller`.
    async fn test_connection(&self, caller: &Caller<Self::App>) -> ConnectionReport;
    /// The whole directory, read with `caller`.
    async fn fetch(
        &self,
        caller: &Caller<Self::App>,
        progress: &dyn FetchProgress,
    ) -> Result<Snapshot, FetchError>;
}

/// A remote directory as a syncer source, with the settings `D`.
pub struct RemoteSyncer<D> {
    settings: D,
}

impl<D> RemoteSyncer<D> {
    /// A syncer with `settings`.
    pub fn new(settings: D) -> Self {
        Self { settings }
    }
}

#[async_trait]
impl<D: Directory> Syncer for RemoteSyncer<D> {
    async fn test_connection(&self) -> ConnectionReport {
        match self.settings.caller() {
            Ok(caller) => self.settings.test_connection(&caller).await,
            Err(error) => ConnectionReport {
                checks: vec![ConnectionCheck::failed("credentials", error.to_string())],
            },
        }
    }

    async fn fetch(&self, progress: &dyn FetchProgress) -> Result<Snapshot, FetchError> {
        let caller = self
            .settings
            .caller()
            .map_err(|error| error.to_fetch_error())?;
        self.settings.fetch(&caller, progress).await
    }
}
