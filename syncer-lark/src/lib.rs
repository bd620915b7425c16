//! # syncer-lark
//!
//! The Lark / Feishu (飞书) backend of syncer. It takes a tenant access token from a custom
//! app's App ID and App Secret, walks every department from the root `0` with contact v3's
//! `departments/:id/children`, reads every department's people with `users/find_by_department`
//! (both paged with `page_token` / `has_more`, 50 per page), merges people who sit in several
//! departments, and offers their fields for mapping. It registers itself with the plugin
//! registry under the type name `Lark` and knows nothing of the host or of IAM.
//!
//! Change events come as HTTP callbacks ([`callback`]: the Verification Token, the Encrypt
//! Key's encryption and signature, the URL check) of the contact v3 events ([`events`]); each
//! names people or departments, which are then read alone (`users/:user_id`,
//! `departments/:department_id`) with the full fetch's own record builder.
//!
//! It only says what Lark is: its settings, its APIs ([`api`]), what its answers mean
//! ([`error`]), how it walks the tree and how people become records. The call loop (rate limit,
//! token, retries of frequency limits, internal errors, 5xx and connection failures, token
//! renewal, the monthly quota) is `syncer-remote`'s. The API facts it relies on are in
//! `docs/lark-api.md`.
//!
//! ```
//! let lark = syncer_core::find_plugin(syncer_lark::TYPE_NAME).expect("registered");
//! assert!(lark.config_fields.iter().any(|f| f.name == "app_secret" && f.secret));
//! ```

pub mod api;
pub mod callback;
pub mod callback_crypto;
mod connection;
pub mod error;
pub mod event_settings;
pub mod events;
mod fetch;
pub mod keys;
mod lookup;
mod records;
pub mod remote;
pub mod settings;

use syncer_core::ScheduleDefaults;

pub use fetch::ROOT_NAME_FALLBACK;
pub use records::{DEFAULT_MAPPING, SOURCE_FIELDS};
pub use settings::{LarkSettings, CONFIG_FIELDS};

syncer_remote::remote_backend! {
    /// A Lark tenant as a syncer source.
    syncer: LarkSyncer = "Lark",
    description: "Imports every person of a Lark / Feishu (飞书) tenant, from all departments at any depth, through a custom app's App ID and App Secret (contact v3 API).",
    // Lark's monthly quota (errcode 99991403) depends on the plan and is not documented where
    // we looked: no budget unless the operator sets one; the calls are counted.
    schedule: ScheduleDefaults::UNMETERED,
    settings: LarkSettings => remote::LarkApp,
    events: events.callbacks,
}
