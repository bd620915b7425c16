//! [`ReconnectBackoff`]: how long a long-lived connection to a remote (DingTalk's Stream
//! gateway) waits before it tries again after a drop or a failed open: 1 s doubling to 60 s,
//! with jitter so that many replicas dropped at once do not come back in step. Knows no remote.

use std::time::Duration;

use rand::Rng;

/// The wait before the next reconnect, growing while attempts keep failing.
#[derive(Clone, Debug)]
pub struct ReconnectBackoff {
    base: Duration,
    cap: Duration,
    failures: u32,
}

impl Default for ReconnectBackoff {
    /// 1 s doubling to 60 s.
    fn default() -> Self {
        Self::new(Duration::from_secs(1), Duration::from_secs(60))
    }
}

impl ReconnectBackoff {
    /// A backoff starting at `base` and doubling up to `cap`.
    pub fn new(base: Duration, cap: Duration) -> Self {
        Self {
            base,
            cap: cap.max(base),
            failures: 0,
        }
    }

    /// The wait after one more failure: between three quarters and all of
    /// `base · 2^failures`, capped (a wait never shrinks below three quarters of the base).
    pub fn next_wait(&mut self) -> Duration {
        let full = self
            .base
            .saturating_mul(1u32 << self.failures.min(16))
            .min(self.cap);
        self.failures = self.failures.saturating_add(1);
        let floor = full.mul_f64(0.75);
        let spread = u64::try_from((full - floor).as_millis()).unwrap_or(u64::MAX);
        let jitter = if spread == 0 {
            0
        } else {
            rand::thread_rng().gen_range(0..=spread)
        };
        floor + Duration::from_millis(jitter)
    }

    /// The connection worked: the next failure waits the base again.
    pub fn reset(&mut self) {
        self.failures = 0;
    }

    /// Failures since the last [`ReconnectBackoff::reset`].
    pub fn failures(&self) -> u32 {
        self.failures
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_double_from_a_second_to_a_minute_with_jitter() {
        let mut backoff = ReconnectBackoff::default();
        let mut full = Duration::from_secs(1);
        for _ in 0..12 {
            let wait = backoff.next_wait();
            assert!(
                wait >= full.mul_f64(0.75) && wait <= full,
                "{wait:?} for {full:?}"
            );
            full = (full * 2).min(Duration::from_secs(60));
        }
        assert_eq!(backoff.failures(), 12);
    }

    #[test]
    fn a_reset_starts_again_at_the_base() {
        let mut backoff = ReconnectBackoff::default();
        for _ in 0..5 {
            backoff.next_wait();
        }
        backoff.reset();
        assert!(backoff.next_wait() <= Duration::from_secs(1));
    }
}
