//! # syncer-remote
//!
//! What every backend that calls a remote directory API needs, written once, so a backend only
//! says what its API is and what its answers mean:
//!
//! - [`Caller`], the one call loop: rate limit → token → send → classify → retry, wait out
//!   throttling, renew a refused token, stop at a used-up quota. A backend implements
//!   [`Remote`] (how to get a token, how a call carries it, how to classify an answer into a
//!   [`Verdict`]) and writes no loop of its own. Failures are a typed [`CallError`].
//! - [`RemoteSettings`] and [`RemotePresets`], the settings block every remote shares
//!   (`endpoint`, `rate_limit`, `max_in_flight`, `max_retries`, `timeout_seconds`), declared
//!   once with per-backend defaults; [`config_fields!`] puts them after a backend's own keys.
//! - [`RemoteSyncer`], a backend's settings made a `Syncer` through [`Directory`].
//! - [`walk_departments`], the breadth-first read of a department tree and its members.
//! - The parts the loop is made of: a [`CallLimiter`] (calls per second per API, a bound on
//!   calls in flight, slowing down when throttled), a [`RetryPolicy`] (backoff with jitter, at
//!   least a second after throttling), a single-flight [`TokenCache`], and [`http_client`].
//! - [`ReconnectBackoff`], the wait before a long-lived connection (an event stream) tries
//!   again: 1 s doubling to 60 s, with jitter.
//! - For backends' tests only (cargo feature `test-support`): `loopback`, a router served on a
//!   free local port, and `push_endpoint`, a loopback HTTP endpoint in front of a syncer's push
//!   receiver.
//!
//! It knows no API, no answer shape and no error code of any backend.
//!
//! ```
//! use syncer_remote::RetryPolicy;
//! let policy = RetryPolicy::new(5);
//! assert!(policy.throttle_backoff(0) >= std::time::Duration::from_secs(1));
//! ```

mod caller;
mod error;
mod http;
mod limiter;
#[cfg(feature = "test-support")]
pub mod loopback;
#[cfg(feature = "test-support")]
pub mod push_endpoint;
mod reconnect;
mod retry;
mod settings;
mod syncer;
mod token;
mod verdict;
mod walk;

pub use caller::{
    Answer, Auth, CallObserver, Caller, Remote, Token, MAX_ANSWER_BYTES, TOKEN_RENEWALS_PER_CALL,
};
pub use error::{CallError, Failure};
pub use http::{finish as finish_http_client, http_client, HttpClientError};
pub use limiter::CallLimiter;
pub use reconnect::ReconnectBackoff;
pub use retry::RetryPolicy;
pub use settings::{RemotePresets, RemoteSettings};
pub use syncer::{Directory, DirectoryError, RemoteSyncer};
pub use token::TokenCache;
pub use verdict::{Outcome, Verdict};
pub use walk::{
    walk_departments, Child, DirectoryReader, Listed, Members, Part, WalkLimits, Walked,
    MAX_DEPARTMENTS, MAX_DEPTH,
};
