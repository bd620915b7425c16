//! The settings block every remote backend shares (`endpoint`, `rate_limit`, `max_in_flight`,
//! `max_retries`, `timeout_seconds`), declared once: a backend names its defaults and help texts
//! in a [`RemotePresets`] and adds only the keys that are its own (its credentials). Knows no
//! backend.

use std::time::Duration;

use syncer_core::{ConfigField, ConfigKind, PluginConfig, PluginConfigError};

/// What differs between backends in the shared settings block: the endpoint, the documented
/// rate limit, and how many calls may be in flight by default.
#[derive(Clone, Copy, Debug)]
pub struct RemotePresets {
    /// The public base URL of the remote API.
    pub endpoint: &'static str,
    /// Help of `endpoint`.
    pub endpoint_help: &'static str,
    /// Default of `rate_limit` (calls per second per API), as config text.
    pub rate_limit: &'static str,
    /// Help of `rate_limit`: the remote's documented limits.
    pub rate_limit_help: &'static str,
    /// Default of `max_in_flight`, as config text.
    pub max_in_flight: &'static str,
}

/// Help of `max_in_flight`, the same for every remote.
const MAX_IN_FLIGHT_HELP: &str = "Upper bound on calls to the API in flight at once.";
/// Help of `max_retries`: what the shared call loop retries, whatever the remote.
const MAX_RETRIES_HELP: &str = "How often a call is retried on throttling, a busy or failing server (5xx) or a connection error before its department is marked failed (a refused token is renewed on top of it).";
/// Help of `timeout_seconds`.
const TIMEOUT_HELP: &str = "Timeout of one HTTP call, in seconds.";

impl RemotePresets {
    /// The five shared config fields, in the order a form shows them.
    pub const fn fields(&self) -> [ConfigField; 5] {
        use ConfigKind::{Integer, Number, Url};
        [
            ConfigField::new("endpoint", "API endpoint", Url, self.endpoint_help)
                .defaulting_to(self.endpoint),
            ConfigField::new(
                "rate_limit",
                "Rate limit (calls/s per API)",
                Number,
                self.rate_limit_help,
            )
            .defaulting_to(self.rate_limit),
            ConfigField::new(
                "max_in_flight",
                "Concurrent calls",
                Integer,
                MAX_IN_FLIGHT_HELP,
            )
            .defaulting_to(self.max_in_flight),
            ConfigField::new("max_retries", "Retries per call", Integer, MAX_RETRIES_HELP)
                .defaulting_to("5"),
            ConfigField::new("timeout_seconds", "Call timeout (s)", Integer, TIMEOUT_HELP)
                .defaulting_to("30"),
        ]
    }
}

/// The `events` key every backend with change events has: how they arrive, `"off"` (full
/// syncs only) by default; `help` names the modes the backend offers and what each needs.
pub const fn events_field(help: &'static str) -> ConfigField {
    ConfigField::new("events", "Change events", ConfigKind::Text, help).defaulting_to("off")
}

/// A backend's config fields: its own ones first, then the shared block of `presets`.
///
/// ```
/// use syncer_core::{ConfigField, ConfigKind};
/// use syncer_remote::RemotePresets;
/// const PRESETS: RemotePresets = RemotePresets {
///     endpoint: "https://api.example.test",
///     endpoint_help: "Base URL.",
///     rate_limit: "10",
///     rate_limit_help: "Calls per second per API.",
///     max_in_flight: "4",
/// };
/// const TOKEN: ConfigField =
///     ConfigField::new("token", "Token", ConfigKind::Text, "The API token.").required().secret();
/// const FIELDS: &[ConfigField] = syncer_remote::config_fields!(PRESETS; TOKEN);
/// assert_eq!(FIELDS.len(), 6);
/// assert_eq!(FIELDS[1].name, "endpoint");
/// ```
///
/// With the app's [`crate::AppKeys`] after the presets, the app's id and secret come first:
/// `config_fields!(PRESETS, APP_KEYS; own...)`.
#[macro_export]
macro_rules! config_fields {
    ($presets:expr, $keys:expr; $($own:expr),* $(,)?) => {{
        const APP: [::syncer_core::ConfigField; 2] = $keys.fields();
        const SHARED: [::syncer_core::ConfigField; 5] = $presets.fields();
        &[APP[0], APP[1], $($own,)* SHARED[0], SHARED[1], SHARED[2], SHARED[3], SHARED[4]]
    }};
    ($presets:expr; $($own:expr),* $(,)?) => {{
        const SHARED: [::syncer_core::ConfigField; 5] = $presets.fields();
        &[$($own,)* SHARED[0], SHARED[1], SHARED[2], SHARED[3], SHARED[4]]
    }};
}

/// The validated shared settings of one remote syncer.
#[derive(Clone, Debug, PartialEq)]
pub struct RemoteSettings {
    /// Base URL without trailing slash.
    pub endpoint: String,
    /// Calls per second per API.
    pub rate_limit: f64,
    /// Calls in flight at most.
    pub max_in_flight: usize,
    /// Retries per call.
    pub max_retries: u32,
    /// Timeout of one call.
    pub timeout: Duration,
}

impl RemoteSettings {
    /// Reads and range-checks the shared keys of `config`; absent keys take `presets`' defaults.
    pub fn from_config(
        config: &PluginConfig,
        presets: &RemotePresets,
    ) -> Result<Self, PluginConfigError> {
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
                .unwrap_or_else(|| presets.endpoint.to_owned()),
            rate_limit: within("rate_limit", 0.1, 10_000.0)?,
            max_in_flight: within("max_in_flight", 1.0, 1_000.0)? as usize,
            max_retries: within("max_retries", 0.0, 20.0)? as u32,
            timeout: Duration::from_secs(within("timeout_seconds", 1.0, 600.0)? as u64),
        })
    }
}
