//! The config keys a DingTalk syncer accepts, with their labels, help texts and defaults, as the
//! build script generates them from `config.toml` (syncer-config-table): `DEFAULT_ENDPOINT`, `PRESETS`, `APP_KEYS`, `DEFAULT_STREAM_ENDPOINT`,
//! `OWN_FIELDS` and `CONFIG_FIELDS`.
//! Edit `config.toml`, not the generated code.

include!(concat!(env!("OUT_DIR"), "/config_table.rs"));
