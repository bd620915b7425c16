//! [`CallMeter`]: how a host counts the calls a backend makes to its remote API, without knowing
//! the backend. Some directories meter their API per organization and month (DingTalk's free
//! edition: 10,000 calls for the whole company, all apps together), so every request a backend
//! sends is worth counting where all the host's processes can see it. The host hands a meter to
//! the plugin through [`crate::PluginConfig::with_meter`]; the backend tells it of every request
//! it sends (token fetches, retries and throttled answers included) and of the remote's answer
//! that the quota is used up. Knows no remote and no storage.

use std::sync::Arc;

/// Told of every request a backend sends to its remote API; cheap and non-blocking (the host
/// batches what it stores).
pub trait CallMeter: Send + Sync {
    /// One request to `api` (the API's path) was sent, whatever its answer.
    fn sent(&self, api: &str);

    /// The remote answered `api` that the organization's API quota is used up; `detail` is the
    /// backend's message (with the remote's code and the fix), secrets already removed.
    fn exhausted(&self, api: &str, detail: &str);
}

/// A shared meter, as a plugin config carries it.
pub type SharedMeter = Arc<dyn CallMeter>;

/// What a backend declares about spending its remote's API: the schedule a syncer gets when its
/// config says nothing, and the monthly budget of metered calls it must stay within.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct ScheduleDefaults {
    /// Seconds between scheduled full syncs when `sync_interval` is not set.
    pub sync_interval_seconds: u64,
    /// Metered calls a syncer may spend per calendar month when `monthly_call_budget` is not set
    /// (`None`: the remote has no quota the host must keep to).
    pub monthly_call_budget: Option<u64>,
}

impl ScheduleDefaults {
    /// An hourly full sync, no budget: a remote without a metered quota.
    pub const UNMETERED: ScheduleDefaults = ScheduleDefaults {
        sync_interval_seconds: 3600,
        monthly_call_budget: None,
    };
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU64, Ordering};

    use super::*;

    #[derive(Default)]
    struct Count(AtomicU64);

    impl CallMeter for Count {
        fn sent(&self, _api: &str) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
        fn exhausted(&self, _api: &str, _detail: &str) {}
    }

    fn build(_: &crate::PluginConfig) -> Result<Box<dyn crate::Syncer>, crate::PluginConfigError> {
        Err(crate::PluginConfigError::InvalidValue {
            key: "none".into(),
            problem: "never built".into(),
        })
    }

    static PLUGIN: crate::PluginDescriptor = crate::PluginDescriptor {
        type_name: "Metered",
        description: "test",
        config_fields: &[],
        source_fields: &[],
        default_mapping: &[],
        schedule: ScheduleDefaults::UNMETERED,
        build,
    };

    #[test]
    fn a_plugin_config_carries_the_host_meter_to_the_backend() {
        let count = Arc::new(Count::default());
        let config = crate::PluginConfig::new(&PLUGIN, Default::default())
            .expect("no keys needed")
            .with_meter(count.clone());
        let meter = config.meter().expect("a meter");
        meter.sent("/a");
        meter.sent("/b");
        assert_eq!(count.0.load(Ordering::SeqCst), 2);
        let plain = crate::PluginConfig::new(&PLUGIN, Default::default()).expect("config");
        assert!(plain.meter().is_none());
    }
}
