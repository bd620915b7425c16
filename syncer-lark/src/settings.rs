//! The Lark syncer's settings, read from its validated plugin config: its own keys (App ID,
//! App Secret, the event keys of [`crate::event_settings`]) and the shared remote block with
//! Lark's defaults. Their names, labels, help texts and defaults are data
//! (`config.toml`, as constants in [`crate::keys`]); what is code is reading and checking values.

use crate::event_settings::EventSettings;
pub use crate::keys::{APP_KEYS, CONFIG_FIELDS, DEFAULT_ENDPOINT, PRESETS};

syncer_remote::app_settings! {
    /// Validated settings of one Lark syncer: App ID and App Secret, the shared remote block, how change
    /// events arrive.
    LarkSettings(APP_KEYS, PRESETS, EventSettings)
}
