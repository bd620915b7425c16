//! # syncer-remote
//!
//! What every backend that calls a remote directory API needs, written once: a client-side
//! [`CallLimiter`] (calls per second per API, a bound on calls in flight, slowing down when the
//! remote throttles), a [`RetryPolicy`] (exponential backoff with jitter, at least a second after
//! throttling), and a [`TokenCache`] that refreshes an access token by exactly one caller at a
//! time. It knows no API, no HTTP client and no error type of any backend.
//!
//! ```
//! use syncer_remote::RetryPolicy;
//! let policy = RetryPolicy::new(5);
//! assert!(policy.throttle_backoff(0) >= std::time::Duration::from_secs(1));
//! ```

mod limiter;
mod retry;
mod token;

pub use limiter::CallLimiter;
pub use retry::RetryPolicy;
pub use token::TokenCache;
