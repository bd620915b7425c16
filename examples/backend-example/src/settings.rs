//! The settings: the API client's credentials, the example's own key (the events token) and the
//! shared remote block. Their names, labels, help texts and defaults are data (`config.toml`);
//! what is code is reading and checking the values.

use std::sync::Arc;

use syncer_core::{PluginConfig, PluginConfigError, Secret};
use syncer_remote::{AppCredentials, RemoteSettings};

use crate::webhook::Webhook;

// PRESETS, APP_KEYS and CONFIG_FIELDS: the keys of config.toml, as build.rs generates them.
include!(concat!(env!("OUT_DIR"), "/config_table.rs"));

/// Validated settings of one syncer.
#[derive(Clone, Debug)]
pub struct ExampleSettings {
    /// Client ID and Client Secret.
    pub app: AppCredentials,
    /// The shared block.
    pub remote: RemoteSettings,
    /// The receiver of the directory's webhook, when `events_token` is set.
    pub webhook: Option<Arc<Webhook>>,
}

impl ExampleSettings {
    /// Reads and range-checks the settings.
    pub fn from_config(config: &PluginConfig) -> Result<Self, PluginConfigError> {
        Ok(Self {
            app: AppCredentials::from_config(config, &APP_KEYS),
            remote: RemoteSettings::from_config(config, &PRESETS)?,
            webhook: config
                .optional_text("events_token")
                .map(|token| Arc::new(Webhook::new(Secret::new(token)))),
        })
    }
}
