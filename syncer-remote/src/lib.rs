//! # syncer-remote
//!
//! What every backend that calls a remote directory API needs, written once, so a backend only
//! says what its API is and what its answers mean:
//!
//! - [`Caller`], the one call loop: rate limit → token → send → classify → retry, wait out
//!   throttling, renew a refused token, stop at a used-up quota. A backend implements
//!   [`Remote`] (its name, and as a [`TokenScheme`] how to get a token and how a call carries it) and [`Classify`] on its failure type
//!   (what an answer means, as a [`Verdict`]) and writes no loop of its own. Failures are a typed [`CallError`].
//! - [`RemoteSettings`] and [`RemotePresets`], the settings block every remote shares
//!   (`endpoint`, `rate_limit`, `max_in_flight`, `max_retries`, `timeout_seconds`), declared
//!   once with per-backend defaults; [`config_fields!`] puts them after a backend's own keys.
//!   The app's id and secret are [`AppCredentials`], their keys [`AppKeys`]; [`app_settings!`]
//!   declares a backend's settings struct of the two and its event settings.
//! - [`FailureClass`], the one vocabulary of failures every backend's classifier maps its codes
//!   onto; [`Verdict::of_failure`] is what the loop does about each class.
//! - [`RemoteSyncer`], a backend's settings made a `Syncer` through [`Directory`];
//!   [`remote_backend!`] writes a backend's `Directory` impl and registration from one
//!   declaration, [`remote_app!`] its app type (a [`Remote`]) from another.
//! - [`read_directory`], a backend's whole fetch: its app type says, as a [`DirectoryReader`],
//!   where the tree starts, what to read once before the walk ([`Survey`]: the root's name, the
//!   organization's member count) and how to read one department; the shared breadth-first walk
//!   does the tree, the concurrency and the failures, every person once ([`RecordSet`]), each
//!   department's member pages bounded by the count ([`PageBound`]).
//! - [`person_mapping`], the default mapping of a directory of people from a backend's field
//!   names, and [`declared_record`], a person's record read from the API's answer type by the
//!   fields the backend declares.
//! - [`signature_matches`], the constant-time check of a pushed event's signature.
//! - The parts the loop is made of: a [`CallLimiter`] (calls per second per API, a bound on
//!   calls in flight, slowing down when throttled), a [`RetryPolicy`] (backoff with jitter, at
//!   least a second after throttling), a single-flight [`TokenCache`], and [`http_client`].
//! - [`ReconnectBackoff`], the wait before a long-lived connection (an event stream) tries
//!   again: 1 s doubling to 60 s, with jitter.
//! - For backends' tests only (cargo feature `test-support`): `loopback`, a router served on a
//!   free local port, `push_endpoint`, a loopback HTTP endpoint in front of a syncer's push
//!   receiver, and `testing`, checks every backend's error tests share.
//!
//! It knows no API, no answer shape and no error code of any backend.
//!
//! ```
//! use syncer_remote::RetryPolicy;
//! let policy = RetryPolicy::new(5);
//! assert!(policy.throttle_backoff(0) >= std::time::Duration::from_secs(1));
//! ```

mod app;
mod app_settings;
mod caller;
mod class;
mod declared;
mod error;
mod http;
mod limiter;
#[cfg(feature = "test-support")]
pub mod loopback;
mod mapping;
mod page_bound;
#[cfg(feature = "test-support")]
pub mod push_endpoint;
mod read;
mod reader;
mod reconnect;
mod records;
mod register;
mod remote_app;
mod retry;
mod settings;
mod signature;
mod syncer;
#[cfg(feature = "test-support")]
pub mod testing;
mod token;
mod token_scheme;
mod verdict;
mod walk;

pub use app::{AppCredentials, AppKeys};
pub use caller::{
    Answer, Auth, CallObserver, Caller, Classify, Remote, Token, MAX_ANSWER_BYTES,
    TOKEN_RENEWALS_PER_CALL,
};
pub use class::FailureClass;
pub use declared::declared_record;
pub use error::{CallError, Failure};
pub use http::{finish as finish_http_client, http_client, HttpClientError};
pub use limiter::CallLimiter;
pub use mapping::{person_mapping, PersonFields};
pub use page_bound::{PageBound, PAGE_SLACK};
pub use read::{read_directory, token_first};
pub use reader::{
    absolute_bound, DirectoryReader, Listed, MemberCount, Members, Survey,
    MAX_MEMBERS_PER_DEPARTMENT,
};
pub use reconnect::ReconnectBackoff;
pub use records::{DepartmentOrder, RecordSet};
pub use retry::RetryPolicy;
pub use settings::{events_field, RemotePresets, RemoteSettings};
pub use signature::{lower_hex, signature_matches};
pub use syncer::FromConfig;
pub use syncer::{Directory, DirectoryError, RemoteSyncer};
pub use token::TokenCache;
pub use token_scheme::{TokenAsk, TokenCarry, TokenScheme};
pub use verdict::{Outcome, Verdict};
pub use walk::{Child, WalkLimits, MAX_DEPARTMENTS, MAX_DEPTH};

/// What [`remote_backend!`] expands to needs; not part of the API.
#[doc(hidden)]
pub mod __private {
    pub use async_trait::async_trait;
}
