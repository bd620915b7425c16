//! The Lark syncer's settings, read from its validated plugin config: its own keys (App ID,
//! App Secret, the event keys of [`crate::event_settings`]) and the shared remote block with
//! Lark's defaults.

use syncer_core::ConfigField;
use syncer_remote::{AppKeys, RemotePresets};

use crate::event_settings::{EventSettings, EVENT_FIELDS};

/// The Feishu (China) open platform; Lark (international) is `https://open.larksuite.com`.
pub const DEFAULT_ENDPOINT: &str = "https://open.feishu.cn";

/// Lark's defaults and help texts of the shared remote settings.
pub const PRESETS: RemotePresets = RemotePresets {
    endpoint: DEFAULT_ENDPOINT,
    endpoint_help: "https://open.feishu.cn for Feishu, https://open.larksuite.com for Lark; override only for a proxy or a test server.",
    rate_limit: "15",
    rate_limit_help: "Calls per second per Lark API. The contact APIs allow 50 per second and 1000 per minute, so keep it at 16 or below for long syncs.",
    max_in_flight: "8",
};

/// How Lark names the app's credentials, and where the console shows them.
pub const APP_KEYS: AppKeys = AppKeys {
    id: "app_id",
    id_label: "App ID",
    id_help: "The custom app's App ID (cli_…): Lark developer console → your app → Credentials & Basic Info (凭证与基础信息).",
    secret: "app_secret",
    secret_label: "App Secret",
    secret_help: "The custom app's App Secret, next to the App ID; use ${VAR} to read it from the environment.",
};

/// The config keys a Lark syncer accepts (beside the host's common keys).
pub const CONFIG_FIELDS: &[ConfigField] = syncer_remote::config_fields!(PRESETS, APP_KEYS;
    EVENT_FIELDS[0],
    EVENT_FIELDS[1],
    EVENT_FIELDS[2],
);

syncer_remote::app_settings! {
    /// Validated settings of one Lark syncer: App ID and App Secret, the shared remote block, how change
    /// events arrive.
    LarkSettings(APP_KEYS, PRESETS, EventSettings)
}
