//! What the control API and the scheduler share: the config, the runner (target, history,
//! locks), the metrics, and the tracker of runs in flight for graceful shutdown.

use std::sync::Arc;

use syncer_core::{NoProgress, Secret};
use tokio_util::task::TaskTracker;

use super::metrics::Metrics;
use crate::config::Config;
use crate::lock::LockError;
use crate::runner::{RunFlags, Runner};

/// Why a run could not be started.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// No syncer of that name.
    #[error("no syncer named `{0}`")]
    UnknownSyncer(String),
    /// A run of the syncer is going.
    #[error("{0}")]
    Busy(LockError),
    /// The server is shutting down.
    #[error("the server is shutting down")]
    ShuttingDown,
    /// The run history could not record the run.
    #[error("the run history could not record the run")]
    NotRecorded,
}

struct Shared {
    config: Config,
    runner: Runner,
    metrics: Metrics,
    runs: TaskTracker,
    token: Option<Secret>,
}

/// Cheap to clone handle on the serve state.
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

impl AppState {
    /// State over `config` and `runner`, requiring `token` on the API when set.
    pub fn new(config: Config, runner: Runner, token: Option<Secret>) -> Self {
        Self(Arc::new(Shared {
            config,
            runner,
            metrics: Metrics::default(),
            runs: TaskTracker::new(),
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

    /// The API token, if one is required.
    pub fn token(&self) -> Option<&Secret> {
        self.0.token.as_ref()
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
        let run = self
            .runner()
            .begin(&settings, flags)
            .await
            .map_err(StartError::Busy)?;
        let Some(run_id) = run.run_id else {
            return Err(StartError::NotRecorded);
        };
        let state = self.clone();
        self.0.runs.spawn(async move {
            let report = state.runner().execute(&settings, run, &NoProgress).await;
            tracing::info!(syncer = %settings.name, status = report.status.as_str(), "run finished");
            state.metrics().record(&report);
        });
        Ok(run_id)
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

    /// Stops accepting runs, asks running ones to stop starting writes, and waits for them at
    /// most `grace`. Returns whether they all finished in time.
    pub async fn drain(&self, grace: std::time::Duration) -> bool {
        self.0.runs.close();
        self.runner().stop();
        tokio::time::timeout(grace, self.0.runs.wait())
            .await
            .is_ok()
    }
}
