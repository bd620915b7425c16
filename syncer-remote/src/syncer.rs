//! [`RemoteSyncer`]: a remote backend's settings made a [`Syncer`]. Each operation gets a fresh
//! [`Caller`] (so a run's call counts are its own), and a caller that cannot be built (no HTTP
//! client) is a failed check or a fetch error, never a panic. The backend says, through
//! [`Directory`], how to build its caller, test the connection and fetch, and (when it has
//! change events) how to read one person or department and how its events arrive.
//!
//! Every caller it makes counts its requests on the host's meter (the plugin config's
//! [`syncer_core::CallMeter`]), and a fetch during which the remote said its API quota is used
//! up fails as a whole: a directory read that stopped there is no snapshot to deprovision on.

use async_trait::async_trait;
use syncer_core::{
    ConnectionCheck, ConnectionReport, DepartmentLookup, EventMode, EventSink, FetchError,
    FetchProgress, PersonLookup, PluginConfig, PluginConfigError, PushReceiver, SharedMeter,
    Snapshot, Syncer,
};

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

    /// One person alone, read with `caller` (see [`Syncer::fetch_person`]).
    async fn fetch_person(
        &self,
        _caller: &Caller<Self::App>,
        _id: &str,
    ) -> Result<PersonLookup, FetchError> {
        Err(FetchError::unsupported("reading one person"))
    }

    /// One department alone, read with `caller` (see [`Syncer::fetch_department`]).
    async fn fetch_department(
        &self,
        _caller: &Caller<Self::App>,
        _id: &str,
    ) -> Result<DepartmentLookup, FetchError> {
        Err(FetchError::unsupported("reading one department"))
    }

    /// How the settings say change events arrive.
    fn event_mode(&self) -> EventMode {
        EventMode::Off
    }

    /// The event stream (see [`Syncer::listen`]); its own calls (opening connections) count on
    /// `meter` like every other call of the syncer.
    async fn listen(
        &self,
        _sink: &dyn EventSink,
        _meter: Option<SharedMeter>,
    ) -> Result<(), FetchError> {
        Err(FetchError::unsupported("change events by stream"))
    }

    /// The verifier and decoder of pushed events (see [`Syncer::push_receiver`]).
    fn push_receiver(&self) -> Option<&dyn PushReceiver> {
        None
    }
}

/// Settings read from a validated plugin config.
pub trait FromConfig: Sized {
    /// Reads and range-checks the settings.
    fn from_config(config: &PluginConfig) -> Result<Self, PluginConfigError>;
}

/// A remote directory as a syncer source, with the settings `D`.
pub struct RemoteSyncer<D> {
    settings: D,
    meter: Option<SharedMeter>,
}

impl<D> RemoteSyncer<D> {
    /// A syncer with `settings` (its calls counted on no meter).
    pub fn new(settings: D) -> Self {
        Self {
            settings,
            meter: None,
        }
    }

    /// A syncer with `settings`, counting its calls on the meter the host put in `config`.
    pub fn configured(settings: D, config: &PluginConfig) -> Self {
        Self {
            settings,
            meter: config.meter(),
        }
    }

    /// The settings.
    pub fn settings(&self) -> &D {
        &self.settings
    }
}

impl<D: Directory + FromConfig> RemoteSyncer<D> {
    /// The syncer a plugin config describes (a plugin descriptor's `build`): its settings, and
    /// the host's meter for its calls.
    pub fn build(config: &PluginConfig) -> Result<Box<dyn Syncer>, PluginConfigError> {
        Ok(Box::new(Self::configured(D::from_config(config)?, config)))
    }
}

impl<D: Directory> RemoteSyncer<D> {
    /// A fresh call loop for one operation, counting on the host's meter. Every operation of
    /// the syncer (events included) takes its caller here, so no call goes uncounted.
    pub fn caller(&self) -> Result<Caller<D::App>, DirectoryError<D>> {
        Ok(self.settings.caller()?.metered_by(self.meter.clone()))
    }
}

#[async_trait]
impl<D: Directory> Syncer for RemoteSyncer<D> {
    async fn test_connection(&self) -> ConnectionReport {
        match self.caller() {
            Ok(caller) => self.settings.test_connection(&caller).await,
            Err(error) => ConnectionReport {
                checks: vec![ConnectionCheck::failed("credentials", error.to_string())],
            },
        }
    }

    async fn fetch(&self, progress: &dyn FetchProgress) -> Result<Snapshot, FetchError> {
        let caller = self.caller().map_err(|error| error.to_fetch_error())?;
        let fetched = self.settings.fetch(&caller, progress).await;
        match caller.quota_exhausted() {
            Some(error) => Err(error.to_fetch_error()),
            None => fetched,
        }
    }

    async fn fetch_person(&self, id: &str) -> Result<PersonLookup, FetchError> {
        let caller = self.caller().map_err(|error| error.to_fetch_error())?;
        self.settings.fetch_person(&caller, id).await
    }

    async fn fetch_department(&self, id: &str) -> Result<DepartmentLookup, FetchError> {
        let caller = self.caller().map_err(|error| error.to_fetch_error())?;
        self.settings.fetch_department(&caller, id).await
    }

    fn event_mode(&self) -> EventMode {
        self.settings.event_mode()
    }

    async fn listen(&self, sink: &dyn EventSink) -> Result<(), FetchError> {
        self.settings.listen(sink, self.meter.clone()).await
    }

    fn push_receiver(&self) -> Option<&dyn PushReceiver> {
        self.settings.push_receiver()
    }
}
