//! Change events under `serve`: one [`EventHub`] per syncer whose config turns events on. The
//! hub is the [`EventSink`] its backend hands events to (from its Stream connection, or from the
//! HTTP push route): it drops events already handled (their ids are kept in the host's state),
//! queues the others for the syncer's one worker, and answers once the worker has written the
//! change or recorded it failed — or asks for the event again while IAM is unreachable.
//!
//! The worker (in `event_tasks`) applies events one batch at a time under the syncer's run lock,
//! so an event never races a full run, and counts their deprovisions against the guard in the
//! state's [`EventWindow`] (shared by restarts and replicas); [`status`] is what the API shows.
//! This module knows nothing of the serve state: the tasks that drive a hub do.

pub mod status;

use std::sync::Arc;
use std::time::{Duration, Instant};

use parking_lot::Mutex;
use syncer_core::engine::ChangeOutcome;
use syncer_core::{ChangeEvent, EventMode, EventOutcome, EventSink, Syncer};
use tokio::sync::{mpsc, oneshot};

use super::metrics::Metrics;
use crate::state::event_window::EventWindow;
use crate::state::events::{SeenError, SeenEvents};
use status::{EventRecord, EventStatus};

/// One event waiting for the worker.
pub struct Job {
    /// The event.
    pub event: ChangeEvent,
    /// When it arrived (the apply time is measured from here).
    pub received: Instant,
    /// Where the worker answers how to acknowledge it.
    pub reply: oneshot::Sender<EventOutcome>,
}

/// The events of one syncer: its source, its queue, what it has seen, what it shows.
pub struct EventHub {
    /// The syncer's name.
    pub name: String,
    /// How it receives events.
    pub mode: EventMode,
    /// The syncer's source, built once (it keeps the stream, and reads the people events name).
    pub source: Arc<dyn Syncer>,
    queue: mpsc::UnboundedSender<Job>,
    seen: SeenEvents,
    status: Mutex<EventStatus>,
    /// Deprovisions events made, in the state: the guard's rolling window.
    window: EventWindow,
    /// The window's length (the syncer's `sync_interval`).
    window_length: Duration,
    metrics: Arc<Metrics>,
    /// Whether the worker is waiting for a run of the syncer to end.
    waiting: std::sync::atomic::AtomicBool,
}

impl EventHub {
    /// A hub for `name`'s `source`, and the receiving end of its queue (for its worker), whose
    /// deprovisions count in `window` over `window_length`.
    pub fn new(
        name: &str,
        source: Arc<dyn Syncer>,
        seen: SeenEvents,
        window: EventWindow,
        window_length: Duration,
        metrics: Arc<Metrics>,
    ) -> (Arc<Self>, mpsc::UnboundedReceiver<Job>) {
        let (queue, jobs) = mpsc::unbounded_channel();
        let mode = source.event_mode();
        let hub = Arc::new(Self {
            name: name.to_owned(),
            mode,
            source,
            queue,
            seen,
            status: Mutex::new(EventStatus::new(mode)),
            window,
            window_length,
            metrics,
            waiting: std::sync::atomic::AtomicBool::new(false),
        });
        (hub, jobs)
    }

    /// The counters the API shows.
    pub fn counters(&self) -> status::EventCounters {
        let mut counters = self.status.lock().counters.clone();
        counters.waiting_for_run = self.waiting_for_run();
        counters
    }

    /// The recent events, newest first.
    pub fn recent(&self) -> Vec<EventRecord> {
        self.status.lock().recent()
    }

    /// Whether events wait for a run of the syncer (in this process or another) to end.
    pub fn waiting_for_run(&self) -> bool {
        self.waiting.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// The worker starts (`true`) or stops waiting for a run.
    pub fn set_waiting(&self, waiting: bool) {
        self.waiting
            .store(waiting, std::sync::atomic::Ordering::SeqCst);
    }

    /// The ids store.
    pub fn seen(&self) -> &SeenEvents {
        &self.seen
    }

    /// Records how an event ended: the API's counters and list, and the metrics.
    pub fn record(&self, record: EventRecord, received: Option<Instant>) {
        self.metrics
            .record_event(&self.name, &record.kind, record.outcome, received);
        self.status.lock().handled(record);
    }

    /// Why the stream does not work (`None` once it does again).
    pub fn set_error(&self, error: Option<String>) {
        self.status.lock().counters.error = error;
    }

    /// How many users events of the syncer deprovisioned within the guard's window (here, after
    /// a restart, or on another replica sharing the state). Read under the run lock.
    pub async fn recent_deprovisions(&self) -> Result<usize, SeenError> {
        self.window.recent(&self.name, self.window_length).await
    }

    /// Counts `count` deprovisions events just made. Written under the run lock, before it is
    /// released, so the next batch anywhere sees them.
    pub async fn record_deprovisions(&self, count: usize) -> Result<(), SeenError> {
        self.window
            .record(&self.name, count, self.window_length)
            .await
    }

    /// A full sync of the syncer that took its lock at `started` ended: it decided about every
    /// leaver with its own guard, so the deprovisions before it leave the window.
    pub async fn full_sync_done(&self, started: Instant) {
        if let Err(error) = self.window.settle(&self.name, started.elapsed()).await {
            tracing::warn!(syncer = %self.name, %error, "the events' deprovision window was not settled");
        }
    }

    fn settled(&self, event: &ChangeEvent, outcome: ChangeOutcome) -> EventOutcome {
        self.record(
            EventRecord {
                id: event.id.clone(),
                kind: event.kind.clone(),
                people: named(event),
                outcome: outcome.as_str(),
                writes: 0,
                error: None,
                at: status::now(),
            },
            None,
        );
        EventOutcome::Done
    }
}

/// The ids an event names.
pub fn named(event: &ChangeEvent) -> Vec<String> {
    use syncer_core::Change;
    match &event.change {
        Change::People(ids)
        | Change::Left(ids)
        | Change::Departments(ids)
        | Change::DepartmentsRemoved(ids) => ids.clone(),
        Change::Ignored => Vec::new(),
    }
}

#[async_trait::async_trait]
impl EventSink for EventHub {
    async fn deliver(&self, event: ChangeEvent) -> EventOutcome {
        self.status.lock().received();
        if event.is_ignored() {
            return self.settled(&event, ChangeOutcome::Ignored);
        }
        match self.seen.contains(&self.name, &event.id).await {
            Ok(true) => return self.settled(&event, ChangeOutcome::Duplicate),
            Ok(false) => {}
            Err(error) => {
                // Without the ids it cannot tell a duplicate: ask for the event again.
                tracing::warn!(syncer = %self.name, %error, "event not handled now");
                return EventOutcome::Later;
            }
        }
        let (reply, answer) = oneshot::channel();
        let job = Job {
            event,
            received: Instant::now(),
            reply,
        };
        if self.queue.send(job).is_err() {
            return EventOutcome::Later;
        }
        answer.await.unwrap_or(EventOutcome::Later)
    }

    fn connection_changed(&self, connected: bool) {
        let mut status = self.status.lock();
        status.counters.connected = connected;
        if connected {
            status.counters.error = None;
        }
    }
}
