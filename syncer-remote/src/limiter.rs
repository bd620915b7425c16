//! Client-side rate limiting for one app of a remote directory: a limiter per API at the
//! configured calls per second (DingTalk and Lark limit each API separately), a bound on calls in
//! flight, and adaptation: a throttled answer pauses that API for a moment and lowers its rate,
//! which recovers slowly.

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use tokio::sync::{Semaphore, SemaphorePermit};
use tokio::time::Instant;

/// Successful calls after which a slowed API speeds up again by a tenth.
const RECOVERY_CALLS: u32 = 50;
/// The pause of an API after DingTalk throttled it.
const THROTTLE_PAUSE: Duration = Duration::from_secs(1);

struct ApiLimiter {
    rate: f64,
    limiter: Arc<DefaultDirectRateLimiter>,
    paused_until: Option<Instant>,
    successes: u32,
}

impl ApiLimiter {
    fn new(rate: f64) -> Self {
        Self {
            rate,
            limiter: Arc::new(build(rate)),
            paused_until: None,
            successes: 0,
        }
    }
}

fn build(rate: f64) -> DefaultDirectRateLimiter {
    let period = Duration::from_secs_f64(1.0 / rate.max(0.01));
    let quota = Quota::with_period(period)
        .unwrap_or_else(|| Quota::per_second(NonZeroU32::MIN))
        .allow_burst(NonZeroU32::MIN);
    RateLimiter::direct(quota)
}

/// The limiter of one remote app, shared by every syncer that uses the app.
pub struct CallLimiter {
    configured_rate: f64,
    apis: Mutex<HashMap<&'static str, ApiLimiter>>,
    in_flight: Semaphore,
}

impl CallLimiter {
    /// A limiter allowing `rate` calls per second per API and `max_in_flight` calls at once.
    pub fn new(rate: f64, max_in_flight: usize) -> Self {
        Self {
            configured_rate: rate,
            apis: Mutex::new(HashMap::new()),
            in_flight: Semaphore::new(max_in_flight.max(1)),
        }
    }

    /// The limiter shared by every syncer of the app `app_key` at `endpoint`: remote APIs count
    /// calls per app, so two syncers of one app must share one budget.
    pub fn for_app(endpoint: &str, app_key: &str, rate: f64, max_in_flight: usize) -> Arc<Self> {
        static SHARED: OnceLock<Mutex<HashMap<String, Arc<CallLimiter>>>> = OnceLock::new();
        let key = format!("{endpoint}#{app_key}#{rate}#{max_in_flight}");
        let mut shared = SHARED
            .get_or_init(Default::default)
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        shared
            .entry(key)
            .or_insert_with(|| Arc::new(Self::new(rate, max_in_flight)))
            .clone()
    }

    /// Waits until a call to `api` may go out; hold the permit while the call is in flight.
    pub async fn acquire(&self, api: &'static str) -> SemaphorePermit<'_> {
        loop {
            let (limiter, paused_until) = {
                let mut apis = self.lock();
                let entry = apis
                    .entry(api)
                    .or_insert_with(|| ApiLimiter::new(self.configured_rate));
                (entry.limiter.clone(), entry.paused_until)
            };
            if let Some(until) = paused_until {
                if Instant::now() < until {
                    tokio::time::sleep_until(until).await;
                    continue;
                }
            }
            limiter.until_ready().await;
            break;
        }
        self.in_flight
            .acquire()
            .await
            .expect("the in-flight semaphore is never closed")
    }

    /// The remote said the app called `api` too fast: pause it and lower its rate by 30%.
    pub fn throttled(&self, api: &'static str) {
        let mut apis = self.lock();
        let entry = apis
            .entry(api)
            .or_insert_with(|| ApiLimiter::new(self.configured_rate));
        entry.rate = (entry.rate * 0.7).max(0.5);
        entry.limiter = Arc::new(build(entry.rate));
        entry.paused_until = Some(Instant::now() + THROTTLE_PAUSE);
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
            entry.rate = (entry.rate * 1.1).min(self.configured_rate);
            entry.limiter = Arc::new(build(entry.rate));
            entry.successes = 0;
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<&'static str, ApiLimiter>> {
        self.apis
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}
