//! # syncer-dingtalk
//!
//! The DingTalk (钉钉) backend of syncer. It reads every department of an organization from the
//! root down and every member of every department with the paged full-detail
//! `/topapi/v2/user/list` (never one call per person), merges people who sit in several
//! departments, and offers their fields for mapping. It registers itself with the plugin
//! registry under the type name `DingTalk` and knows nothing of the host or of IAM.
//!
//! Change events come by Stream mode ([`stream`]: an outbound WebSocket) or by HTTP push
//! ([`push`]: signed and encrypted requests the host receives); each names people or
//! departments, which are then read alone (`user/get`, `department/get`) with the full fetch's
//! own record builder.
//!
//! It only says what DingTalk is: its settings, its APIs ([`api`]), what its answers mean
//! ([`error`]), how it walks the tree and how members become records. The
//! call loop (rate limit, token, retries, throttling, token renewal, the monthly quota) is
//! `syncer-remote`'s.

pub mod api;
mod connection;
pub mod error;
pub mod event_settings;
pub mod events;
mod fetch;
mod lookup;
pub mod push;
pub mod push_crypto;
mod records;
pub mod remote;
pub mod settings;
pub mod stream;

use async_trait::async_trait;
use syncer_core::{
    ConnectionReport, DepartmentLookup, EventMode, EventSink, FetchError, FetchProgress,
    PersonLookup, PluginConfig, PluginConfigError, PluginDescriptor, PushReceiver,
    ScheduleDefaults, Snapshot, Syncer,
};
use syncer_remote::{Directory, DirectoryError, RemoteSyncer};

pub use error::{ApiFailure, DingTalkError, ErrorClass};
pub use records::{DEFAULT_MAPPING, SOURCE_FIELDS};
pub use remote::{DingTalkApp, DingTalkCaller};
pub use settings::{DingTalkSettings, CONFIG_FIELDS};

/// The type name users write in config.
pub const TYPE_NAME: &str = "DingTalk";

/// A DingTalk organization as a syncer source.
pub type DingTalkSyncer = RemoteSyncer<DingTalkSettings>;

#[async_trait]
impl Directory for DingTalkSettings {
    type App = DingTalkApp;

    fn caller(&self) -> Result<DingTalkCaller, DirectoryError<Self>> {
        remote::caller(self)
    }

    async fn test_connection(&self, caller: &DingTalkCaller) -> ConnectionReport {
        connection::test_connection(caller, &self.remote.endpoint).await
    }

    async fn fetch(
        &self,
        caller: &DingTalkCaller,
        progress: &dyn FetchProgress,
    ) -> Result<Snapshot, FetchError> {
        fetch::fetch_directory(caller, progress).await
    }

    async fn fetch_person(
        &self,
        caller: &DingTalkCaller,
        id: &str,
    ) -> Result<PersonLookup, FetchError> {
        lookup::fetch_person(caller, id).await
    }

    async fn fetch_department(
        &self,
        caller: &DingTalkCaller,
        id: &str,
    ) -> Result<DepartmentLookup, FetchError> {
        lookup::fetch_department(caller, id).await
    }

    fn event_mode(&self) -> EventMode {
        self.events.mode
    }

    async fn listen(
        &self,
        sink: &dyn EventSink,
        meter: Option<syncer_core::SharedMeter>,
    ) -> Result<(), FetchError> {
        stream::listen(self, sink, meter).await
    }

    fn push_receiver(&self) -> Option<&dyn PushReceiver> {
        self.events
            .push
            .as_deref()
            .map(|push| push as &dyn PushReceiver)
    }
}

fn build(config: &PluginConfig) -> Result<Box<dyn Syncer>, PluginConfigError> {
    Ok(Box::new(DingTalkSyncer::configured(
        DingTalkSettings::from_config(config)?,
        config,
    )))
}

inventory::submit! {
    PluginDescriptor {
        type_name: TYPE_NAME,
        description: "Imports every member of a DingTalk (钉钉) organization, from all departments at any depth, through an internal app's App Key and App Secret.",
        config_fields: CONFIG_FIELDS,
        source_fields: SOURCE_FIELDS,
        default_mapping: DEFAULT_MAPPING,
        // The free edition's 10,000 metered calls a month for the whole organization: a daily
        // full sync of a 3,000-person company (~300 calls) stays inside it, an hourly one
        // spends it in two days.
        schedule: ScheduleDefaults {
            sync_interval_seconds: 86_400,
            monthly_call_budget: Some(10_000),
        },
        build,
    }
}
