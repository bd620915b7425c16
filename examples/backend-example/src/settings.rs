//! The settings: the API client's credentials, the example's own key (the events token) and the
//! shared remote block.

use std::sync::Arc;

use syncer_core::{ConfigField, ConfigKind, PluginConfig, PluginConfigError, Secret};
use syncer_remote::{AppCredentials, AppKeys, RemotePresets, RemoteSettings};

use crate::webhook::Webhook;

/// Defaults and help texts of the shared keys (`endpoint`, `rate_limit`, `max_in_flight`,
/// `max_retries`, `timeout_seconds`).
pub const PRESETS: RemotePresets = RemotePresets {
    endpoint: "https://directory.example.com",
    endpoint_help: "The directory's base URL.",
    rate_limit: "10",
    rate_limit_help: "Calls per second per API; the directory allows 10.",
    max_in_flight: "4",
};

/// How the directory names an API client's credentials, and where the admin console shows them.
pub const APP_KEYS: AppKeys = AppKeys {
    id: "client_id",
    id_label: "Client ID",
    id_help: "The API client's id (admin console → API clients).",
    secret: "client_secret",
    secret_label: "Client Secret",
    secret_help: "The API client's secret; use ${VAR} to read it from the environment.",
};

/// Every key the syncer table accepts: the client's credentials, the example's own, then the
/// shared block.
pub const CONFIG_FIELDS: &[ConfigField] = syncer_remote::config_fields!(PRESETS, APP_KEYS;
    ConfigField::new(
        "events_token",
        "Events token",
        ConfigKind::Text,
        "Set it to receive change events: the token the directory's webhook sends (admin console → Webhooks); use ${VAR} to read it from the environment.",
    )
    .secret(),
);

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
