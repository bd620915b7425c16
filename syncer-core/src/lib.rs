//! # syncer-core
//!
//! The framework that imports users from external directories into Hanzo IAM, without knowing
//! any directory or any IAM server by name:
//!
//! - [`Syncer`]: what a source backend implements (test the connection, fetch a snapshot);
//! - the plugin registry ([`PluginDescriptor`], [`plugins`], [`find_plugin`]): backends register
//!   themselves with `inventory::submit!`, so adding one touches no file of this crate;
//! - [`IamUser`] and [`IamField`]: the IAM user model, and [`FieldMapping`]: which source field
//!   fills which IAM field;
//! - [`Target`]: where users land, and [`engine`]: diff, plan, apply, report, revert;
//! - [`CallMeter`]: how the host counts a backend's calls to a metered remote API, and
//!   [`ScheduleDefaults`]: the schedule and monthly budget a backend declares;
//! - [`Journal`]: where a run records every write it sends, so [`run_revert`] can undo it;
//! - [`AccountIndex`]: where a host keeps the accounts a syncer manages, so change events find
//!   a hire's or a leaver's account without reading the whole organization;
//! - with the `conformance` feature, `conformance`: the suite every backend must pass.
//!
//! This crate does no HTTP and no storage; the host and the backends bring those.
//!
//! ```
//! use syncer_core::{IamField, LeaverPolicy};
//! assert_eq!(IamField::parse("display_name"), Some(IamField::DisplayName));
//! assert_eq!("disable".parse::<LeaverPolicy>(), Ok(LeaverPolicy::Disable));
//! ```

mod account_index;
#[cfg(feature = "conformance")]
pub mod conformance;
pub mod engine;
mod events;
mod field;
mod group;
mod journal;
mod listed;
mod mapping;
mod meter;
mod phone;
mod plugin;
mod properties;
mod secret;
mod snapshot;
mod syncer;
mod target;
mod text;
mod user;

pub use account_index::{
    AccountIndex, IndexError, IndexTicket, IndexUpdate, IndexView, IndexedAccount, MemoryIndex,
    NoIndex,
};
pub use engine::{
    run_revert, run_sync, AdoptByName, Deadline, DeprovisionGuard, LeaverPolicy, RevertOptions,
    RunStatus, StopSignal, SyncInputs, SyncOptions, SyncProgress, SyncReport,
};
pub use events::{
    Change, ChangeEvent, DepartmentLookup, EventMode, EventOutcome, EventSink, PersonLookup,
    PushReceipt, PushReceiver, PushRejected, PushReply, PushRequest,
};
pub use field::{FieldKind, FieldValue, IamField};
pub use group::{group_marker, IamGroup};
pub use inventory;
pub use journal::{
    is_secret_key, FieldChange, Journal, JournalEntry, JournalError, JournalObject, MemoryJournal,
    NoJournal, ObjectKind, Outcome, OutcomeRecord, WriteKind,
};
pub use listed::ListedUser;
pub use mapping::{FieldMapping, MappingError, MappingRule};
pub use meter::{CallMeter, ScheduleDefaults, SharedMeter};
pub use phone::{normalize_phone, same_phone};
pub use plugin::{
    find_plugin, plugins, BuildSyncer, ConfigField, ConfigKind, ConfigValue, MappingInfo,
    MappingSpec, PluginConfig, PluginConfigError, PluginDescriptor, PluginInfo, SourceField,
    Transform,
};
pub use properties::Properties;
pub use secret::{mask_url_credentials, Secret};
pub use snapshot::{
    Department, FetchFailure, FetchProgress, NoProgress, Snapshot, SourceFields, SourceRecord,
};
pub use syncer::{ConnectionCheck, ConnectionReport, FetchError, Syncer};
pub use target::{Target, TargetError, UserKeys};
pub use text::Text;
pub use user::{null_as_default, IamUser};
