//! A syncer's event worker: takes the queued events in order, coalesces those that arrive
//! within [`COALESCE`] of the first, each less than [`IDLE`] after the one before (a storm for
//! one person costs one read and at most one write; a lone event does not wait out the
//! window), waits until no full run of the syncer is going, and applies the batch under the
//! syncer's run lock (a lease with its fence, in a shared state), exactly as a run holds it,
//! with the syncer's account index (read and kept under the same lock).
//! Each event is answered once its change is written or recorded failed; while IAM cannot be
//! reached every event of the batch is asked for again.

use std::sync::Arc;
use std::time::Duration;

use syncer_core::engine::{apply_changes, ChangeInputs, ChangeOutcome, ChangeReport, ChangeSet};
use syncer_core::{EventOutcome, NoJournal, Target};
use tokio::sync::{mpsc, OwnedMutexGuard};
use tokio_util::sync::CancellationToken;

use crate::runner::RunFlags;
use crate::serve::events::status::{self, EventRecord};
use crate::serve::events::{named, EventHub, Job};
use crate::serve::state::AppState;
use crate::state::fence::FencedTarget;
use crate::store::RunGuard;

/// How long the worker gathers events after the first of a batch, at most.
pub const COALESCE: Duration = Duration::from_millis(200);
/// A batch closes before [`COALESCE`] once no event has come for this long: a storm arrives
/// as a burst, and a lone event need not wait out the whole window.
pub const IDLE: Duration = Duration::from_millis(50);
/// The most events one batch takes.
const BATCH: usize = 500;

/// Runs the worker of `hub` until `cancel` fires or its queue closes.
pub async fn run(
    state: AppState,
    hub: Arc<EventHub>,
    mut jobs: mpsc::UnboundedReceiver<Job>,
    cancel: CancellationToken,
) {
    loop {
        let first = tokio::select! {
            _ = cancel.cancelled() => return,
            job = jobs.recv() => match job {
                Some(job) => job,
                None => return,
            },
        };
        let until = tokio::time::Instant::from_std(first.received) + COALESCE;
        let mut batch = vec![first];
        while batch.len() < BATCH {
            let closes = closes_at(until, tokio::time::Instant::now(), IDLE);
            tokio::select! {
                _ = tokio::time::sleep_until(closes) => break,
                job = jobs.recv() => match job {
                    Some(job) => batch.push(job),
                    None => break,
                },
            }
        }
        let held = wait_for_lock(&state, &hub, &cancel).await;
        hub.set_waiting(false);
        let Some(lock) = held else {
            answer_all(batch, EventOutcome::Later);
            return;
        };
        apply(&state, &hub, batch, lock).await;
    }
}

/// When a batch being gathered closes: at the end of its window (`until`), or `idle` after
/// the last event came (`last`), whichever is first.
pub(super) fn closes_at(
    until: tokio::time::Instant,
    last: tokio::time::Instant,
    idle: Duration,
) -> tokio::time::Instant {
    until.min(last + idle)
}

/// The syncer's run lock, and its start gate held with it so a full run about to start waits
/// for this batch instead of being refused as busy.
struct Held {
    lock: RunGuard,
    _gate: OwnedMutexGuard<()>,
}

/// Waits until the syncer's run lock is free and takes it. Full runs in this process or
/// another end by themselves, so this polls (a tenth of a second, doubling to two).
async fn wait_for_lock(
    state: &AppState,
    hub: &EventHub,
    cancel: &CancellationToken,
) -> Option<Held> {
    let name = hub.name.as_str();
    let mut pause = Duration::from_millis(100);
    loop {
        let gate = state.gate(name).lock_owned().await;
        match state.runner().try_lock(name).await {
            Ok(lock) => return Some(Held { lock, _gate: gate }),
            Err(error) if error.is_busy() => hub.set_waiting(true),
            Err(error) => tracing::warn!(syncer = %name, %error, "events wait for the run lock"),
        }
        drop(gate);
        tokio::select! {
            _ = cancel.cancelled() => return None,
            _ = tokio::time::sleep(pause) => {}
        }
        pause = (pause * 2).min(Duration::from_secs(2));
    }
}

fn answer_all(batch: Vec<Job>, outcome: EventOutcome) {
    for job in batch {
        let _ = job.reply.send(outcome);
    }
}

async fn apply(state: &AppState, hub: &EventHub, batch: Vec<Job>, held: Held) {
    let Held { lock, _gate: gate } = held;
    let Ok(settings) = state.config().syncer(&hub.name) else {
        lock.release().await;
        answer_all(batch, EventOutcome::Later);
        return;
    };
    let changes = ChangeSet::of(batch.iter().map(|job| &job.event));
    let options = state.runner().options(settings, RunFlags::default());
    let fenced = lock
        .fence()
        .map(|fence| FencedTarget::new(state.runner().target(), fence));
    let target: &dyn Target = match &fenced {
        Some(fenced) => fenced,
        None => state.runner().target(),
    };
    // Read and written under the run lock: no other batch, here or on another replica, counts
    // on the same window meanwhile.
    let recent = match hub.recent_deprovisions().await {
        Ok(recent) => recent,
        Err(error) => {
            lock.release().await;
            drop(gate);
            tracing::warn!(syncer = %hub.name, %error, "events not applied: the guard's window cannot be read; the directory delivers them again");
            ask_again(hub, batch, 0, Some(error.to_string()));
            return;
        }
    };
    let index = state.runner().index(&hub.name);
    let mut report: ChangeReport = apply_changes(ChangeInputs {
        source: hub.source.as_ref(),
        mapping: &settings.mapping,
        target,
        options: &options,
        changes: &changes,
        recent_deprovisions: recent,
        journal: &NoJournal,
        index: &index,
    })
    .await;
    if let Err(error) = hub.record_deprovisions(report.deprovisioned).await {
        tracing::warn!(syncer = %hub.name, %error, deprovisioned = report.deprovisioned, "event deprovisions not counted in the guard's window");
    }
    lock.release().await;
    drop(gate);
    report.report.redact(state.runner().secrets());
    let error = report.error();
    if report.retry {
        tracing::warn!(syncer = %hub.name, error = ?error, "events not applied: the target is unreachable; the directory delivers them again");
        ask_again(hub, batch, report.report.target_writes, error);
        return;
    }
    let ids: Vec<String> = batch.iter().map(|job| job.event.id.clone()).collect();
    if let Err(error) = hub.seen().remember(&hub.name, &ids).await {
        tracing::warn!(syncer = %hub.name, %error, "handled events may be applied again when delivered again");
    }
    if report.outcome == ChangeOutcome::Failed {
        tracing::warn!(syncer = %hub.name, error = ?error, "events failed");
    }
    for job in batch {
        let outcome = report.outcome.as_str();
        hub.record(
            record(&job, outcome, report.report.target_writes, error.clone()),
            Some(job.received),
        );
        let _ = job.reply.send(EventOutcome::Done);
    }
}

/// Records every event of `batch` as `later` and asks the directory for it again.
fn ask_again(hub: &EventHub, batch: Vec<Job>, writes: u64, error: Option<String>) {
    for job in batch {
        hub.record(record(&job, "later", writes, error.clone()), None);
        let _ = job.reply.send(EventOutcome::Later);
    }
}

fn record(job: &Job, outcome: &'static str, writes: u64, error: Option<String>) -> EventRecord {
    EventRecord {
        id: job.event.id.clone(),
        kind: job.event.kind.clone(),
        people: named(&job.event),
        outcome,
        writes,
        error,
        at: status::now(),
    }
}
