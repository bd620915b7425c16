//! [`SimCore`]: what a directory simulator's requests share besides its data: the faults in
//! force with their seeded dice, the access tokens, and the call statistics. Each piece has its
//! own short lock; none is held across an `.await`.

use std::sync::Arc;
use std::time::Duration;

use axum::http::StatusCode;
use parking_lot::Mutex;
use tokio::time::Instant;

use crate::dice::Dice;
use crate::stats::CallRecorder;
use crate::swap::Swap;
use crate::tokens::{Issued, Reuse, TokenCheck, TokenStore};

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

    /// The seeded dice.
    pub fn dice(&self) -> &Dice {
        &self.dice
    }

    /// True with probability `rate`.
    pub fn roll(&self, rate: f64) -> bool {
        self.dice.roll(rate)
    }

    /// With probability `rate`, a gateway's 502 or 503.
    pub fn gateway_failure(&self, rate: f64) -> Option<StatusCode> {
        self.dice.gateway_failure(rate)
    }

    /// Whether one more call to `path` fits under `limit` calls per second.
    pub fn admit_rate(&self, path: &'static str, limit: u32) -> bool {
        self.dice.admit_rate(path, limit)
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
