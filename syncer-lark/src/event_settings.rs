//! The Lark syncer's event keys: whether change events arrive (`events = "off" | "http"`: Lark
//! calls serve's events endpoint), the console's Verification Token every callback carries, and
//! its Encrypt Key (callbacks then come encrypted and signed), declared in `config.toml`.
//! Validated here with errors that name the key and the fix and never quote a secret.

use std::sync::Arc;

use syncer_core::{EventMode, PluginConfig, PluginConfigError};

use crate::callback::LarkCallbacks;

/// Where the console keeps the callback settings.
const CONSOLE_EVENTS: &str =
    "the Lark developer console (your app → Events & Callbacks / 事件与回调 → Encryption Strategy / 加密策略)";

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
