//! What the DingTalk backend's test files share: the syncer built the way the host builds it.

use syncer_core::{ConfigValue, Syncer};
use syncer_dingtalk::settings::APP_KEYS;
use syncer_remote::testing;

/// The DingTalk syncer of `app_key` and `app_secret` on the simulator at `endpoint`, with
/// `settings` besides (`rate_limit`, `max_retries`, ...), built through the plugin registry.
pub fn dingtalk_syncer(
    endpoint: String,
    app_key: &str,
    app_secret: &str,
    settings: impl IntoIterator<Item = (&'static str, ConfigValue)>,
) -> Box<dyn Syncer> {
    let endpoint = ("endpoint", ConfigValue::Text(endpoint));
    let values = testing::app_values(
        &APP_KEYS,
        app_key,
        app_secret,
        std::iter::once(endpoint).chain(settings),
    );
    // Naming the crate links it, so its `inventory::submit!` registration is in this binary.
    testing::registered_syncer(syncer_dingtalk::TYPE_NAME, values)
}
