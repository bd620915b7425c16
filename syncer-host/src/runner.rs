//! Runs one sync of a configured syncer: takes the syncer's run lock, records the run in the
//! history, builds the source from the registry and hands everything to the engine. The CLI, the
//! scheduler and the HTTP API all start runs here, so they share one lock per syncer.

use std::path::PathBuf;

use syncer_core::{run_sync, RunStatus, StopSignal, SyncOptions, SyncProgress, SyncReport, Target};

use crate::config::SyncerSettings;
use crate::history::History;
use crate::lock::{self, LockError, RunLock};

/// Flags of one run.
#[derive(Clone, Copy, Debug, Default)]
pub struct RunFlags {
    /// Plan only.
    pub dry_run: bool,
    /// Lift the mass-deprovision guard once.
    pub allow_mass_deprovision: bool,
}

/// A run that holds its syncer's lock and has a history row.
#[derive(Debug)]
pub struct ActiveRun {
    /// The history id (`None` if the history could not record it).
    pub run_id: Option<i64>,
    options: SyncOptions,
    _lock: RunLock,
}

/// Runs syncs against one target with one history.
pub struct Runner {
    target: Box<dyn Target>,
    history: History,
    state_path: PathBuf,
    stop: StopSignal,
}

impl Runner {
    /// A runner writing to `target`, recording into `history`, locking beside `state_path`.
    pub fn new(target: Box<dyn Target>, history: History, state_path: PathBuf) -> Self {
        Self {
            target,
            history,
            state_path,
            stop: StopSignal::default(),
        }
    }

    /// The target.
    pub fn target(&self) -> &dyn Target {
        self.target.as_ref()
    }

    /// The history.
    pub fn history(&self) -> &History {
        &self.history
    }

    /// Asks every run of this runner to stop starting writes (graceful shutdown).
    pub fn stop(&self) {
        self.stop.raise();
    }

    fn options(&self, settings: &SyncerSettings, flags: RunFlags) -> SyncOptions {
        SyncOptions {
            leavers: settings.leavers,
            guard: settings.guard,
            allow_mass_deprovision: flags.allow_mass_deprovision,
            dry_run: flags.dry_run,
            write_concurrency: settings.write_concurrency,
            group_name_prefix: settings.group_name_prefix.clone(),
            stop: self.stop.clone(),
            ..SyncOptions::new(&settings.name, &settings.organization)
        }
    }

    /// Takes the syncer's lock and records the start; fails when a run of it is going (in this
    /// process or another).
    pub async fn begin(
        &self,
        settings: &SyncerSettings,
        flags: RunFlags,
    ) -> Result<ActiveRun, LockError> {
        let lock = lock::try_lock(&self.state_path, &settings.name)?;
        let options = self.options(settings, flags);
        let started = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        let run_id = match self
            .history
            .start(&settings.name, flags.dry_run, &started)
            .await
        {
            Ok(id) => Some(id),
            Err(error) => {
                tracing::warn!(%error, "could not record the run start");
                None
            }
        };
        Ok(ActiveRun {
            run_id,
            options,
            _lock: lock,
        })
    }

    /// Runs a begun run to its end and records its report; the lock is released after.
    pub async fn execute(
        &self,
        settings: &SyncerSettings,
        run: ActiveRun,
        progress: &dyn SyncProgress,
    ) -> SyncReport {
        let report = match (settings.plugin.build)(&settings.plugin_config) {
            Ok(source) => {
                run_sync(
                    source.as_ref(),
                    &settings.mapping,
                    self.target.as_ref(),
                    &run.options,
                    progress,
                )
                .await
            }
            Err(error) => not_run(&run.options, RunStatus::Failed, error.to_string()),
        };
        if let Some(id) = run.run_id {
            if let Err(error) = self.history.finish(id, &report).await {
                tracing::warn!(%error, "could not record the run");
            }
        }
        report
    }

    /// Records that a run of `settings` was not started because another was going.
    pub async fn record_skipped(
        &self,
        settings: &SyncerSettings,
        flags: RunFlags,
        why: &LockError,
    ) -> (Option<i64>, SyncReport) {
        let options = self.options(settings, flags);
        let report = not_run(&options, RunStatus::Skipped, why.to_string());
        let run_id = self.history.record_skipped(&report).await.ok();
        (run_id, report)
    }

    /// Runs one sync now (begin + execute); a run that finds another run of the syncer going is
    /// recorded as `skipped`.
    pub async fn run(
        &self,
        settings: &SyncerSettings,
        flags: RunFlags,
        progress: &dyn SyncProgress,
    ) -> (Option<i64>, SyncReport) {
        match self.begin(settings, flags).await {
            Ok(run) => {
                let run_id = run.run_id;
                (run_id, self.execute(settings, run, progress).await)
            }
            Err(error) => self.record_skipped(settings, flags, &error).await,
        }
    }
}

/// The report of a run that did not get going.
pub fn not_run(options: &SyncOptions, status: RunStatus, message: String) -> SyncReport {
    let mut report = SyncReport::starting(&options.syncer, &options.organization, options.dry_run);
    report.status = status;
    report.errors.push(syncer_core::engine::ReportError {
        user: None,
        api: None,
        message,
    });
    report
}
