//! The DingTalk syncer's settings, read from its validated plugin config.

use std::time::Duration;

use syncer_core::{ConfigField, ConfigKind, PluginConfig, PluginConfigError, Secret};

/// The public DingTalk oapi base URL.
pub const DEFAULT_ENDPOINT: &str = "https://oapi.dingtalk.com";

/// The config keys a DingTalk syncer accepts (beside the host's common keys).
pub const CONFIG_FIELDS: &[ConfigField] = &[
    ConfigField {
        name: "app_key",
        label: "App Key",
        help: "The internal app's AppKey (developer console → your app → Credentials).",
        kind: ConfigKind::Text,
        required: true,
        secret: false,
        default: None,
    },
    ConfigField {
        name: "app_secret",
        label: "App Secret",
        help: "The internal app's AppSecret, next to the AppKey; use ${VAR} to read it from the environment.",
        kind: ConfigKind::Text,
        required: true,
        secret: true,
        default: None,
    },
    ConfigField {
        name: "endpoint",
        label: "API endpoint",
        help: "DingTalk oapi base URL; override only for a proxy or a test server.",
        kind: ConfigKind::Url,
        required: false,
        secret: false,
        default: Some(DEFAULT_ENDPOINT),
    },
    ConfigField {
        name: "rate_limit",
        label: "Rate limit (calls/s per API)",
        help: "Calls per second per DingTalk API: 20 on the standard edition, 40 professional, 60 exclusive.",
        kind: ConfigKind::Number,
        required: false,
        secret: false,
        default: Some("20"),
    },
    ConfigField {
        name: "max_in_flight",
        label: "Concurrent calls",
        help: "Upper bound on DingTalk calls in flight at once.",
        kind: ConfigKind::Integer,
        required: false,
        secret: false,
        default: Some("16"),
    },
    ConfigField {
        name: "max_retries",
        label: "Retries per call",
        help: "How often a call is retried on busy, throttled, 5xx or connection errors before its department is marked failed.",
        kind: ConfigKind::Integer,
        required: false,
        secret: false,
        default: Some("5"),
    },
    ConfigField {
        name: "timeout_seconds",
        label: "Call timeout (s)",
        help: "Timeout of one HTTP call to DingTalk.",
        kind: ConfigKind::Integer,
        required: false,
        secret: false,
        default: Some("30"),
    },
];

/// Validated settings of one DingTalk syncer.
#[derive(Clone, Debug)]
pub struct DingTalkSettings {
    /// Base URL without trailing slash.
    pub endpoint: String,
    /// App Key.
    pub app_key: String,
    /// App Secret.
    pub app_secret: Secret,
    /// Calls per second per API.
    pub rate_limit: f64,
    /// Calls in flight at most.
    pub max_in_flight: usize,
    /// Retries per call.
    pub max_retries: u32,
    /// Timeout of one call.
    pub timeout: Duration,
}

impl DingTalkSettings {
    /// Reads and range-checks the settings.
    pub fn from_config(config: &PluginConfig) -> Result<Self, PluginConfigError> {
        let positive = |key: &str, min: f64, max: f64| -> Result<f64, PluginConfigError> {
            let value = config.number(key).unwrap_or(min);
            if value < min || value > max || !value.is_finite() {
                return Err(PluginConfigError::InvalidValue {
                    key: key.to_owned(),
                    problem: format!("must be between {min} and {max}, got {value}"),
                });
            }
            Ok(value)
        };
        Ok(Self {
            endpoint: config
                .optional_text("endpoint")
                .unwrap_or_else(|| DEFAULT_ENDPOINT.to_owned()),
            app_key: config.text("app_key"),
            app_secret: config.secret("app_secret"),
            rate_limit: positive("rate_limit", 0.1, 10_000.0)?,
            max_in_flight: positive("max_in_flight", 1.0, 1_000.0)? as usize,
            max_retries: positive("max_retries", 0.0, 20.0)? as u32,
            timeout: Duration::from_secs(positive("timeout_seconds", 1.0, 600.0)? as u64),
        })
    }
}
