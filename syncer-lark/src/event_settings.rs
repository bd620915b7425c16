//! The Lark syncer's event keys: whether change events arrive (`events = "off" | "http"`: Lark
//! calls serve's events endpoint), the console's Verification Token every callback carries, and
//! its Encrypt Key (callbacks then come encrypted and signed). Validated here with errors that
//! name the key and the fix and never quote a secret.

use std::sync::Arc;

use syncer_core::{ConfigField, ConfigKind, EventMode, PluginConfig, PluginConfigError};
use syncer_remote::events_field;

use crate::callback::LarkCallbacks;

/// Where the console keeps the callback settings.
const CONSOLE_EVENTS: &str =
    "the Lark developer console (your app → Events & Callbacks / 事件与回调 → Encryption Strategy / 加密策略)";

/// The event keys, in the order a form shows them.
pub const EVENT_FIELDS: [ConfigField; 3] = [
    events_field(
        "\"off\" (full syncs only) or \"http\": Lark sends contact events to serve's POST /api/v1/syncers/NAME/events (set that URL as the app's request URL and subscribe to the contact v3 user and department events); needs verification_token.",
    ),
    ConfigField::new(
        "verification_token",
        "Verification Token",
        ConfigKind::Text,
        "events = \"http\": the app's Verification Token (Events & Callbacks → Encryption Strategy); every callback must carry it. Use ${VAR} to read it from the environment.",
    )
    .secret(),
    ConfigField::new(
        "encrypt_key",
        "Encrypt Key",
        ConfigKind::Text,
        "events = \"http\": the app's Encrypt Key, if one is set (recommended): callbacks then come encrypted and signed, and unsigned ones are refused. Use ${VAR} to read it from the environment.",
    )
    .secret(),
];

/// How one Lark syncer receives change events (by default: it does not).
#[derive(Clone, Debug, Default)]
pub struct EventSettings {
    /// Off or HTTP callbacks.
    pub mode: EventMode,
    /// The verifier and decoder of callbacks (HTTP only).
    pub callbacks: Option<Arc<LarkCallbacks>>,
}

impl EventSettings {
    /// Reads and checks the event keys; `app_id` is the app the callbacks must be for.
    pub fn from_config(config: &PluginConfig, app_id: &str) -> Result<Self, PluginConfigError> {
        let mode = match config.text("events").trim() {
            "" | "off" => EventMode::Off,
            "http" => EventMode::Http,
            "stream" => {
                return Err(PluginConfigError::invalid(
                    "events",
                    "\"stream\" is DingTalk's Stream mode; a Lark syncer takes \"off\" or \"http\" (Lark's long connection is not supported)".to_owned(),
                ))
            }
            other => {
                return Err(PluginConfigError::invalid(
                    "events",
                    format!("must be \"off\" or \"http\", got `{other}`"),
                ))
            }
        };
        if mode == EventMode::Off {
            return Ok(Self {
                mode,
                callbacks: None,
            });
        }
        let Some(token) = config.optional_text("verification_token") else {
            return Err(PluginConfigError::invalid(
                "verification_token",
                format!("is required when events = \"http\": copy the Verification Token from {CONSOLE_EVENTS}"),
            ));
        };
        let encrypt_key = config.optional_text("encrypt_key");
        Ok(Self {
            mode,
            callbacks: Some(Arc::new(LarkCallbacks::new(
                &token,
                encrypt_key.as_deref(),
                app_id,
            ))),
        })
    }
}
