//! The DingTalk syncer's settings, read from its validated plugin config: its own keys (App Key,
//! App Secret, the event keys of [`crate::event_settings`]) and the shared remote block with
//! DingTalk's defaults.

use syncer_core::ConfigField;
use syncer_remote::{AppKeys, RemotePresets};

use crate::event_settings::{EventSettings, EVENT_FIELDS};

/// The public DingTalk oapi base URL.
pub const DEFAULT_ENDPOINT: &str = "https://oapi.dingtalk.com";

/// DingTalk's defaults and help texts of the shared remote settings.
pub const PRESETS: RemotePresets = RemotePresets {
    endpoint: DEFAULT_ENDPOINT,
    endpoint_help: "DingTalk oapi base URL; override only for a proxy or a test server.",
    rate_limit: "20",
    rate_limit_help: "Calls per second per DingTalk API: 20 on the standard edition, 40 professional, 60 exclusive.",
    max_in_flight: "16",
};

/// How DingTalk names the app's credentials, and where the console shows them.
pub const APP_KEYS: AppKeys = AppKeys {
    id: "app_key",
    id_label: "App Key",
    id_help: "The internal app's AppKey (developer console → your app → Credentials).",
    secret: "app_secret",
    secret_label: "App Secret",
    secret_help: "The internal app's AppSecret, next to the AppKey; use ${VAR} to read it from the environment.",
};

/// The config keys a DingTalk syncer accepts (beside the host's common keys).
pub const CONFIG_FIELDS: &[ConfigField] = syncer_remote::config_fields!(PRESETS, APP_KEYS;
    EVENT_FIELDS[0],
    EVENT_FIELDS[1],
    EVENT_FIELDS[2],
    EVENT_FIELDS[3],
);

syncer_remote::app_settings! {
    /// Validated settings of one DingTalk syncer: App Key and App Secret, the shared remote block, how change
    /// events arrive.
    DingTalkSettings(APP_KEYS, PRESETS, EventSettings)
}
