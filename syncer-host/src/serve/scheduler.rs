//! The scheduler: every enabled syncer runs every `sync_interval` (first run shortly after
//! start), with up to 10% jitter so syncers do not fire together. A run that finds one going is
//! recorded as skipped; a failing run simply waits for the next interval. A run the monthly
//! call budget cannot afford (or whose remote said its quota is used up this month) is not
//! started: it is recorded as skipped with the reason in numbers.
//!
//! With a shared state (`[state] url`) the replicas agree on the slots instead: each one waits
//! until the syncer's slot is due by the database's clock and claims it with a compare-and-set,
//! so one replica runs each slot. Each also takes over a run whose replica died (its lease
//! expired): the run is closed as failed and the slot made due at once.

use std::time::Duration;

use rand::Rng;
use tokio_util::sync::CancellationToken;

use super::state::{AppState, StartError};
use crate::runner::RunFlags;

/// Starts one scheduling loop per enabled syncer; they end when `cancel` fires.
pub fn start(state: &AppState, cancel: &CancellationToken) {
    if state.runner().shared().is_some() {
        return start_shared(state, cancel);
    }
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
                if let Some(why) = state.quota_hold(&name).await {
                    tracing::info!(syncer = %name, "scheduled run held back: {why}");
                    state.record_held(&name, why).await;
                    delay = with_jitter(interval);
                    continue;
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

/// The loops of a shared state: claim each due slot, take over dead replicas' runs.
fn start_shared(state: &AppState, cancel: &CancellationToken) {
    for syncer in state.config().syncers.iter().filter(|s| s.is_enabled) {
        let (state, cancel) = (state.clone(), cancel.clone());
        let (name, interval) = (syncer.name.clone(), syncer.sync_interval);
        tokio::spawn(async move {
            let mut slot_made = false;
            loop {
                let wait = match shared_tick(&state, &name, interval, &mut slot_made).await {
                    Ok(wait) => wait,
                    Err(Stop) => return,
                };
                tokio::select! {
                    _ = cancel.cancelled() => return,
                    _ = tokio::time::sleep(wait) => {}
                }
            }
        });
    }
}

/// The scheduler of a shared state stops (the server is shutting down).
struct Stop;

/// One look at the shared state: take over a dead replica's run, claim the slot if due and
/// start its run. Returns how long to wait before the next look: until the slot is due, but
/// at most a third of the lease, so a dead replica's run is noticed soon after its lease ends.
async fn shared_tick(
    state: &AppState,
    name: &str,
    interval: Duration,
    slot_made: &mut bool,
) -> Result<Duration, Stop> {
    let Some(shared) = state.runner().shared().cloned() else {
        return Err(Stop);
    };
    let poll = (shared.lease() / 3).clamp(
        Duration::from_millis(500),
        interval.max(Duration::from_secs(1)),
    );
    let settings = match state.config().syncer(name) {
        Ok(settings) => settings.clone(),
        Err(_) => return Err(Stop),
    };
    if !*slot_made {
        match shared.ensure_slot(name).await {
            Ok(()) => *slot_made = true,
            Err(error) => {
                tracing::warn!(syncer = %name, %error, "scheduler waits for the shared state");
                return Ok(poll);
            }
        }
    }
    if state.took_over_dead_run(&settings).await {
        if let Err(error) = shared.make_due(name).await {
            tracing::warn!(syncer = %name, %error, "could not make the slot due");
        }
    }
    match shared.claim_slot(name, interval).await {
        Ok(true) => match state.quota_hold(name).await {
            Some(why) => {
                tracing::info!(syncer = %name, "scheduled run held back: {why}");
                state.record_held(name, why).await;
            }
            None => match state.start_run(name, RunFlags::default()).await {
                Ok(run_id) => tracing::info!(syncer = %name, run_id, "scheduled run started"),
                Err(StartError::Busy(why)) => {
                    tracing::info!(syncer = %name, "scheduled run skipped: {why}");
                    state.record_skipped(name, &why).await;
                }
                Err(StartError::ShuttingDown) => return Err(Stop),
                Err(error) => tracing::warn!(syncer = %name, %error, "scheduled run not started"),
            },
        },
        Ok(false) => {}
        Err(error) => {
            tracing::warn!(syncer = %name, %error, "scheduler waits for the shared state");
            return Ok(poll);
        }
    }
    let until = shared.until_due(name).await.unwrap_or(poll);
    // A little spread, so the replicas do not all ask at the same millisecond.
    Ok(until.min(poll) + random_up_to(Duration::from_millis(100)))
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
