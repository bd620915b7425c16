//! How long to wait before trying a failed call again: exponential backoff with jitter for busy,
//! 5xx and connection errors, and at least a second for throttling.

use std::time::Duration;

use rand::Rng;

/// Retry limits and backoff base of one client.
#[derive(Clone, Copy, Debug)]
pub struct RetryPolicy {
    /// Retries after the first attempt.
    pub max_retries: u32,
    /// The first backoff.
    pub base: Duration,
    /// The longest backoff.
    pub cap: Duration,
}

impl RetryPolicy {
    /// A policy with `max_retries` and the default backoff (200 ms doubling up to 10 s).
    pub fn new(max_retries: u32) -> Self {
        Self {
            max_retries,
            base: Duration::from_millis(200),
            cap: Duration::from_secs(10),
        }
    }

    /// Backoff after failed attempt number `attempt` (0-based): between half and all of
    /// `base · 2^attempt`, capped.
    pub fn backoff(&self, attempt: u32) -> Duration {
        let full = self
            .base
            .saturating_mul(1u32 << attempt.min(16))
            .min(self.cap);
        let half = full / 2;
        half + jitter(half)
    }

    /// Backoff after a throttled answer: at least a second, growing with the attempt.
    pub fn throttle_backoff(&self, attempt: u32) -> Duration {
        let base = Duration::from_secs(1)
            .saturating_mul(attempt + 1)
            .min(self.cap);
        base + jitter(Duration::from_millis(500))
    }
}

fn jitter(up_to: Duration) -> Duration {
    let millis = u64::try_from(up_to.as_millis()).unwrap_or(u64::MAX);
    if millis == 0 {
        return Duration::ZERO;
    }
    Duration::from_millis(rand::thread_rng().gen_range(0..=millis))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_is_capped() {
        let policy = RetryPolicy::new(5);
        for attempt in 0..20 {
            let wait = policy.backoff(attempt);
            let full = policy
                .base
                .saturating_mul(1 << attempt.min(16))
                .min(policy.cap);
            assert!(wait >= full / 2 && wait <= full, "{attempt}: {wait:?}");
        }
    }

    #[test]
    fn throttle_backoff_is_at_least_a_second() {
        let policy = RetryPolicy::new(5);
        for attempt in 0..5 {
            assert!(policy.throttle_backoff(attempt) >= Duration::from_secs(1));
        }
    }
}
