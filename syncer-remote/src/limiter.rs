//! Client-side rate limiting for one app of a remote directory: a limiter per API at the
//! configured calls per second (DingTalk and Lark limit each API separately), a bound on calls in
//! flight, and adaptation: a throttled answer pauses that API for a moment and lowers its rate,
//! which recovers slowly.

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::{Arc, OnceLock};

use parking_lot::{Mutex, MutexGuard};
use std::time::Duration;

use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use tokio::sync::{Semaphore, SemaphorePermit};
use tokio::time::Instant;

/// Successful calls after which a slowed API speeds up again by a tenth.
const RECOVERY_CALLS: u32 = 50;
/// The pause of an API after DingTalk throttled it.
const THROTTLE_PAUSE: Duration = Duration::from_secs(1);
/// Share of the allowed rate the limiter paces calls at. The remote counts calls when they
/// arrive, and network (or scheduling) jitter between our clock and its clock would otherwise
/// now and then put one call too many into its one-second window — and each throttled answer
/// costs a pause and a 30% slowdown. 5% absorbs 50 ms of jitter at any rate.
const HEADROOM: f64 = 0.95;

struct ApiLimiter {
    rate: f64,
    limiter: Arc<DefaultDirectRateLimiter>,
    /// Changes whenever `limiter` is replaced, so calls that waited on the old one wait again.
    generation: u64,
    paused_until: Option<Instant>,
    successes: u32,
}

impl ApiLimiter {
    fn new(rate: f64) -> Self {
        Self {
            rate,
            limiter: Arc::new(build(rate)),
            generation: 0,
            paused_until: None,
            successes: 0,
        }
    }

    /// Switches to `rate`. Calls already waiting move to the new limiter (see `acquire`), whose
    /// first slot is taken, so the switch never lets two calls out closer than a period apart.
    fn set_rate(&mut self, rate: f64) {
        self.rate = rate;
        let limiter = build(rate);
        let _ = limiter.check();
        self.limiter = Arc::new(limiter);
        self.generation += 1;
    }
}

fn build(rate: f64) -> DefaultDirectRateLimiter {
    let period = Duration::from_secs_f64(1.0 / (rate * HEADROOM).max(0.01));
    let quota = Quota::with_period(period)
        .unwrap_or_else(|| Quota::per_second(NonZeroU32::MIN))
        .allow_burst(NonZeroU32::MIN);
    RateLimiter::direct(quota)
}

/// The limiter of one remote app, shared by every syncer that uses the app.
pub struct CallLimiter {
    configured_rate: f64,
    max_in_flight: usize,
    apis: Mutex<HashMap<&'static str, ApiLimiter>>,
    in_flight: Semaphore,
}

impl CallLimiter {
    /// A limiter allowing `rate` calls per second per API and `max_in_flight` calls at once.
    pub fn new(rate: f64, max_in_flight: usize) -> Self {
        Self {
            configured_rate: rate,
            max_in_flight: max_in_flight.max(1),
            apis: Mutex::new(HashMap::new()),
            in_flight: Semaphore::new(max_in_flight.max(1)),
        }
    }

    /// The limiter shared by every syncer of the app `app_key` at `endpoint`: remote APIs count
    /// calls per app, so two syncers of one app must share one budget — whatever each was
    /// configured with. The first one's `rate` and `max_in_flight` are the app's; a second
    /// syncer configured otherwise is told so in the log.
    pub fn for_app(endpoint: &str, app_key: &str, rate: f64, max_in_flight: usize) -> Arc<Self> {
        static SHARED: OnceLock<Mutex<HashMap<String, Arc<CallLimiter>>>> = OnceLock::new();
        let key = format!("{endpoint}#{app_key}");
        let mut shared = SHARED.get_or_init(Default::default).lock();
        let limiter = shared
            .entry(key)
            .or_insert_with(|| Arc::new(Self::new(rate, max_in_flight)))
            .clone();
        if limiter.configured_rate != rate || limiter.max_in_flight != max_in_flight.max(1) {
            tracing::warn!(
                app_key,
                rate = limiter.configured_rate,
                max_in_flight = limiter.max_in_flight,
                "another syncer of this app set its rate limit first; syncers of one app share one budget, so this one uses it too"
            );
        }
        limiter
    }

    /// Waits until a call to `api` may go out; hold the permit while the call is in flight.
    pub async fn acquire(&self, api: &'static str) -> SemaphorePermit<'_> {
        loop {
            let (limiter, paused_until, generation) = {
                let mut apis = self.lock();
                let entry = apis
                    .entry(api)
                    .or_insert_with(|| ApiLimiter::new(self.configured_rate));
                (entry.limiter.clone(), entry.paused_until, entry.generation)
            };
            if let Some(until) = paused_until {
                if Instant::now() < until {
                    tokio::time::sleep_until(until).await;
                    continue;
                }
            }
            limiter.until_ready().await;
            // Throttled (or sped up) while this call waited: the pause and the new rate apply
            // to it too, or every call queued at the old rate would be throttled in turn.
            let current = self.lock().get(api).map(|entry| entry.generation);
            if current == Some(generation) {
                break;
            }
        }
        self.in_flight
            .acquire()
            .await
            .expect("the in-flight semaphore is never closed")
    }

    /// The remote said the app called `api` too fast: pause it and lower its rate by 30%, once
    /// per pause — the other calls that were in flight with this one report the same excess.
    pub fn throttled(&self, api: &'static str) {
        let mut apis = self.lock();
        let entry = apis
            .entry(api)
            .or_insert_with(|| ApiLimiter::new(self.configured_rate));
        let now = Instant::now();
        if entry.paused_until.is_some_and(|until| now < until) {
            return;
        }
        let rate = (entry.rate * 0.7).max(0.5);
        entry.set_rate(rate);
        entry.paused_until = Some(now + THROTTLE_PAUSE);
        entry.successes = 0;
        tracing::warn!(
            api,
            rate = entry.rate,
            "the remote API throttled the app; slowing down"
        );
    }

    /// A call to `api` succeeded: after a run of successes a slowed API speeds up again.
    pub fn succeeded(&self, api: &'static str) {
        let mut apis = self.lock();
        let Some(entry) = apis.get_mut(api) else {
            return;
        };
        if entry.rate >= self.configured_rate {
            return;
        }
        entry.successes += 1;
        if entry.successes >= RECOVERY_CALLS {
            let rate = (entry.rate * 1.1).min(self.configured_rate);
            entry.set_rate(rate);
            entry.successes = 0;
        }
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<&'static str, ApiLimiter>> {
        self.apis.lock()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rate_of(limiter: &CallLimiter, api: &'static str) -> f64 {
        limiter
            .lock()
            .get(api)
            .map_or(limiter.configured_rate, |entry| entry.rate)
    }

    #[test]
    fn throttled_answers_within_one_pause_slow_the_api_down_once() {
        let limiter = CallLimiter::new(20.0, 4);
        for _ in 0..5 {
            limiter.throttled("/a");
        }
        assert!((rate_of(&limiter, "/a") - 14.0).abs() < 1e-9);
        assert!((rate_of(&limiter, "/b") - 20.0).abs() < 1e-9);
    }

    #[test]
    fn a_slowed_api_recovers_after_a_run_of_successes() {
        let limiter = CallLimiter::new(20.0, 4);
        limiter.throttled("/a");
        for _ in 0..RECOVERY_CALLS {
            limiter.succeeded("/a");
        }
        assert!((rate_of(&limiter, "/a") - 15.4).abs() < 1e-9);
    }

    #[test]
    fn two_syncers_of_one_app_share_one_budget_whatever_their_settings() {
        let first = CallLimiter::for_app("http://dt.test", "dingshared", 20.0, 8);
        let second = CallLimiter::for_app("http://dt.test", "dingshared", 40.0, 16);
        let other = CallLimiter::for_app("http://dt.test", "dingother", 40.0, 16);
        assert!(Arc::ptr_eq(&first, &second));
        assert!(!Arc::ptr_eq(&first, &other));
        assert!((second.configured_rate - 20.0).abs() < 1e-9);
    }
}
