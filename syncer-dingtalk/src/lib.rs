//! # syncer-dingtalk
//!
//! The DingTalk (钉钉) backend of syncer. It reads every department of an organization from the
//! root down and every member of every department with the paged full-detail
//! `/topapi/v2/user/list` (never one call per person), merges people who sit in several
//! departments, and offers their fields for mapping. It registers itself with the plugin
//! registry under the type name `DingTalk` and knows nothing of the host or of IAM.
//!
//! It only says what DingTalk is: its settings, its APIs ([`api`]), what its answers mean
//! ([`error`]), how it walks the tree and how members become records. The
//! call loop (rate limit, token, retries, throttling, token renewal, the monthly quota) is
//! `syncer-remote`'s.

pub mod api;
mod connection;
pub mod error;
mod fetch;
mod records;
pub mod remote;
pub mod settings;

use async_trait::async_trait;
use syncer_core::{
    ConnectionCheck, ConnectionReport, FetchError, FetchProgress, PluginConfig, PluginConfigError,
    PluginDescriptor, Snapshot, Syncer,
};

pub use error::{ApiFailure, DingTalkError, ErrorClass};
pub use records::{DEFAULT_MAPPING, SOURCE_FIELDS};
pub use remote::{DingTalkApp, DingTalkCaller};
pub use settings::{DingTalkSettings, CONFIG_FIELDS};

/// The type name users write in config.
pub const TYPE_NAME: &str = "DingTalk";

/// A DingTalk organization as a syncer source.
pub struct DingTalkSyncer {
    settings: DingTalkSettings,
}

impl DingTalkSyncer {
    /// A syncer for the app in `settings`.
    pub fn new(settings: DingTalkSettings) -> Self {
        Self { settings }
    }

    /// A fresh call loop: its call counts are one run's.
    fn caller(&self) -> Result<DingTalkCaller, DingTalkError> {
        remote::caller(&self.settings)
    }
}

#[async_trait]
impl Syncer for DingTalkSyncer {
    async fn test_connection(&self) -> ConnectionReport {
        match self.caller() {
            Ok(caller) => {
                connection::test_connection(&caller, &self.settings.remote.endpoint).await
            }
            Err(error) => ConnectionReport {
                checks: vec![ConnectionCheck::failed("credentials", error.to_string())],
            },
        }
    }

    async fn fetch(&self, progress: &dyn FetchProgress) -> Result<Snapshot, FetchError> {
        let caller = self.caller().map_err(|error| error.to_fetch_error())?;
        fetch::fetch_directory(&caller, progress).await
    }
}

fn build(config: &PluginConfig) -> Result<Box<dyn Syncer>, PluginConfigError> {
    Ok(Box::new(DingTalkSyncer::new(
        DingTalkSettings::from_config(config)?,
    )))
}

inventory::submit! {
    PluginDescriptor {
        type_name: TYPE_NAME,
        description: "Imports every member of a DingTalk (钉钉) organization, from all departments at any depth, through an internal app's App Key and App Secret.",
        config_fields: CONFIG_FIELDS,
        source_fields: SOURCE_FIELDS,
        default_mapping: DEFAULT_MAPPING,
        build,
    }
}
