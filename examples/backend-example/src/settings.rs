//! The settings: the example's own keys (client id and secret, the events token) and the
//! shared remote block.

use std::sync::Arc;

use syncer_core::{ConfigField, ConfigKind, PluginConfig, PluginConfigError, Secret};
use syncer_remote::{RemotePresets, RemoteSettings};

use crate::webhook::Webhook;

/// Defaults and help texts of the shared keys (`endpoint`, `rate_limit`, `max_in_flight`,
/// `max_retries`, `timeout_seconds`).
pub const PRESETS: RemotePresets = RemotePresets {
    endpoint: "https://directory.example.com",
    endpoint_help: "The directory's base URL.",
    rate_limit: "10",
    rate_limit_help: "Calls per second per API; the directory allows 10.",
    max_in_flight: "4",
    max_in_flight_help: "Upper bound on calls in flight at once.",
    max_retries_help: "How often a busy, throttled, 5xx or unanswered call is retried.",
    timeout_help: "Timeout of one HTTP call.",
};

/// Every key the syncer table accepts: the example's own, then the shared block.
pub const CONFIG_FIELDS: &[ConfigField] = syncer_remote::config_fields!(PRESETS;
    ConfigField {
        name: "client_id",
        label: "Client ID",
        help: "The API client's id (admin console → API clients).",
        kind: ConfigKind::Text,
        required: true,
        secret: false,
        default: None,
    },
    ConfigField {
        name: "client_secret",
        label: "Client Secret",
        help: "The API client's secret; use ${VAR} to read it from the environment.",
        kind: ConfigKind::Text,
        required: true,
        secret: true,
        default: None,
    },
    ConfigField {
        name: "events_token",
        label: "Events token",
        help: "Set it to receive change events: the token the directory's webhook sends (admin console → Webhooks); use ${VAR} to read it from the environment.",
        kind: ConfigKind::Text,
        required: false,
        secret: true,
        default: None,
    },
);

/// Validated settings of one syncer.
#[derive(Clone, Debug)]
pub struct ExampleSettings {
    /// Client ID.
    pub client_id: String,
    /// Client Secret.
    pub client_secret: Secret,
    /// The shared block.
    pub remote: RemoteSettings,
    /// The receiver of the directory's webhook, when `events_token` is set.
    pub webhook: Option<Arc<Webhook>>,
}

impl ExampleSettings {
    /// Reads and range-checks the settings.
    pub fn from_config(config: &PluginConfig) -> Result<Self, PluginConfigError> {
        Ok(Self {
            client_id: config.text("client_id"),
            client_secret: config.secret("client_secret"),
            remote: RemoteSettings::from_config(config, &PRESETS)?,
            webhook: config
                .optional_text("events_token")
                .map(|token| Arc::new(Webhook::new(Secret::new(token)))),
        })
    }
}
