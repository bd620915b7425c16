//! # syncer-lark
//!
//! The Lark / Feishu (飞书) backend of syncer. It takes a tenant access token from a custom
//! app's App ID and App Secret, walks every department from the root `0` with contact v3's
//! `departments/:id/children`, reads every department's people with `users/find_by_department`
//! (both paged with `page_token` / `has_more`, 50 per page), merges people who sit in several
//! departments, and offers their fields for mapping. It registers itself with the plugin
//! registry under the type name `Lark` and knows nothing of the host or of IAM.
//!
//! Calls go through the shared per-app rate limiter, retry frequency limits, internal errors,
//! 5xx and connection failures with backoff, and refresh the token when Lark refuses it
//! (`syncer-remote` provides all three). The API facts it relies on are in `docs/lark-api.md`.
//!
//! ```
//! let lark = syncer_core::find_plugin(syncer_lark::TYPE_NAME).expect("registered");
//! assert!(lark.config_fields.iter().any(|f| f.name == "app_secret" && f.secret));
//! ```

pub mod api;
pub mod callback_crypto;
pub mod client;
mod connection;
pub mod error;
mod fetch;
mod records;
pub mod settings;

use async_trait::async_trait;
use syncer_core::{
    ConnectionReport, FetchError, FetchProgress, PluginConfig, PluginConfigError, PluginDescriptor,
    Snapshot, Syncer,
};

pub use client::LarkClient;
pub use error::{ApiFailure, ErrorClass, LarkError};
pub use fetch::ROOT_NAME_FALLBACK;
pub use records::{DEFAULT_MAPPING, SOURCE_FIELDS};
pub use settings::{LarkSettings, CONFIG_FIELDS};

/// The type name users write in config.
pub const TYPE_NAME: &str = "Lark";

/// A Lark tenant as a syncer source.
pub struct LarkSyncer {
    settings: LarkSettings,
}

impl LarkSyncer {
    /// A syncer for the app in `settings`.
    pub fn new(settings: LarkSettings) -> Self {
        Self { settings }
    }

    fn client(&self) -> LarkClient {
        LarkClient::new(self.settings.clone())
    }
}

#[async_trait]
impl Syncer for LarkSyncer {
    async fn test_connection(&self) -> ConnectionReport {
        connection::test_connection(&self.client(), &self.settings.endpoint).await
    }

    async fn fetch(&self, progress: &dyn FetchProgress) -> Result<Snapshot, FetchError> {
        fetch::fetch_directory(&self.client(), progress).await
    }
}

fn build(config: &PluginConfig) -> Result<Box<dyn Syncer>, PluginConfigError> {
    Ok(Box::new(LarkSyncer::new(LarkSettings::from_config(
        config,
    )?)))
}

inventory::submit! {
    PluginDescriptor {
        type_name: TYPE_NAME,
        description: "Imports every person of a Lark / Feishu (飞书) tenant, from all departments at any depth, through a custom app's App ID and App Secret (contact v3 API).",
        config_fields: CONFIG_FIELDS,
        source_fields: SOURCE_FIELDS,
        default_mapping: DEFAULT_MAPPING,
        build,
    }
}
