//! [`remote_backend!`](crate::remote_backend): a remote backend's registration in one
//! declaration. From the plugin's metadata and the functions that do the work (caller, Test
//! Connection, the lookups of one person or department, and the event stream when it has
//! one; the fetch is the shared read of the app's directory) it writes the backend's [`crate::Directory`] impl, the build function that reads the
//! settings, and the `inventory` submission of its [`syncer_core::PluginDescriptor`]. Knows no
//! backend.

/// Registers a remote backend laid out in the six parts of `docs/writing-a-backend.md`: its
/// `TYPE_NAME` (the type name users write in config), the `RemoteSyncer` alias of its settings
/// named by `syncer`, its `Directory` impl over its settings, and its plugin descriptor, whose
/// syncer reads the settings with `SETTINGS::from_config(&PluginConfig)` and counts its calls on
/// the host's meter.
///
/// The parts it calls are where the guide puts them, in the crate that invokes it:
/// `CONFIG_FIELDS`, `SOURCE_FIELDS` and `DEFAULT_MAPPING` in scope;
/// `connection::test_connection(caller, endpoint)`, `lookup::fetch_person(caller, id)` and
/// `lookup::fetch_department(caller, id)`; the whole fetch is [`crate::read_directory`] of the
/// app, a [`crate::DirectoryReader`]. The caller is the app (`Default`) with the settings'
/// `remote` block and `app` credentials (the struct [`app_settings!`](crate::app_settings)
/// declares). The settings
/// have a `remote: RemoteSettings` field; `events` names their event settings' field, which has
/// a `mode: EventMode` field and, `push` naming it, an `Option<Arc<_>>` of the push receiver.
/// `listen`, when given, is the event stream (`listen(settings, sink, meter)`).
#[macro_export]
macro_rules! remote_backend {
    (
        $(#[$syncer_doc:meta])*
        syncer: $syncer:ident = $type_name:literal,
        description: $description:expr,
        schedule: $schedule:expr,
        settings: $settings:ty => $app:ty,
        events: $events:ident . $push:ident,
        $(listen: $listen:path,)?
    ) => {
        /// The type name users write in config.
        pub const TYPE_NAME: &str = $type_name;

        $(#[$syncer_doc])*
        pub type $syncer = $crate::RemoteSyncer<$settings>;

        #[$crate::__private::async_trait]
        impl $crate::Directory for $settings {
            type App = $app;

            fn caller(&self) -> Result<$crate::Caller<$app>, $crate::DirectoryError<Self>> {
                $crate::Caller::new(<$app>::default(), &self.remote, &self.app)
            }

            async fn test_connection(
                &self,
                caller: &$crate::Caller<$app>,
            ) -> ::syncer_core::ConnectionReport {
                connection::test_connection(caller, &self.remote.endpoint).await
            }

            async fn fetch(
                &self,
                caller: &$crate::Caller<$app>,
                progress: &dyn ::syncer_core::FetchProgress,
            ) -> Result<::syncer_core::Snapshot, ::syncer_core::FetchError> {
                $crate::read_directory(caller, progress).await
            }

            async fn fetch_person(
                &self,
                caller: &$crate::Caller<$app>,
                id: &str,
            ) -> Result<::syncer_core::PersonLookup, ::syncer_core::FetchError> {
                lookup::fetch_person(caller, id).await
            }

            async fn fetch_department(
                &self,
                caller: &$crate::Caller<$app>,
                id: &str,
            ) -> Result<::syncer_core::DepartmentLookup, ::syncer_core::FetchError> {
                lookup::fetch_department(caller, id).await
            }

            fn event_mode(&self) -> ::syncer_core::EventMode {
                self.$events.mode
            }

            $(
                async fn listen(
                    &self,
                    sink: &dyn ::syncer_core::EventSink,
                    meter: Option<::syncer_core::SharedMeter>,
                ) -> Result<(), ::syncer_core::FetchError> {
                    $listen(self, sink, meter).await
                }
            )?

            fn push_receiver(&self) -> Option<&dyn ::syncer_core::PushReceiver> {
                let receiver = self.$events.$push.as_deref()?;
                Some(receiver)
            }
        }

        impl $crate::FromConfig for $settings {
            fn from_config(
                config: &::syncer_core::PluginConfig,
            ) -> Result<Self, ::syncer_core::PluginConfigError> {
                <$settings>::from_config(config)
            }
        }

        ::syncer_core::inventory::submit! {
            ::syncer_core::PluginDescriptor {
                type_name: TYPE_NAME,
                description: $description,
                config_fields: CONFIG_FIELDS,
                source_fields: SOURCE_FIELDS,
                default_mapping: DEFAULT_MAPPING,
                schedule: $schedule,
                build: $crate::RemoteSyncer::<$settings>::build,
            }
        }
    };
}
