//! Runs one sync of a configured syncer: takes the syncer's run lock, records the run in the
//! history, builds the source from the registry and hands everything to the engine.

use std::path::PathBuf;

use syncer_core::{run_sync, RunStatus, SyncOptions, SyncProgress, SyncReport, Target};

use crate::config::SyncerSettings;
use crate::history::History;
use crate::lock;

/// Flags of one run.
#[derive(Clone, Copy, Debug, Default)]
pub struct RunFlags {
    /// Plan only.
    pub dry_run: bool,
    /// Lift the mass-deprovision guard once.
    pub allow_mass_deprovision: bool,
}

/// Runs syncs against one target with one history.
pub struct Runner {
    target: Box<dyn Target>,
    history: History,
    state_path: PathBuf,
}

impl Runner {
    /// A runner writing to `target`, recording into `history`, locking beside `state_path`.
    pub fn new(target: Box<dyn Target>, history: History, state_path: PathBuf) -> Self {
        Self {
            target,
            history,
            state_path,
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

    /// Whether a run of `syncer` is going (in this process or another).
    pub fn is_running(&self, syncer: &str) -> bool {
        lock::try_lock(&self.state_path, syncer).is_err()
    }

    /// Runs one sync now. A run that finds another run of the syncer going is not started: its
    /// report has status `skipped` and says why.
    pub async fn run(
        &self,
        settings: &SyncerSettings,
        flags: RunFlags,
        progress: &dyn SyncProgress,
    ) -> (Option<i64>, SyncReport) {
        let options = SyncOptions {
            leavers: settings.leavers,
            guard: settings.guard,
            allow_mass_deprovision: flags.allow_mass_deprovision,
            dry_run: flags.dry_run,
            write_concurrency: settings.write_concurrency,
            ..SyncOptions::new(&settings.name, &settings.organization)
        };
        let _lock = match lock::try_lock(&self.state_path, &settings.name) {
            Ok(lock) => lock,
            Err(error) => {
                let report = not_run(&options, RunStatus::Skipped, error.to_string());
                let run_id = self.history.record_skipped(&report).await.ok();
                return (run_id, report);
            }
        };
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
        let report = match (settings.plugin.build)(&settings.plugin_config) {
            Ok(source) => {
                run_sync(
                    source.as_ref(),
                    &settings.mapping,
                    self.target.as_ref(),
                    &options,
                    progress,
                )
                .await
            }
            Err(error) => not_run(&options, RunStatus::Failed, error.to_string()),
        };
        if let Some(id) = run_id {
            if let Err(error) = self.history.finish(id, &report).await {
                tracing::warn!(%error, "could not record the run");
            }
        }
        (run_id, report)
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
