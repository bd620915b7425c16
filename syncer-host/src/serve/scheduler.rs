//! The scheduler: every enabled syncer runs every `sync_interval` (first run shortly after
//! start), with up to 10% jitter so syncers do not fire together. A run that finds one going is
//! recorded as skipped; a failing run simply waits for the next interval.

use std::time::Duration;

use rand::Rng;
use tokio_util::sync::CancellationToken;

use super::state::{AppState, StartError};
use crate::runner::RunFlags;

/// Starts one scheduling loop per enabled syncer; they end when `cancel` fires.
pub fn start(state: &AppState, cancel: &CancellationToken) {
    for syncer in state.config().syncers.iter().filter(|s| s.is_enabled) {
        let (state, cancel) = (state.clone(), cancel.clone());
        let (name, interval) = (syncer.name.clone(), syncer.sync_interval);
        tokio::spawn(async move {
            let mut delay = first_delay(interval);
            loop {
                tokio::select! {
                    _ = cancel.cancelled() => return,
                    _ = tokio::time::sleep(delay) => {}
                }
                match state.start_run(&name, RunFlags::default()).await {
                    Ok(run_id) => tracing::info!(syncer = %name, run_id, "scheduled run started"),
                    Err(StartError::Busy(why)) => {
                        tracing::info!(syncer = %name, "scheduled run skipped: {why}");
                        state.record_skipped(&name, &why).await;
                    }
                    Err(StartError::ShuttingDown) => return,
                    Err(error) => {
                        tracing::warn!(syncer = %name, %error, "scheduled run not started")
                    }
                }
                delay = with_jitter(interval);
            }
        });
    }
}

/// The first run comes shortly after start: within a tenth of the interval, at most 5 s.
fn first_delay(interval: Duration) -> Duration {
    let window = (interval / 10).min(Duration::from_secs(5));
    random_up_to(window)
}

/// The interval plus up to 10% of it.
fn with_jitter(interval: Duration) -> Duration {
    interval + random_up_to(interval / 10)
}

fn random_up_to(limit: Duration) -> Duration {
    let millis = u64::try_from(limit.as_millis()).unwrap_or(u64::MAX);
    Duration::from_millis(rand::thread_rng().gen_range(0..=millis))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jitter_stays_within_ten_percent() {
        let interval = Duration::from_secs(100);
        for _ in 0..1000 {
            let delay = with_jitter(interval);
            assert!(delay >= interval && delay <= interval + interval / 10);
            assert!(first_delay(interval) <= Duration::from_secs(5));
        }
    }
}
