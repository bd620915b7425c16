//! The DingTalk syncer's event keys: how change events arrive (`events = "off" | "stream" |
//! "http"`), where the Stream gateway is (`stream_endpoint`), and the console's token and
//! `aes_key` that sign and encrypt HTTP pushes (declared in `config.toml`). Validated here, once,
//! with errors that name the key and the fix and never quote a secret.

use std::sync::Arc;

use syncer_core::{EventMode, PluginConfig, PluginConfigError};

use crate::keys::DEFAULT_STREAM_ENDPOINT;
use crate::push::DingTalkPush;
use crate::push_crypto::PushCryptoError;

/// Where the console keeps the push settings.
const CONSOLE_EVENTS: &str =
    "the DingTalk developer console (your app → Event Subscription / 事件订阅)";

/// How one DingTalk syncer receives change events.
#[derive(Clone, Debug)]
pub struct EventSettings {
    /// Off, Stream mode or HTTP push.
    pub mode: EventMode,
    /// Base URL of the Stream gateway, without trailing slash.
    pub stream_endpoint: String,
    /// The verifier and decoder of pushes (HTTP push only).
    pub push: Option<Arc<DingTalkPush>>,
}

impl Default for EventSettings {
    /// No events; the public Stream gateway.
    fn default() -> Self {
        Self {
            mode: EventMode::Off,
            stream_endpoint: DEFAULT_STREAM_ENDPOINT.to_owned(),
            push: None,
        }
    }
}

impl EventSettings {
    /// Reads and checks the event keys; `app_key` is the owner key pushes are encrypted for.
    pub fn from_config(config: &PluginConfig, app_key: &str) -> Result<Self, PluginConfigError> {
        let mode = match config.text("events").trim() {
            "" | "off" => EventMode::Off,
            "stream" => EventMode::Stream,
            "http" => EventMode::Http,
            other => {
                return Err(PluginConfigError::invalid(
                    "events",
                    format!("must be \"off\", \"stream\" or \"http\", got `{other}`"),
                ))
            }
        };
        let token = config.optional_text("callback_token");
        let aes_key = config.optional_text("aes_key");
        let push = match (mode, token, aes_key) {
            (EventMode::Http, None, _) => {
                return Err(PluginConfigError::invalid(
                    "callback_token",
                    format!(
                        "is required when events = \"http\": copy the token from {CONSOLE_EVENTS}"
                    ),
                ))
            }
            (EventMode::Http, _, None) => {
                return Err(PluginConfigError::invalid(
                    "aes_key",
                    format!(
                    "is required when events = \"http\": copy the aes_key from {CONSOLE_EVENTS}"
                ),
                ))
            }
            (_, Some(token), Some(aes_key)) => Some(Arc::new(push(&token, &aes_key, app_key)?)),
            (_, Some(token), None) => {
                check_token(&token)?;
                None
            }
            (_, None, Some(aes_key)) => {
                check_aes_key(&aes_key)?;
                None
            }
            (_, None, None) => None,
        };
        Ok(Self {
            mode,
            stream_endpoint: config
                .optional_text("stream_endpoint")
                .unwrap_or_else(|| DEFAULT_STREAM_ENDPOINT.to_owned())
                .trim_end_matches('/')
                .to_owned(),
            push: push.filter(|_| mode == EventMode::Http),
        })
    }
}

/// The push receiver of these settings, or the config error naming the key.
fn push(token: &str, aes_key: &str, app_key: &str) -> Result<DingTalkPush, PluginConfigError> {
    check_token(token)?;
    check_aes_key(aes_key)?;
    DingTalkPush::new(token, aes_key, app_key).map_err(|error| match error {
        PushCryptoError::BadToken(_) => token_error(token),
        _ => aes_key_error(aes_key),
    })
}

fn check_token(token: &str) -> Result<(), PluginConfigError> {
    if (3..=32).contains(&token.chars().count()) {
        Ok(())
    } else {
        Err(token_error(token))
    }
}

fn token_error(token: &str) -> PluginConfigError {
    PluginConfigError::invalid(
        "callback_token",
        format!(
            "must be the 3 to 32 characters set in {CONSOLE_EVENTS}, got {} characters",
            token.chars().count()
        ),
    )
}

fn check_aes_key(aes_key: &str) -> Result<(), PluginConfigError> {
    let base64 = |c: char| c.is_ascii_alphanumeric() || c == '+' || c == '/';
    if aes_key.chars().count() == 43 && aes_key.chars().all(base64) {
        Ok(())
    } else {
        Err(aes_key_error(aes_key))
    }
}

fn aes_key_error(aes_key: &str) -> PluginConfigError {
    let count = aes_key.chars().count();
    let problem = if count != 43 {
        format!("got {count} characters")
    } else {
        "it holds characters outside the base64 alphabet (A-Z, a-z, 0-9, + and /)".to_owned()
    };
    PluginConfigError::invalid(
        "aes_key",
        format!("must be the 43 characters {CONSOLE_EVENTS} shows ({problem}); copy it again"),
    )
}
