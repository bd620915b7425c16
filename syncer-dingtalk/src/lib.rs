//! # syncer-dingtalk
//!
//! The DingTalk (钉钉) backend of syncer. It reads every department of an organization from the
//! root down and every member of every department with the paged full-detail
//! `/topapi/v2/user/list` (never one call per person), merges people who sit in several
//! departments, and offers their fields for mapping. It registers itself with the plugin
//! registry under the type name `DingTalk` and knows nothing of the host or of IAM.
//!
//! Change events come by Stream mode ([`stream`]: an outbound WebSocket) or by HTTP push
//! ([`push`]: signed and encrypted requests the host receives); each names people or
//! departments, which are then read alone (`user/get`, `department/get`) with the full fetch's
//! own record builder.
//!
//! It only says what DingTalk is: its settings, its APIs ([`api`]), what its answers mean
//! ([`error`]), how it walks the tree and how members become records. The
//! call loop (rate limit, token, retries, throttling, token renewal, the monthly quota) is
//! `syncer-remote`'s.

pub mod api;
mod connection;
pub mod error;
pub mod event_settings;
pub mod events;
mod fetch;
pub mod keys;
mod lookup;
pub mod push;
pub mod push_crypto;
mod records;
pub mod remote;
pub mod settings;
pub mod stream;

use syncer_core::ScheduleDefaults;

pub use records::{DEFAULT_MAPPING, SOURCE_FIELDS};
pub use settings::{DingTalkSettings, CONFIG_FIELDS};

syncer_remote::remote_backend! {
    /// A DingTalk organization as a syncer source.
    syncer: DingTalkSyncer = "DingTalk",
    description: "Imports every member of a DingTalk (钉钉) organization, from all departments at any depth, through an internal app's App Key and App Secret.",
    // The free edition's 10,000 metered calls a month for the whole organization: a daily full
    // sync of a 3,000-person company (~300 calls) stays inside it, an hourly one spends it in
    // two days.
    schedule: ScheduleDefaults {
        sync_interval_seconds: 86_400,
        monthly_call_budget: Some(10_000),
    },
    settings: DingTalkSettings => remote::DingTalkApp,
    events: events.push,
    listen: stream::listen,
}
