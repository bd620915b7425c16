//! A revert as the runner runs it: which run it undoes and of which syncer (found in the
//! history), the reverted run's journal read back, and the engine's `run_revert` fed with it.
//! The revert itself is journaled like any run, so it can be reverted in turn. Knows nothing
//! of locks, leases or HTTP: [`crate::runner`] runs it like a sync.

use syncer_core::engine::RunKind;
use syncer_core::{
    run_revert, Journal, RevertOptions, SyncOptions, SyncProgress, SyncReport, Target,
};

use crate::config::{Config, SyncerSettings};
use crate::history::{History, HistoryError};
use crate::state::journal::JournalStore;

/// What a revert run undoes.
#[derive(Clone, Debug)]
pub struct RevertJob {
    /// The run undone.
    pub run_id: i64,
    /// Delete the users it created instead of disabling them.
    pub delete_created: bool,
    /// How many writes the reverted run's report says it sent.
    reverted_writes: u64,
}

impl RevertJob {
    /// Marks `report` as this revert's.
    pub fn mark(&self, report: &mut SyncReport) {
        report.kind = RunKind::Revert;
        report.reverts = Some(self.run_id);
    }
}

/// Why a revert cannot start.
#[derive(Debug, thiserror::Error)]
pub enum RevertError {
    /// No run has this id (never was, or pruned from the history with its journal).
    #[error("no run {0} in the run history (the history keeps each syncer's newest 1000 runs, and a run's journal goes with it); `runs NAME` lists the runs there are")]
    UnknownRun(i64),
    /// The run's syncer is no longer in the config.
    #[error("run {run_id} was a run of syncer `{syncer}`, which the config no longer has; put it back in the config to revert the run")]
    SyncerGone {
        /// The run.
        run_id: i64,
        /// Its syncer.
        syncer: String,
    },
    /// The history could not be read.
    #[error(transparent)]
    History(#[from] HistoryError),
}

/// The revert of run `run_id` as `history` knows it: the job and the settings of the reverted
/// run's syncer in `config`.
pub async fn find<'c>(
    history: &History,
    config: &'c Config,
    run_id: i64,
    delete_created: bool,
) -> Result<(&'c SyncerSettings, RevertJob), RevertError> {
    let run = history
        .run(run_id)
        .await?
        .ok_or(RevertError::UnknownRun(run_id))?;
    let settings = config
        .syncer(&run.syncer)
        .map_err(|_| RevertError::SyncerGone {
            run_id,
            syncer: run.syncer.clone(),
        })?;
    let reverted_writes = run.report.as_ref().map_or(0, |report| report.target_writes);
    Ok((
        settings,
        RevertJob {
            run_id,
            delete_created,
            reverted_writes,
        },
    ))
}

/// Runs the revert `job` against `target` from the journal in `journals`, journaling its own
/// writes in `journal`.
pub async fn run(
    journals: &JournalStore,
    job: &RevertJob,
    target: &dyn Target,
    options: &SyncOptions,
    progress: &dyn SyncProgress,
    journal: &dyn Journal,
) -> SyncReport {
    let entries = match journals.entries(job.run_id).await {
        Ok(entries) => entries,
        Err(error) => {
            let mut report =
                SyncReport::starting(&options.syncer, &options.organization, options.dry_run);
            report.status = syncer_core::RunStatus::Failed;
            report.errors.push(syncer_core::engine::ReportError {
                user: None,
                api: None,
                message: format!(
                    "cannot read the journal of run {}: {error}; nothing was written",
                    job.run_id
                ),
            });
            job.mark(&mut report);
            return report;
        }
    };
    let revert = RevertOptions {
        delete_created: job.delete_created,
    };
    let mut report = run_revert(&entries, target, options, &revert, progress, journal).await;
    job.mark(&mut report);
    if entries.is_empty() && job.reverted_writes > 0 {
        report.notices.push(format!(
            "run {} sent {} write(s) but has no journal (it ran without one, or before syncer-host kept journals): there is nothing to revert it from",
            job.run_id, job.reverted_writes
        ));
    }
    report
}
