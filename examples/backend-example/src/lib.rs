//! # syncer-backend-example
//!
//! The backend `docs/writing-a-backend.md` builds, for a small made-up directory API: settings,
//! api, classify, fetch, records, register, change events — and no retry, token or rate-limit code of its own
//! (that is `syncer-remote`'s call loop). It registers under the type name `Example`; the host
//! does not link it.

pub mod api;
pub mod error;
mod fetch;
mod person;
mod records;
pub mod remote;
pub mod settings;
pub mod webhook;

use async_trait::async_trait;
use syncer_core::{
    ConnectionCheck, ConnectionReport, EventMode, FetchError, FetchProgress, NoProgress,
    PersonLookup, PluginConfig, PluginConfigError, PluginDescriptor, PushReceiver,
    ScheduleDefaults, Snapshot, Syncer,
};
use syncer_remote::{read_directory, Caller, Directory, DirectoryError, RemoteSyncer};

pub use records::{DEFAULT_MAPPING, SOURCE_FIELDS};
pub use remote::ExampleApp;
pub use settings::{ExampleSettings, CONFIG_FIELDS};

/// The type name users write in config.
pub const TYPE_NAME: &str = "Example";

/// The directory as a syncer source.
pub type ExampleSyncer = RemoteSyncer<ExampleSettings>;

#[async_trait]
impl Directory for ExampleSettings {
    type App = ExampleApp;

    fn caller(&self) -> Result<Caller<ExampleApp>, DirectoryError<Self>> {
        remote::caller(self)
    }

    async fn test_connection(&self, caller: &Caller<ExampleApp>) -> ConnectionReport {
        let check = match read_directory(caller, &NoProgress).await {
            Ok(read) => ConnectionCheck::passed("read", format!("{} people", read.users.len())),
            Err(error) => ConnectionCheck::failed("read", error.message),
        };
        ConnectionReport {
            checks: vec![check],
        }
    }

    async fn fetch(
        &self,
        caller: &Caller<ExampleApp>,
        progress: &dyn FetchProgress,
    ) -> Result<Snapshot, FetchError> {
        read_directory(caller, progress).await
    }

    async fn fetch_person(
        &self,
        caller: &Caller<ExampleApp>,
        id: &str,
    ) -> Result<PersonLookup, FetchError> {
        person::fetch_person(caller, id).await
    }

    fn event_mode(&self) -> EventMode {
        match self.webhook {
            Some(_) => EventMode::Http,
            None => EventMode::Off,
        }
    }

    fn push_receiver(&self) -> Option<&dyn PushReceiver> {
        let webhook = self.webhook.as_deref()?;
        Some(webhook)
    }
}

fn build(config: &PluginConfig) -> Result<Box<dyn Syncer>, PluginConfigError> {
    let settings = ExampleSettings::from_config(config)?;
    Ok(Box::new(ExampleSyncer::configured(settings, config)))
}

inventory::submit! {
    PluginDescriptor {
        type_name: TYPE_NAME,
        description: "Imports every person of the Example Directory (the backend of docs/writing-a-backend.md).",
        config_fields: CONFIG_FIELDS,
        source_fields: SOURCE_FIELDS,
        default_mapping: DEFAULT_MAPPING,
        schedule: ScheduleDefaults::UNMETERED,
        build,
    }
}
