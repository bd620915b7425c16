//! Runs one sync of a configured syncer: takes the syncer's run lock, records the run in the
//! history, builds the source from the registry and hands everything to the engine. The CLI, the
//! scheduler and the HTTP API all start runs here, so they share one lock per syncer.
//!
//! Only the holder of a syncer's lock writes a `running` row for it, so whoever holds the lock
//! knows that every other `running` row of that syncer belongs to a process that died (killed,
//! crashed, out of time at shutdown): [`Runner::begin_job`] and [`Runner::probe`] close those rows
//! as failed. Nothing ever closes another syncer's rows, or rows whose lock is held.
//!
//! Every run that writes is journaled under its history row ([`crate::state::journal`]), so it
//! can be undone; a revert ([`crate::revert`]) is a run like a sync, of the reverted run's
//! syncer.

use syncer_core::{
    run_sync, AccountIndex, Deadline, IndexError, Journal, NoJournal, RunStatus, Secret,
    StopSignal, SyncInputs, SyncOptions, SyncProgress, SyncReport, Target,
};

use crate::config::{Config, SyncerSettings, TargetSettings};
use crate::history::{History, HistoryError, RunRecord};
use crate::lock::LockError;
use crate::quota::{Ledger, QuotaBook, SystemClock};
use crate::revert::{self, RevertError, RevertJob};
use crate::state::account_index::{IndexStore, SyncerIndex};
use crate::state::fence::{self, FencedTarget};
use crate::state::journal::{JournalStore, RunJournal};
use crate::state::postgres::{PgQuota, PgState};
use crate::state::quota::{QuotaError, SqliteQuota};
use crate::store::{RunGuard, RunStore};
use crate::target::{self, BuildError};

mod budget;
mod unrecorded;

use unrecorded::Unrecorded;

/// Why a config's runner could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum RunnerError {
    /// The `[target]` could not be built.
    #[error(transparent)]
    Target(#[from] BuildError),
    /// The run history (`[state] path` or `url`) could not be opened.
    #[error(transparent)]
    History(#[from] HistoryError),
    /// The API call counts (in the same state) could not be opened.
    #[error(transparent)]
    Quota(#[from] QuotaError),
    /// The syncers' account indexes (in the same state) could not be opened.
    #[error(transparent)]
    Index(#[from] IndexError),
}

impl RunnerError {
    /// Whether the shared state did not answer (it may come back): `serve` waits for it.
    pub fn is_state_unreachable(&self) -> bool {
        matches!(self, RunnerError::History(error) if error.is_unreachable())
    }
}

/// Flags of one run.
#[derive(Clone, Copy, Debug, Default)]
pub struct RunFlags {
    /// Plan only.
    pub dry_run: bool,
    /// Lift the mass-deprovision guard once.
    pub allow_mass_deprovision: bool,
}

/// What a run does.
#[derive(Clone, Debug, Default)]
pub enum RunJob {
    /// A sync from the syncer's source.
    #[default]
    Sync,
    /// The undoing of an earlier run of the syncer.
    Revert(RevertJob),
}

/// A run that holds its syncer's lock and has a history row.
#[derive(Debug)]
pub struct ActiveRun {
    /// The history id (`None` if the history could not record it).
    pub run_id: Option<i64>,
    options: SyncOptions,
    job: RunJob,
    lock: RunGuard,
    /// A warning about the monthly call budget, for the report's notices.
    quota_notice: Option<String>,
}

/// Runs syncs against one target with one run store (history and locks).
pub struct Runner {
    target: Box<dyn Target>,
    store: RunStore,
    /// Every syncer's API calls of this process, counted into the state.
    ledger: Ledger,
    stop: StopSignal,
    /// Every secret of the config (the target's and every syncer's), masked in every report.
    secrets: Vec<Secret>,
    /// Whether runs are journaled: always, but for the benchmark's baseline ([`NO_JOURNAL`]).
    journaling: bool,
    /// The syncers' account indexes: full syncs replace them, event batches use them.
    index: IndexStore,
    /// The reports of this process's runs whose end the history did not take.
    unrecorded: Unrecorded,
}

/// The environment variable that, set to `off`, runs without a journal: only for measuring
/// what the journal costs (the benchmark's baseline). Such a run cannot be reverted, and its
/// report says so.
pub const NO_JOURNAL: &str = "SYNCER_JOURNAL";

impl Runner {
    /// A runner writing to `target`, recording runs and taking locks in `store`.
    fn new(target: Box<dyn Target>, store: RunStore, ledger: Ledger, index: IndexStore) -> Self {
        Self {
            target,
            store,
            ledger,
            index,
            stop: StopSignal::default(),
            secrets: Vec::new(),
            journaling: std::env::var_os(NO_JOURNAL).is_none_or(|value| value != "off"),
            unrecorded: Unrecorded::default(),
        }
    }

    /// The runner of `config`: its `[target]`, and its run history and locks at `[state] path`.
    pub async fn for_config(config: &Config) -> Result<Self, RunnerError> {
        let target = target::build(&config.target)?;
        let store = RunStore::for_config(config).await?;
        let (book, index) = match store.shared() {
            Some(state) => (
                QuotaBook::Postgres(PgQuota::new(state.clone())),
                IndexStore::postgres(state.clone()),
            ),
            None => (
                QuotaBook::Sqlite(SqliteQuota::open(&config.state_path)?),
                IndexStore::sqlite(&config.state_path)?,
            ),
        };
        let ledger = Ledger::new(book, std::sync::Arc::new(SystemClock));
        let mut runner = Self::new(target, store, ledger, index);
        runner.secrets = config_secrets(config);
        Ok(runner)
    }

    /// The target (events write to it; the demo reads back what it wrote).
    pub fn target(&self) -> &dyn Target {
        self.target.as_ref()
    }

    /// Takes the run lock of `syncer` without waiting (events apply under it, like runs).
    pub async fn try_lock(&self, syncer: &str) -> Result<RunGuard, LockError> {
        self.store.try_lock(syncer).await
    }

    /// Every secret of the config, to mask in what is shown.
    pub fn secrets(&self) -> &[Secret] {
        &self.secrets
    }

    /// The history.
    pub fn history(&self) -> &History {
        self.store.history()
    }

    /// The runs' write journals.
    pub fn journal(&self) -> &JournalStore {
        self.store.journal()
    }

    /// The revert of run `run_id`: the job and the settings of the reverted run's syncer.
    pub async fn find_revert<'c>(
        &self,
        config: &'c Config,
        run_id: i64,
        delete_created: bool,
    ) -> Result<(&'c SyncerSettings, RevertJob), RevertError> {
        revert::find(self.history(), config, run_id, delete_created).await
    }

    /// The shared state of several replicas, when `[state] url` is set.
    pub fn shared(&self) -> Option<&PgState> {
        self.store.shared()
    }

    /// `settings`' source, built by its plugin with this process's meter of its calls: every
    /// caller that reads the source (full runs, and events) builds it here, so no call to a
    /// metered API goes uncounted.
    pub fn source(
        &self,
        settings: &SyncerSettings,
    ) -> Result<Box<dyn syncer_core::Syncer>, syncer_core::PluginConfigError> {
        let config = settings
            .plugin_config
            .clone()
            .with_meter(self.ledger.meter(&settings.name));
        (settings.plugin.build)(&config)
    }

    /// The API call counts of this process.
    pub fn ledger(&self) -> &Ledger {
        &self.ledger
    }

    /// Asks every run of this runner to stop starting writes (graceful shutdown).
    pub fn stop(&self) {
        self.stop.raise();
    }

    /// The engine's options of one run (or one batch of events) of `settings`.
    pub fn options(&self, settings: &SyncerSettings, flags: RunFlags) -> SyncOptions {
        SyncOptions {
            leavers: settings.leavers,
            guard: settings.guard,
            allow_mass_deprovision: flags.allow_mass_deprovision,
            dry_run: flags.dry_run,
            write_concurrency: settings.write_concurrency,
            group_name_prefix: settings.group_name_prefix.clone(),
            adopt_by_name: settings.adopt_by_name,
            deadline: Some(Deadline::after(settings.run_deadline)),
            stop: self.stop.clone(),
            ..SyncOptions::new(&settings.name, &settings.organization)
        }
    }

    /// The account index of `syncer` (read and written under its run lock).
    pub fn index(&self, syncer: &str) -> SyncerIndex {
        self.index.of(syncer)
    }

    /// Takes the syncer's lock and records the start of a run doing `job`; fails when a run of
    /// the syncer is going (in this process or another).
    pub async fn begin_job(
        &self,
        settings: &SyncerSettings,
        flags: RunFlags,
        job: RunJob,
    ) -> Result<ActiveRun, LockError> {
        let lock = self.store.try_lock(&settings.name).await?;
        self.close_interrupted(settings).await;
        let quota_notice = self.quota_warning(settings).await;
        let options = self.options(settings, flags);
        // The row says from the start what the run is (a revert, and of which run), so a run
        // that never reports its end is still closed as what it was.
        let opening = job.mark(SyncReport::starting(
            &settings.name,
            &settings.organization,
            flags.dry_run,
        ));
        let run_id = match self.history().start(&opening).await {
            Ok(id) => {
                lock.set_run(id).await;
                Some(id)
            }
            Err(error) => {
                tracing::warn!(%error, "could not record the run start");
                None
            }
        };
        Ok(ActiveRun {
            run_id,
            options,
            job,
            lock,
            quota_notice,
        })
    }

    /// Runs a begun run to its end and records its report; the lock is released after.
    pub async fn execute(
        &self,
        settings: &SyncerSettings,
        run: ActiveRun,
        progress: &dyn SyncProgress,
    ) -> SyncReport {
        let fence = run.lock.fence();
        let fenced = fence
            .clone()
            .map(|fence| FencedTarget::new(self.target.as_ref(), fence));
        let target: &dyn Target = match &fenced {
            Some(fenced) => fenced,
            None => self.target.as_ref(),
        };
        // The run's history row is known before its first write: its journal is kept under it.
        let journal = RunJournal::new(self.journal().clone(), run.run_id);
        let journal: &dyn Journal = if self.journaling {
            &journal
        } else {
            &NoJournal
        };
        let index = self.index(&settings.name);
        let work = async {
            match &run.job {
                RunJob::Sync => match self.source(settings) {
                    Ok(source) => {
                        run_sync(
                            SyncInputs::new(
                                source.as_ref(),
                                &settings.mapping,
                                target,
                                &run.options,
                            )
                            .progress(progress)
                            .journal(journal)
                            .index(&index),
                        )
                        .await
                    }
                    Err(error) => not_run(&run.options, RunStatus::Failed, error.to_string()),
                },
                RunJob::Revert(job) => {
                    // A revert does not keep the index: it leaves it to the next whole listing.
                    if !run.options.dry_run {
                        if let Err(error) = index.open().await {
                            return run.job.mark(not_run(
                                &run.options,
                                RunStatus::Failed,
                                format!("nothing was reverted: {error}"),
                            ));
                        }
                    }
                    let journals = self.journal();
                    revert::run(journals, job, target, &run.options, progress, journal).await
                }
            }
        };
        // The engine starts no write after the deadline; a run still going at the hard limit (a
        // fetch or a write that never ends) is abandoned there.
        let mut report = match tokio::time::timeout(hard_limit(settings.run_deadline), work).await
        {
            Ok(report) => report,
            Err(_) => run.job.mark(not_run(
                &run.options,
                RunStatus::Failed,
                format!(
                    "abandoned: the run was still going {} s after it started, past its deadline of {} s (`run_deadline_seconds`); writes it had sent stay, and the next run compares again",
                    hard_limit(settings.run_deadline).as_secs(),
                    settings.run_deadline.as_secs()
                ),
            )),
        };
        if !self.journaling && !run.options.dry_run {
            report.notices.push(format!(
                "this run was not journaled ({NO_JOURNAL}=off, meant only for measuring the journal's cost): it cannot be reverted"
            ));
        }
        // The run's calls are in the state before its end is: whoever reads the history next
        // (a scheduler, `check`) sees them.
        self.ledger.flush().await;
        self.lift_exhausted(settings, &report).await;
        report.notices.extend(run.quota_notice);
        let lost = fence.is_some_and(|fence| !fence.is_held());
        if lost {
            report.status = RunStatus::Failed;
            report.errors.push(syncer_core::engine::ReportError {
                user: None,
                api: None,
                message: format!("the run {}", fence::LOST),
            });
        }
        report.redact(&self.secrets);
        if let Some(id) = run.run_id {
            // A run that lost its lease may have been closed by the replica that took over.
            let recorded = if lost {
                self.history()
                    .finish_if_running(id, &report)
                    .await
                    .map(|_| ())
            } else {
                self.history().finish(id, &report).await
            };
            if let Err(error) = recorded {
                tracing::warn!(%error, "could not record the run; its report is kept to close its row with once the history answers");
                self.unrecorded.keep(id, report.clone());
            }
        }
        run.lock.release().await;
        report
    }

    /// Records that a scheduled run of `settings` was not started, and why (the monthly call
    /// budget, in numbers).
    pub async fn record_held(
        &self,
        settings: &SyncerSettings,
        why: String,
    ) -> (Option<i64>, SyncReport) {
        let options = self.options(settings, RunFlags::default());
        let report = not_run(&options, RunStatus::Skipped, why);
        let run_id = self.history().record_skipped(&report).await.ok();
        (run_id, report)
    }

    /// Records that a run of `settings` was not started because another was going.
    pub async fn record_skipped(
        &self,
        settings: &SyncerSettings,
        flags: RunFlags,
        why: &LockError,
    ) -> (Option<i64>, SyncReport) {
        self.record_skipped_job(settings, flags, &RunJob::Sync, why)
            .await
    }

    /// [`Runner::record_skipped`] of a run that would have done `job`.
    pub async fn record_skipped_job(
        &self,
        settings: &SyncerSettings,
        flags: RunFlags,
        job: &RunJob,
        why: &LockError,
    ) -> (Option<i64>, SyncReport) {
        let options = self.options(settings, flags);
        let report = job.mark(not_run(&options, RunStatus::Skipped, why.to_string()));
        let run_id = self.history().record_skipped(&report).await.ok();
        (run_id, report)
    }

    /// Whether a run of `syncer` is going, in this process or another. When none is, the rows
    /// it left `running` are closed as failed while the lock is briefly held.
    ///
    /// Taking the lock to find out means a run trying to start at that very instant is refused
    /// as busy; callers probe only when the history shows a `running` row that is not theirs, so
    /// at most once per row a dead process left behind.
    pub async fn probe(&self, settings: &SyncerSettings) -> Result<bool, LockError> {
        Ok(self.reclaim(settings).await?.is_none())
    }

    /// Like [`Runner::probe`], but says how many rows it closed: `None` when a run is going,
    /// else how many rows dead processes (or replicas whose lease expired) left `running`.
    pub async fn reclaim(&self, settings: &SyncerSettings) -> Result<Option<usize>, LockError> {
        match self.store.try_lock(&settings.name).await {
            Ok(lock) => {
                let closed = self.close_interrupted(settings).await;
                lock.release().await;
                Ok(Some(closed))
            }
            Err(error) if error.is_busy() => Ok(None),
            Err(error) => Err(error),
        }
    }

    /// Closes the `running` rows of the syncer as failed; the caller holds the syncer's lock,
    /// so the processes that wrote them are gone. Returns how many were closed.
    async fn close_interrupted(&self, settings: &SyncerSettings) -> usize {
        let rows = match self.history().unfinished(&settings.name).await {
            Ok(rows) => rows,
            Err(error) => {
                tracing::warn!(%error, "could not look for interrupted runs");
                return 0;
            }
        };
        let mut closed = 0;
        for row in rows {
            // A run of this process whose end could not be recorded is closed with its own
            // report, which says why it ended (a lost lease, an outage of the shared state).
            let (report, own) = match self.unrecorded.take(row.run_id) {
                Some(report) => (report, true),
                None => (
                    interrupted(&row, &settings.organization, &died(row.replica.as_deref())),
                    false,
                ),
            };
            match self.history().finish_if_running(row.run_id, &report).await {
                Ok(true) => closed += 1,
                Ok(false) => {}
                Err(error) => {
                    tracing::warn!(%error, "could not close an interrupted run");
                    if own {
                        self.unrecorded.keep(row.run_id, report);
                    }
                }
            }
        }
        if closed > 0 {
            tracing::warn!(
                syncer = %settings.name,
                closed,
                "run(s) left running by a process that died were marked failed"
            );
        }
        closed
    }

    /// Records run `run_id` as failed with `why` unless its own report was recorded already
    /// (used at shutdown for runs that did not finish in time). Returns whether it was written.
    pub async fn close_unfinished(
        &self,
        settings: &SyncerSettings,
        run_id: i64,
        why: &str,
    ) -> bool {
        let row = match self.history().run(run_id).await {
            Ok(Some(row)) if row.status == RunStatus::Running => row,
            Ok(_) => return false,
            Err(error) => {
                tracing::warn!(%error, "could not read run {run_id}");
                return false;
            }
        };
        let report = interrupted(&row, &settings.organization, why);
        match self.history().finish_if_running(run_id, &report).await {
            Ok(written) => written,
            Err(error) => {
                tracing::warn!(%error, "could not record run {run_id} as failed");
                false
            }
        }
    }

    /// Runs one sync now (begin + execute); a run that finds another run of the syncer going is
    /// recorded as `skipped`.
    pub async fn run(
        &self,
        settings: &SyncerSettings,
        flags: RunFlags,
        progress: &dyn SyncProgress,
    ) -> (Option<i64>, SyncReport) {
        self.run_job(settings, flags, RunJob::Sync, progress).await
    }

    /// [`Runner::run`] of a run doing `job`.
    pub async fn run_job(
        &self,
        settings: &SyncerSettings,
        flags: RunFlags,
        job: RunJob,
        progress: &dyn SyncProgress,
    ) -> (Option<i64>, SyncReport) {
        match self.begin_job(settings, flags, job.clone()).await {
            Ok(run) => {
                let run_id = run.run_id;
                (run_id, self.execute(settings, run, progress).await)
            }
            Err(error) => self.record_skipped_job(settings, flags, &job, &error).await,
        }
    }
}

/// When a run past its deadline is abandoned: writes in flight at the deadline get as long
/// again to finish, a minute at most.
fn hard_limit(deadline: std::time::Duration) -> std::time::Duration {
    deadline + deadline.min(std::time::Duration::from_secs(60))
}

/// Every non-empty secret `config` holds: the IAM client secret and each syncer's secret keys.
fn config_secrets(config: &Config) -> Vec<Secret> {
    let mut secrets = Vec::new();
    if let TargetSettings::Iam(iam) = &config.target {
        secrets.push(iam.client_secret.clone());
    }
    for syncer in &config.syncers {
        for field in syncer
            .plugin
            .config_fields
            .iter()
            .filter(|field| field.secret)
        {
            secrets.push(syncer.plugin_config.secret(field.name));
        }
    }
    secrets.retain(|secret| !secret.is_empty());
    secrets
}

impl RunJob {
    /// `report` marked as this job's: a revert's says it is one, and of which run.
    fn mark(&self, mut report: SyncReport) -> SyncReport {
        if let RunJob::Revert(job) = self {
            job.mark(&mut report);
        }
        report
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

/// Why a row is left `running` when no live process holds its syncer: the process (or, in the
/// shared state, the replica) that ran it is gone, or lost the state before it could record
/// its end.
fn died(replica: Option<&str>) -> String {
    match replica {
        None => "interrupted: the process running it stopped (killed or crashed) before recording how it ended".to_owned(),
        Some(replica) => format!(
            "interrupted: replica {replica}, which ran it, stopped (killed or crashed) or lost the shared state before recording how it ended"
        ),
    }
}

/// The report of a run whose row was left `running`: the run as its row was opened (a revert
/// stays a revert of the run it undoes), failed, ended now, stopped by `cause`, and what is
/// left to do about it.
fn interrupted(row: &RunRecord, organization: &str, cause: &str) -> SyncReport {
    let mut report = row
        .report
        .clone()
        .filter(|opening| opening.status == RunStatus::Running)
        .unwrap_or_else(|| SyncReport::starting(&row.syncer, organization, row.dry_run));
    report.started_at = row.started_at.clone();
    report.finished_at = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    report.status = RunStatus::Failed;
    let rest = match report.reverts {
        Some(reverted) => format!("reverting run {reverted} again sends the rest"),
        None => "the next run sends the rest".to_owned(),
    };
    report.errors.push(syncer_core::engine::ReportError {
        user: None,
        api: None,
        message: format!("{cause}; writes it had sent stay, and {rest}"),
    });
    report
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::lock;
    use crate::state::record;

    fn config(dir: &Path) -> Config {
        let text = r#"
[[syncers]]
name = "acme-dt"
organization = "acme"
type = "DingTalk"
app_key = "key"
app_secret = "secret"

[[syncers]]
name = "other"
organization = "acme"
type = "DingTalk"
app_key = "key"
app_secret = "secret"
"#;
        Config::parse(&dir.join("syncer.toml"), text, &|_| None).expect("valid config")
    }

    #[tokio::test]
    async fn only_the_lock_holder_closes_rows_left_running_and_only_its_own() {
        let dir = tempfile::tempdir().expect("tempdir");
        let config = config(dir.path());
        let runner = Runner::for_config(&config).await.expect("runner");
        let history = runner.history().clone();
        let started = "2024-01-01T00:00:00.000Z";
        let dead = history
            .start(&record::opening("acme-dt", started))
            .await
            .expect("row");
        let other = history
            .start(&record::opening("other", started))
            .await
            .expect("row");
        let acme = config.syncer("acme-dt").expect("acme");

        // Another process holds the lock: its row is live and stays `running`.
        let held = lock::try_lock(&config.state_path, "acme-dt").expect("lock");
        assert!(runner.probe(acme).await.expect("probe"));
        let row = history.run(dead).await.expect("read").expect("row");
        assert_eq!(row.status, RunStatus::Running);
        drop(held);

        // The lock is free, so the process that wrote the row is gone.
        assert!(!runner.probe(acme).await.expect("probe"));
        let row = history.run(dead).await.expect("read").expect("row");
        assert_eq!(row.status, RunStatus::Failed);
        let report = row.report.expect("a report says what happened");
        assert!(
            report.errors[0].message.contains("interrupted"),
            "{report:?}"
        );
        assert_eq!(report.started_at, started);
        let row = history.run(other).await.expect("read").expect("row");
        assert_eq!(
            row.status,
            RunStatus::Running,
            "another syncer's row is left alone"
        );
    }
}
