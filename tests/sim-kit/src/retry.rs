//! [`RetrySchedule`]: when a vendor sends a failed push again (DingTalk after 10 s and 30 s,
//! Lark after 15 s, 5 min, 1 h and 6 h), with every delay multiplied by a factor so a test can
//! run the whole schedule in milliseconds.

use std::future::Future;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

/// The delays before each retry of a failed delivery, scaled by `factor`.
#[derive(Debug, Clone, PartialEq)]
pub struct RetrySchedule {
    /// The vendor's delays, from the first failure.
    pub delays: Vec<Duration>,
    /// What every delay is multiplied by (1.0 as the vendor does it; 0.001 in tests).
    pub factor: f64,
}

impl RetrySchedule {
    /// The vendor's delays, unscaled.
    pub fn new(delays: Vec<Duration>) -> RetrySchedule {
        RetrySchedule {
            delays,
            factor: 1.0,
        }
    }

    /// The same schedule with every delay multiplied by `factor` (negative counts as 0).
    pub fn scaled(mut self, factor: f64) -> RetrySchedule {
        self.factor = factor.max(0.0);
        self
    }

    /// The wait before retry `n` (0 is the first retry), or None when no retry is left.
    pub fn delay(&self, n: usize) -> Option<Duration> {
        self.delays
            .get(n)
            .map(|delay| delay.mul_f64(self.factor.max(0.0)))
    }

    /// Runs `attempt` until it succeeds or no retry is left, waiting the scheduled delay before
    /// each retry and calling `retrying` then; true when an attempt succeeded.
    pub async fn run<F, Fut>(&self, mut attempt: F, mut retrying: impl FnMut()) -> bool
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = bool>,
    {
        let mut retry = 0;
        loop {
            if attempt().await {
                return true;
            }
            let Some(delay) = self.delay(retry) else {
                return false;
            };
            tokio::time::sleep(delay).await;
            retrying();
            retry += 1;
        }
    }

    /// How many retries follow the first attempt.
    pub fn retries(&self) -> usize {
        self.delays.len()
    }
}

/// Runs `work` on a task that ends early when `stop` is cancelled (the simulator stopped).
pub fn spawn_until_stopped(
    stop: &CancellationToken,
    work: impl Future<Output = ()> + Send + 'static,
) {
    let stop = stop.clone();
    tokio::spawn(async move {
        tokio::select! {
            () = stop.cancelled() => {}
            () = work => {}
        }
    });
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;

    use super::*;

    #[tokio::test]
    async fn a_run_retries_until_an_attempt_succeeds_or_the_schedule_ends() {
        let schedule = RetrySchedule::new(vec![Duration::from_secs(10); 3]).scaled(0.0);
        let (tries, retries) = (Cell::new(0), Cell::new(0));
        let attempt = || {
            tries.set(tries.get() + 1);
            let ok = tries.get() == 2;
            async move { ok }
        };
        assert!(
            schedule
                .run(attempt, || retries.set(retries.get() + 1))
                .await
        );
        assert_eq!((tries.get(), retries.get()), (2, 1));
        let never = || async { false };
        assert!(!schedule.run(never, || retries.set(retries.get() + 1)).await);
        assert_eq!(retries.get(), 4);
    }

    #[test]
    fn delays_are_scaled_and_end() {
        let schedule = RetrySchedule::new(vec![Duration::from_secs(10), Duration::from_secs(30)])
            .scaled(0.001);
        assert_eq!(schedule.delay(0), Some(Duration::from_millis(10)));
        assert_eq!(schedule.delay(1), Some(Duration::from_millis(30)));
        assert_eq!(schedule.delay(2), None);
        assert_eq!(schedule.retries(), 2);
    }
}
