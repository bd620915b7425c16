//! [`app_settings!`](crate::app_settings): the settings struct of a backend that signs in as an
//! app and has change events, declared once: the app's credentials, the shared remote block and
//! the backend's event settings, read in that order. Knows no backend.

/// Declares a backend's settings struct `NAME(KEYS, PRESETS, EVENTS)`: `app` (the
/// [`AppCredentials`](crate::AppCredentials) read with the [`AppKeys`](crate::AppKeys) `KEYS`),
/// `remote` (the [`RemoteSettings`](crate::RemoteSettings) read with the
/// [`RemotePresets`](crate::RemotePresets) `PRESETS`) and `events` (of type `EVENTS`, read with
/// `EVENTS::from_config(&PluginConfig, app_id) -> Result<EVENTS, PluginConfigError>`), with the
/// `from_config(&PluginConfig)` that reads them ([`remote_backend!`](crate::remote_backend)
/// names the struct in `settings:` and its `events` field in `events:`).
#[macro_export]
macro_rules! app_settings {
    (
        $(#[$doc:meta])*
        $settings:ident($keys:path, $presets:path, $events:ty)
    ) => {
        $(#[$doc])*
        #[derive(Clone, Debug)]
        pub struct $settings {
            /// The app's id and secret.
            pub app: $crate::AppCredentials,
            /// Endpoint, rate limit, calls in flight, retries, timeout.
            pub remote: $crate::RemoteSettings,
            /// How change events arrive.
            pub events: $events,
        }

        impl $settings {
            /// Reads and range-checks the settings.
            pub fn from_config(
                config: &::syncer_core::PluginConfig,
            ) -> Result<Self, ::syncer_core::PluginConfigError> {
                let app = $crate::AppCredentials::from_config(config, &$keys);
                Ok(Self {
                    events: <$events>::from_config(config, &app.id)?,
                    remote: $crate::RemoteSettings::from_config(config, &$presets)?,
                    app,
                })
            }
        }
    };
}
