//! [`SimCore`]: what a directory simulator's requests share besides its data: the faults in
//! force with their seeded dice, the access tokens, and the call statistics. Each piece has its
//! own short lock; none is held across an `.await`.

use std::sync::Arc;
use std::time::Duration;

use axum::http::StatusCode;
use parking_lot::Mutex;
use tokio::time::Instant;

use crate::dice::Dice;
use crate::faults::NetworkFaults;
use crate::stats::CallRecorder;
use crate::swap::Swap;
use crate::tokens::{Issued, Reuse, TokenCheck, TokenStore};

/// Why the network in front of an API refused a call; the simulator words the answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The caller's IP is not on the app's whitelist.
    IpDenied,
    /// A gateway failed with this status (502 or 503).
    Gateway(StatusCode),
    /// The per-path call-rate limit is exceeded.
    RateLimited,
}

/// Faults `F`, dice, tokens and statistics keyed by pages `K` of one running simulator.
#[derive(Debug)]
pub struct SimCore<F, K: Ord> {
    faults: Swap<F>,
    dice: Dice,
    tokens: Mutex<TokenStore>,
    stats: CallRecorder<K>,
}

impl<F, K: Ord + Clone> SimCore<F, K> {
    /// Starts with `faults`, dice seeded with `seed`, and no token issued yet: tokens are
    /// `token_prefix` and 32 hex digits, reused as `reuse` says.
    pub fn new(faults: F, seed: u64, token_prefix: &'static str, reuse: Reuse) -> Self {
        SimCore {
            faults: Swap::new(faults),
            dice: Dice::new(seed),
            tokens: Mutex::new(TokenStore::new(token_prefix, reuse)),
            stats: CallRecorder::default(),
        }
    }

    /// The faults in force now.
    pub fn faults(&self) -> Arc<F> {
        self.faults.get()
    }

    /// Replaces the faults and restarts the dice from `seed`.
    pub fn set_faults(&self, faults: F, seed: u64) {
        self.dice.reseed(seed);
        self.faults.set(faults);
    }

    /// True with probability `rate`.
    pub fn roll(&self, rate: f64) -> bool {
        self.dice.roll(rate)
    }

    /// Counts a call of the counted fault `fault`: true for its `nth`, `2 × nth`, ... call since
    /// the faults were set (never for `None`).
    pub fn every(&self, fault: &'static str, nth: Option<u64>) -> bool {
        self.dice.every(fault, nth)
    }

    /// The checks the network in front of an API makes before the API sees a call, in the order
    /// gateways apply them: the caller's IP (`ip_denied`), a failing gateway (a share
    /// `http_5xx_rate` of calls, and every `http_5xx_every`-th call), the per-path rate limit
    /// (`qps_limit` calls per second).
    pub fn pass_network(&self, network: &NetworkFaults, path: &'static str) -> Result<(), Refusal> {
        if network.ip_denied {
            return Err(Refusal::IpDenied);
        }
        if self.dice.every("gateway", network.http_5xx_every) {
            return Err(Refusal::Gateway(StatusCode::BAD_GATEWAY));
        }
        if let Some(status) = self.dice.gateway_failure(network.http_5xx_rate) {
            return Err(Refusal::Gateway(status));
        }
        match network.qps_limit {
            Some(limit) if !self.dice.admit_rate(path, limit) => Err(Refusal::RateLimited),
            _ => Ok(()),
        }
    }

    /// The current token handed out again, or a new one (counted in the statistics).
    pub fn issue_token(&self, ttl: Duration, max_calls: Option<u64>) -> Issued {
        let issued = self.dice.with_rng(|rng| {
            self.tokens
                .lock()
                .obtain(Instant::now(), ttl, max_calls, rng)
        });
        if issued.fresh {
            self.stats.token_issued();
        }
        issued
    }

    /// Checks a presented token, counting the call against it when valid.
    pub fn check_token(&self, token: Option<&str>, max_calls: Option<u64>) -> TokenCheck {
        self.tokens.lock().check(token, Instant::now(), max_calls)
    }

    /// The statistics being recorded.
    pub fn stats(&self) -> &CallRecorder<K> {
        &self.stats
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The network faults of a test: the IP refused or not, a share of 5xx, a rate limit.
    fn network(ip_denied: bool, http_5xx_rate: f64, qps_limit: Option<u32>) -> NetworkFaults {
        NetworkFaults {
            ip_denied,
            http_5xx_rate,
            http_5xx_every: None,
            qps_limit,
        }
    }

    #[test]
    fn the_network_refuses_in_gateway_order() {
        let core = SimCore::<(), u32>::new((), 1, "", Reuse::Renew);
        assert_eq!(
            core.pass_network(&network(true, 1.0, Some(0)), "/a"),
            Err(Refusal::IpDenied)
        );
        assert!(matches!(
            core.pass_network(&network(false, 1.0, Some(0)), "/a"),
            Err(Refusal::Gateway(_))
        ));
        assert_eq!(
            core.pass_network(&network(false, 0.0, Some(1)), "/a"),
            Ok(())
        );
        assert_eq!(
            core.pass_network(&network(false, 0.0, Some(1)), "/a"),
            Err(Refusal::RateLimited)
        );
        assert_eq!(core.pass_network(&network(false, 0.0, None), "/a"), Ok(()));
    }

    #[test]
    fn every_nth_call_fails_at_the_gateway_when_asked() {
        let core = SimCore::<(), u32>::new((), 1, "", Reuse::Renew);
        let every_second = NetworkFaults {
            http_5xx_every: Some(2),
            ..network(false, 0.0, None)
        };
        let refused: Vec<bool> = (0..4)
            .map(|_| core.pass_network(&every_second, "/a").is_err())
            .collect();
        assert_eq!(refused, [false, true, false, true]);
    }
}
