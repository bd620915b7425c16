//! # syncer-dingtalk
//!
//! The DingTalk (钉钉) backend of syncer. It reads every department of an organization from the
//! root down and every member of every department with the paged full-detail
//! `/topapi/v2/user/list` (never one call per person), merges people who sit in several
//! departments, and offers their fields for mapping. It registers itself with the plugin
//! registry under the type name `DingTalk` and knows nothing of the host or of IAM.
//!
//! Calls go through a per-app rate limiter, retry busy/throttled/5xx answers with backoff and
//! refresh the token when DingTalk says it expired.

pub mod api;
pub mod client;
mod connection;
pub mod error;
mod fetch;
pub mod push_crypto;
mod records;
pub mod settings;

use async_trait::async_trait;
use syncer_core::{
    ConnectionReport, FetchError, FetchProgress, PluginConfig, PluginConfigError, PluginDescriptor,
    Snapshot, Syncer,
};

pub use client::DingTalkClient;
pub use error::{ApiFailure, DingTalkError, ErrorClass};
pub use records::{DEFAULT_MAPPING, SOURCE_FIELDS};
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

    fn client(&self) -> DingTalkClient {
        DingTalkClient::new(self.settings.clone())
    }
}

#[async_trait]
impl Syncer for DingTalkSyncer {
    async fn test_connection(&self) -> ConnectionReport {
        connection::test_connection(&self.client(), &self.settings.endpoint).await
    }

    async fn fetch(&self, progress: &dyn FetchProgress) -> Result<Snapshot, FetchError> {
        fetch::fetch_directory(&self.client(), progress).await
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
