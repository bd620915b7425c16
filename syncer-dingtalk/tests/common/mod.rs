//! What the DingTalk backend's test files share: the syncer built the way the host builds it.

use std::collections::BTreeMap;

use syncer_core::{find_plugin, ConfigValue, PluginConfig, Syncer};

/// The DingTalk syncer of `app_key` and `app_secret` on the simulator at `endpoint`, with
/// `settings` besides (`rate_limit`, `max_retries`, ...), built through the plugin registry.
pub fn dingtalk_syncer(
    endpoint: String,
    app_key: &str,
    app_secret: &str,
    settings: impl IntoIterator<Item = (&'static str, ConfigValue)>,
) -> Box<dyn Syncer> {
    // Naming the crate links it, so its `inventory::submit!` registration is in this binary.
    let plugin = find_plugin(syncer_dingtalk::TYPE_NAME).expect("the DingTalk plugin registers");
    let mut values = BTreeMap::from([
        ("app_key".to_owned(), ConfigValue::Text(app_key.to_owned())),
        (
            "app_secret".to_owned(),
            ConfigValue::Text(app_secret.to_owned()),
        ),
        ("endpoint".to_owned(), ConfigValue::Text(endpoint)),
    ]);
    values.extend(
        settings
            .into_iter()
            .map(|(key, value)| (key.to_owned(), value)),
    );
    let config = PluginConfig::new(plugin, values).expect("a valid DingTalk config");
    (plugin.build)(&config).expect("the DingTalk syncer builds")
}
