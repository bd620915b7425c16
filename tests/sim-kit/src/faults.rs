//! [`SimFaults`]: the faults every directory simulator has besides its own (latency, a failing
//! gateway, a rate limit, an IP refusal, short-lived tokens, the seed of the dice), so the kit
//! applies them the same way for every API: [`crate::SimState::begin`] waits out the latency,
//! [`crate::SimState::pass_network`] refuses as a gateway would, and the token methods use the
//! lifetimes. Knows no API.

use std::time::Duration;

/// What the network in front of an API does to calls.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NetworkFaults {
    /// Every call is refused as coming from an IP not on the app's whitelist.
    pub ip_denied: bool,
    /// Share of calls (0.0–1.0) a gateway answers with 502 or 503.
    pub http_5xx_rate: f64,
    /// Every this many-th call (counted from when the faults were set) a gateway answers with
    /// 502, whatever the timing and the order of the calls.
    pub http_5xx_every: Option<u64>,
    /// Calls accepted per path in any one-second window.
    pub qps_limit: Option<u32>,
}

/// How long the access tokens a simulator hands out live.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TokenFaults {
    /// Lifetime from issue (or the last renewal).
    pub ttl: Duration,
    /// A token expires after this many calls made with it.
    pub expires_after_calls: Option<u64>,
}

/// A simulator's faults, as far as the kit applies them.
pub trait SimFaults: Clone + Send + Sync + 'static {
    /// The seed of every random choice the faults make.
    fn seed(&self) -> u64;
    /// Added to every request before it is answered.
    fn latency(&self) -> Duration;
    /// What the network in front of the API does.
    fn network(&self) -> NetworkFaults;
    /// How long tokens live.
    fn tokens(&self) -> TokenFaults;
}

/// Implements [`SimFaults`] for a simulator's faults struct with the kit's field names (`seed`,
/// `latency`, `http_5xx_rate`, `http_5xx_every`, `qps_limit`, `token_ttl`,
/// `token_expires_after_calls`), naming
/// the field that refuses every caller's IP: `sim_faults!(Faults, ip_denied: ip_denied);`.
#[macro_export]
macro_rules! sim_faults {
    ($faults:ty, ip_denied: $ip_denied:ident) => {
        impl $crate::SimFaults for $faults {
            fn seed(&self) -> u64 {
                self.seed
            }

            fn latency(&self) -> ::std::time::Duration {
                self.latency
            }

            fn network(&self) -> $crate::NetworkFaults {
                $crate::NetworkFaults {
                    ip_denied: self.$ip_denied,
                    http_5xx_rate: self.http_5xx_rate,
                    http_5xx_every: self.http_5xx_every,
                    qps_limit: self.qps_limit,
                }
            }

            fn tokens(&self) -> $crate::TokenFaults {
                $crate::TokenFaults {
                    ttl: self.token_ttl,
                    expires_after_calls: self.token_expires_after_calls,
                }
            }
        }
    };
}
