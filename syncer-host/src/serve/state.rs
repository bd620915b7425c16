//! What the control API and the scheduler share: the config, the runner (target, history,
//! locks), the metrics, and the runs in flight in this process (for `running`, and for graceful
//! shutdown).

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use parking_lot::{Mutex, MutexGuard};
use syncer_core::{NoProgress, RunStatus};
use tokio_util::task::TaskTracker;

use super::events::EventHub;
use super::metrics::Metrics;
use super::token::ApiToken;
use crate::config::{Config, SyncerSettings};
use crate::history::RunRecord;
use crate::lock::LockError;
use crate::revert::RevertError;
use crate::runner::{RunFlags, RunJob, Runner};

/// Why a run could not be started.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// No syncer of that name.
    #[error("no syncer named `{0}`")]
    UnknownSyncer(String),
    /// A run of the syncer is going (the answer names the syncer, never the lock's file).
    #[error("{}", busy_message(.0))]
    Busy(LockError),
    /// The run lock could not be taken for another reason (its file cannot be opened).
    #[error("{0}")]
    Lock(LockError),
    /// The server is shutting down.
    #[error("the server is shutting down")]
    ShuttingDown,
    /// The run history could not record the run.
    #[error("the run history could not record the run")]
    NotRecorded,
    /// The run to revert is unknown, or its syncer is, or the history cannot say.
    #[error(transparent)]
    Revert(#[from] RevertError),
}

/// What a client is told of a busy syncer: which one, and what to do; the lock's place on this
/// machine's disk is no business of an API client.
fn busy_message(error: &LockError) -> String {
    match error {
        LockError::Busy(name, _) => format!(
            "another run of syncer {name} is in progress; start it again once that run has finished"
        ),
        other => other.to_string(),
    }
}

struct Shared {
    config: Config,
    runner: Runner,
    metrics: Arc<Metrics>,
    runs: TaskTracker,
    /// Per syncer: held while a run starts or a batch of events takes the run lock, so a run
    /// waits for the batch instead of being refused as busy.
    gates: HashMap<String, Arc<tokio::sync::Mutex<()>>>,
    /// The event hubs of the syncers with events on (set once at start).
    events: OnceLock<HashMap<String, Arc<EventHub>>>,
    /// Syncer name → run id of the runs this process is executing.
    in_flight: Mutex<HashMap<String, i64>>,
    /// Held while this process takes or probes a run lock, so a probe never makes one of our
    /// own runs look busy.
    locking: tokio::sync::Mutex<()>,
    token: Option<ApiToken>,
}

/// Cheap to clone handle on the serve state.
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

/// Takes a run off the in-flight list when its task ends, also if it panicked.
struct InFlight {
    state: AppState,
    name: String,
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.state.in_flight().remove(&self.name);
    }
}

impl AppState {
    /// State over `config` and `runner`, requiring `token` on the API when set.
    pub fn new(config: Config, runner: Runner, token: Option<ApiToken>) -> Self {
        let gates = config
            .syncers
            .iter()
            .map(|syncer| (syncer.name.clone(), Arc::default()))
            .collect();
        Self(Arc::new(Shared {
            config,
            runner,
            metrics: Arc::new(Metrics::default()),
            runs: TaskTracker::new(),
            gates,
            events: OnceLock::new(),
            in_flight: Mutex::new(HashMap::new()),
            locking: tokio::sync::Mutex::new(()),
            token,
        }))
    }

    /// The config.
    pub fn config(&self) -> &Config {
        &self.0.config
    }

    /// The runner.
    pub fn runner(&self) -> &Runner {
        &self.0.runner
    }

    /// The metrics.
    pub fn metrics(&self) -> &Metrics {
        &self.0.metrics
    }

    /// The metrics, shared with the event hubs.
    pub fn shared_metrics(&self) -> Arc<Metrics> {
        self.0.metrics.clone()
    }

    /// The start gate of `name` (see [`Shared::gates`]); a fresh one for an unknown name.
    pub fn gate(&self, name: &str) -> Arc<tokio::sync::Mutex<()>> {
        self.0.gates.get(name).cloned().unwrap_or_default()
    }

    /// Sets the event hubs (once, at start).
    pub fn set_event_hubs(&self, hubs: HashMap<String, Arc<EventHub>>) {
        if self.0.events.set(hubs).is_err() {
            tracing::warn!("the event hubs were set already");
        }
    }

    /// The event hub of `name`, when its events are on.
    pub fn event_hub(&self, name: &str) -> Option<Arc<EventHub>> {
        self.0.events.get()?.get(name).cloned()
    }

    /// The API token, if one is required.
    pub fn token(&self) -> Option<&ApiToken> {
        self.0.token.as_ref()
    }

    fn in_flight(&self) -> MutexGuard<'_, HashMap<String, i64>> {
        self.0.in_flight.lock()
    }

    /// Starts a run of `name` in the background and returns its run id.
    pub async fn start_run(&self, name: &str, flags: RunFlags) -> Result<i64, StartError> {
        if self.0.runs.is_closed() {
            return Err(StartError::ShuttingDown);
        }
        let settings = self
            .config()
            .syncer(name)
            .map_err(|_| StartError::UnknownSyncer(name.to_owned()))?
            .clone();
        self.start_job(settings, flags, RunJob::Sync).await
    }

    /// Starts, in the background, the revert of run `run_id` (a run of that run's syncer) and
    /// returns the new run's id.
    pub async fn start_revert(
        &self,
        run_id: i64,
        flags: RunFlags,
        delete_created: bool,
    ) -> Result<i64, StartError> {
        if self.0.runs.is_closed() {
            return Err(StartError::ShuttingDown);
        }
        let (settings, job) = self
            .runner()
            .find_revert(self.config(), run_id, delete_created)
            .await?;
        let settings = settings.clone();
        self.start_job(settings, flags, RunJob::Revert(job)).await
    }

    async fn start_job(
        &self,
        settings: SyncerSettings,
        flags: RunFlags,
        job: RunJob,
    ) -> Result<i64, StartError> {
        // A revert is not a full sync: it does not settle the events' deprovision window.
        let full_sync = matches!(job, RunJob::Sync);
        let gate = self.gate(&settings.name);
        let gate = gate.lock().await;
        let locking = self.0.locking.lock().await;
        // Before the lock: what events did before this instant, the run decides about.
        let started = std::time::Instant::now();
        let run = self
            .runner()
            .begin_job(&settings, flags, job)
            .await
            .map_err(|error| match error.is_busy() {
                true => StartError::Busy(error),
                false => StartError::Lock(error),
            })?;
        let Some(run_id) = run.run_id else {
            return Err(StartError::NotRecorded);
        };
        self.in_flight().insert(settings.name.clone(), run_id);
        drop(locking);
        drop(gate);
        let guard = InFlight {
            state: self.clone(),
            name: settings.name.clone(),
        };
        self.0.runs.spawn(async move {
            let state = guard.state.clone();
            let report = state.runner().execute(&settings, run, &NoProgress).await;
            tracing::info!(syncer = %settings.name, status = report.status.as_str(), "run finished");
            state.metrics().record(&report);
            // A sync that held its own leavers back (its guard tripped, or its fetch was
            // incomplete) decided about nobody: the events' window stays as it is.
            let decided = full_sync
                && !flags.dry_run
                && matches!(report.status, RunStatus::Succeeded | RunStatus::Partial)
                && report.held_back.is_none();
            if let Some(hub) = state.event_hub(&settings.name).filter(|_| decided) {
                hub.full_sync_done(started).await;
            }
            drop(guard);
        });
        Ok(run_id)
    }

    /// Why a scheduled run of `name` must not start under its monthly call budget, if so.
    pub async fn quota_hold(&self, name: &str) -> Option<String> {
        let settings = self.config().syncer(name).ok()?;
        match self.runner().admission(settings).await {
            crate::quota::Admission::Go => None,
            crate::quota::Admission::Hold(why) => Some(why),
        }
    }

    /// Records a scheduled run held back by the monthly call budget.
    pub async fn record_held(&self, name: &str, why: String) {
        if let Ok(settings) = self.config().syncer(name) {
            let (_, report) = self.runner().record_held(settings, why).await;
            self.metrics().record(&report);
        }
    }

    /// Records a scheduled run that found another run going.
    pub async fn record_skipped(&self, name: &str, why: &LockError) {
        if let Ok(settings) = self.config().syncer(name) {
            let (_, report) = self
                .runner()
                .record_skipped(settings, RunFlags::default(), why)
                .await;
            self.metrics().record(&report);
        }
    }

    /// Whether a run of `settings` is going, in this process or another, given its newest
    /// non-skipped run. Only a `running` row that is not one of ours needs the lock probed
    /// (which also closes the row if its process died).
    pub async fn is_running(&self, settings: &SyncerSettings, last: Option<&RunRecord>) -> bool {
        if self.in_flight().contains_key(&settings.name) {
            return true;
        }
        if !last.is_some_and(|run| run.status == RunStatus::Running) {
            return false;
        }
        let _locking = self.0.locking.lock().await;
        if self.in_flight().contains_key(&settings.name) {
            return true;
        }
        match self.runner().probe(settings).await {
            Ok(running) => running,
            Err(error) => {
                tracing::warn!(%error, "cannot tell whether a run is going");
                true
            }
        }
    }

    /// Whether a run of `settings` was left `running` by a process or replica that is gone (its
    /// lock free, its lease expired) and has just been closed as failed.
    pub async fn took_over_dead_run(&self, settings: &SyncerSettings) -> bool {
        if self.in_flight().contains_key(&settings.name) {
            return false;
        }
        match self.runner().history().last_run(&settings.name).await {
            Ok(Some(run)) if run.status == RunStatus::Running => {}
            Ok(_) => return false,
            Err(error) => {
                tracing::warn!(%error, "cannot read the run history");
                return false;
            }
        }
        let _locking = self.0.locking.lock().await;
        if self.in_flight().contains_key(&settings.name) {
            return false;
        }
        match self.runner().reclaim(settings).await {
            Ok(Some(closed)) => closed > 0,
            Ok(None) => false,
            Err(error) => {
                tracing::warn!(%error, "cannot tell whether a run is going");
                false
            }
        }
    }

    /// Whether the state answers: `Err(reason)` when the shared state is unreachable (a SQLite
    /// file is always there).
    pub async fn health(&self) -> Result<(), String> {
        match self.runner().shared() {
            None => Ok(()),
            Some(shared) => shared.ping().await.map_err(|e| e.to_string()),
        }
    }

    /// Closes the history rows that earlier processes left `running` for syncers whose lock is
    /// free (their process died); rows of live runs elsewhere stay as they are.
    pub async fn close_interrupted_runs(&self) {
        for settings in &self.config().syncers {
            let unfinished = match self.runner().history().unfinished(&settings.name).await {
                Ok(rows) => !rows.is_empty(),
                Err(error) => {
                    tracing::warn!(%error, "cannot read the run history");
                    return;
                }
            };
            if unfinished {
                let _locking = self.0.locking.lock().await;
                if let Err(error) = self.runner().probe(settings).await {
                    tracing::warn!(%error, "cannot check the run lock");
                }
            }
        }
    }

    /// Stops accepting runs, asks running ones to stop starting writes, and waits for them at
    /// most `grace`. Runs still going then are recorded as failed, stopped by shutdown. Returns
    /// how many that were.
    pub async fn drain(&self, grace: Duration) -> usize {
        self.0.runs.close();
        self.runner().stop();
        if tokio::time::timeout(grace, self.0.runs.wait())
            .await
            .is_ok()
        {
            return 0;
        }
        let unfinished: Vec<(String, i64)> = self
            .in_flight()
            .iter()
            .map(|(name, id)| (name.clone(), *id))
            .collect();
        let why = format!(
            "stopped by shutdown: the run did not finish within the {}s shutdown grace",
            grace.as_secs()
        );
        let mut closed = 0;
        let run_ids: Vec<i64> = unfinished.iter().map(|(_, id)| *id).collect();
        for (name, run_id) in unfinished {
            let Ok(settings) = self.config().syncer(&name) else {
                continue;
            };
            if self.runner().close_unfinished(settings, run_id, &why).await {
                closed += 1;
            }
        }
        if let Some(shared) = self.runner().shared() {
            if let Err(error) = shared.release_runs(&run_ids).await {
                tracing::warn!(%error, "could not give the leases back; they expire by themselves");
            }
        }
        closed
    }
}
