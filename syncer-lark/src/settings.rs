//! The Lark syncer's settings, read from its validated plugin config.

use std::time::Duration;

use syncer_core::{ConfigField, ConfigKind, PluginConfig, PluginConfigError, Secret};

/// The Feishu (China) open platform; Lark (international) is `https://open.larksuite.com`.
pub const DEFAULT_ENDPOINT: &str = "https://open.feishu.cn";

/// The config keys a Lark syncer accepts (beside the host's common keys).
pub const CONFIG_FIELDS: &[ConfigField] = &[
    ConfigField {
        name: "app_id",
        label: "App ID",
        help: "The custom app's App ID (cli_…): Lark developer console → your app → Credentials & Basic Info (凭证与基础信息).",
        kind: ConfigKind::Text,
        required: true,
        secret: false,
        default: None,
    },
    ConfigField {
        name: "app_secret",
        label: "App Secret",
        help: "The custom app's App Secret, next to the App ID; use ${VAR} to read it from the environment.",
        kind: ConfigKind::Text,
        required: true,
        secret: true,
        default: None,
    },
    ConfigField {
        name: "endpoint",
        label: "API endpoint",
        help: "https://open.feishu.cn for Feishu, https://open.larksuite.com for Lark; override only for a proxy or a test server.",
        kind: ConfigKind::Url,
        required: false,
        secret: false,
        default: Some(DEFAULT_ENDPOINT),
    },
    ConfigField {
        name: "rate_limit",
        label: "Rate limit (calls/s per API)",
        help: "Calls per second per Lark API. The contact APIs allow 50 per second and 1000 per minute, so keep it at 16 or below for long syncs.",
        kind: ConfigKind::Number,
        required: false,
        secret: false,
        default: Some("15"),
    },
    ConfigField {
        name: "max_in_flight",
        label: "Concurrent calls",
        help: "Upper bound on Lark calls in flight at once.",
        kind: ConfigKind::Integer,
        required: false,
        secret: false,
        default: Some("8"),
    },
    ConfigField {
        name: "max_retries",
        label: "Retries per call",
        help: "How often a call is retried on frequency limits, internal errors, 5xx or connection errors before its department is marked failed.",
        kind: ConfigKind::Integer,
        required: false,
        secret: false,
        default: Some("5"),
    },
    ConfigField {
        name: "timeout_seconds",
        label: "Call timeout (s)",
        help: "Timeout of one HTTP call to Lark.",
        kind: ConfigKind::Integer,
        required: false,
        secret: false,
        default: Some("30"),
    },
];

/// Validated settings of one Lark syncer.
#[derive(Clone, Debug)]
pub struct LarkSettings {
    /// Base URL without trailing slash.
    pub endpoint: String,
    /// App ID.
    pub app_id: String,
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

impl LarkSettings {
    /// Reads and range-checks the settings.
    pub fn from_config(config: &PluginConfig) -> Result<Self, PluginConfigError> {
        let within = |key: &str, min: f64, max: f64| -> Result<f64, PluginConfigError> {
            let value = config.number(key).unwrap_or(min);
            if !value.is_finite() || value < min || value > max {
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
            app_id: config.text("app_id"),
            app_secret: config.secret("app_secret"),
            rate_limit: within("rate_limit", 0.1, 10_000.0)?,
            max_in_flight: within("max_in_flight", 1.0, 1_000.0)? as usize,
            max_retries: within("max_retries", 0.0, 20.0)? as u32,
            timeout: Duration::from_secs(within("timeout_seconds", 1.0, 600.0)? as u64),
        })
    }
}
