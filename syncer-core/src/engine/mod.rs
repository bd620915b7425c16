//! The sync engine: fetch → map → diff against the target → plan → apply → report.
//!
//! The engine knows no backend and no target by name; it speaks [`crate::Syncer`],
//! [`crate::Target`] and [`crate::Journal`]. Its shared types are in `vocabulary`; planning is
//! pure logic in `plan`, writing is in `apply` (each chunk journaled by `recorder` before it is
//! sent), undoing a run is `revert`, and the report fills itself from them. Change events are
//! applied by `change_apply` with the same planning and writing on the people they name
//! (`changes` coalesces a batch of events, `event_guard` is the guard's window over event
//! deprovisions). Full syncs and batches keep the syncer's account index true to IAM
//! (`index_writes`). This module only orchestrates.

mod apply;
mod change_apply;
mod change_report;
mod change_users;
mod changes;
mod desired;
mod event_guard;
mod index_writes;
mod options;
pub mod ownership;
mod plan;
mod progress;
mod recorder;
mod report;
mod revert;
mod vocabulary;

pub use apply::{
    apply, apply_group_deletes, apply_group_upserts, apply_plan, Applied, GroupsApplied,
};
pub use change_apply::{apply_changes, ChangeInputs};
pub use change_report::{ChangeOutcome, ChangeReport};
pub use changes::ChangeSet;
pub use desired::desired_users;
pub use event_guard::EventGuardWindow;
pub use options::{
    AdoptByName, Deadline, DeprovisionGuard, LeaverPolicy, RevertOptions, StopSignal, SyncOptions,
};
pub use plan::{is_valid_user_name, plan, PlanInputs};
pub use progress::SyncProgress;
pub use recorder::{Recorder, CHUNK as JOURNAL_CHUNK};
pub use report::{Counts, PlannedChanges, PlannedGroups, PlannedUser, RunStatus, SyncReport};
pub use revert::{plan_revert, run_revert, RevertPlan};
pub use vocabulary::{
    DesiredUser, GroupPlan, HeldBack, Operation, OperationKind, Plan, PlanScope, ReportError,
    RevertConflict, RunKind, Skipped, WithheldUser,
};

use desired::prefix_departments;
use index_writes::IndexWrites;

use crate::account_index::{AccountIndex, NoIndex};
use crate::journal::{Journal, NoJournal};
use crate::mapping::FieldMapping;
use crate::snapshot::NoProgress;
use crate::syncer::Syncer;
use crate::target::Target;

/// What one full sync reads from and writes to. [`SyncInputs::new`] gives a run without progress
/// display, journal or account index; [`SyncInputs::progress`], [`SyncInputs::journal`] and
/// [`SyncInputs::index`] add them.
#[derive(Clone, Copy)]
pub struct SyncInputs<'a> {
    /// The directory.
    pub source: &'a dyn Syncer,
    /// Source fields → IAM fields.
    pub mapping: &'a FieldMapping,
    /// Where the users are written.
    pub target: &'a dyn Target,
    /// The run's options.
    pub options: &'a SyncOptions,
    /// Told of the run's phases and writes as they go.
    pub progress: &'a dyn SyncProgress,
    /// Where every write is recorded so the run can be reverted: each chunk of writes is
    /// journaled (one call) before it is sent, and its outcomes after. When the journal cannot
    /// record, the chunk is not sent, nothing after it either, and the run ends `failed`. A dry
    /// run records nothing.
    pub journal: &'a dyn Journal,
    /// The syncer's account index, replaced with what the run leaves in IAM: opened before the
    /// first write (the run writes nothing when it cannot be) and settled from the listing with
    /// the run's writes once every write that changes it landed. A dry run leaves it as it is.
    pub index: &'a dyn AccountIndex,
}

impl<'a> SyncInputs<'a> {
    /// A sync of `source` into `target` with `mapping` and `options`: no progress display, no
    /// journal ([`NoJournal`]), no account index ([`NoIndex`]).
    pub fn new(
        source: &'a dyn Syncer,
        mapping: &'a FieldMapping,
        target: &'a dyn Target,
        options: &'a SyncOptions,
    ) -> Self {
        Self {
            source,
            mapping,
            target,
            options,
            progress: &NoProgress,
            journal: &NoJournal,
            index: &NoIndex,
        }
    }

    /// The same run, telling `progress` how it goes.
    pub fn progress(self, progress: &'a dyn SyncProgress) -> Self {
        Self { progress, ..self }
    }

    /// The same run, journaling its writes in `journal`.
    pub fn journal(self, journal: &'a dyn Journal) -> Self {
        Self { journal, ..self }
    }

    /// The same run, keeping the syncer's account `index`.
    pub fn index(self, index: &'a dyn AccountIndex) -> Self {
        Self { index, ..self }
    }
}

/// Runs one sync and reports what happened. Never panics on remote failures: they end up in the
/// report with status `failed` or `partial`.
///
/// When [`SyncOptions::stop`] is raised (shutdown) the run ends at the next safe point and is
/// `partial`, whatever the phase, with an error saying it was stopped by shutdown: after the
/// fetch or the read of the target it writes nothing at all; during the writes, those in flight
/// finish and no new one starts. (`partial`, not `failed`: what was read or written is sound,
/// the run was only cut short, and the next run carries on from the directory as it is.)
pub async fn run_sync(inputs: SyncInputs<'_>) -> SyncReport {
    let SyncInputs {
        source,
        mapping,
        target,
        options,
        progress,
        journal,
        index,
    } = inputs;
    SyncReport::of_run(options, RunKind::Sync, async |report| {
        let snapshot = match source.fetch(progress).await {
            Ok(snapshot) => snapshot,
            Err(error) => return report.fetch_failed(error),
        };
        report.record_snapshot(&snapshot);
        let mut desired = desired_users(snapshot.users, mapping);
        let mut departments = snapshot.departments;
        prefix_departments(&options.group_name_prefix, &mut departments, &mut desired);
        report.record_desired(&desired);
        if options.stop.is_raised() {
            return report.stopped_before_writing("the fetch");
        }
        let (users, groups) = match read_target(target, options).await {
            Ok(read) => read,
            Err(error) => return report.target_unreadable(&error),
        };
        if options.stop.is_raised() {
            return report.stopped_before_writing("reading the target");
        }
        let inputs = PlanInputs {
            desired,
            departments: &departments,
            users,
            groups,
            complete: report.incomplete.is_empty(),
            mapping,
            scope: PlanScope::Everyone,
        };
        let mut plan = plan(inputs, options);
        report.record_plan(&plan);
        if options.dry_run {
            report.record_dry_run(&plan);
            return report.settled(options.stop.is_raised());
        }
        let index_writes = IndexWrites::of(&plan, true, &options.syncer);
        let opened = match index_writes::open(index, index_writes).await {
            Ok(opened) => opened,
            Err(error) => return report.index_unwritable(&error),
        };
        if !journal.is_recording() {
            // Only the journal needs the listing (its before-values): give the memory back.
            plan.listed_users = Vec::new();
        }

        progress.writes_planned(plan.operations.len() + plan.groups.writes());
        let mut recorder = Recorder::new(
            journal,
            &plan.listed_users,
            &plan.listed_groups,
            Default::default(),
        );
        let (applied, groups_applied) =
            apply_plan(&plan, target, options, progress, &mut recorder).await;
        index_writes::settle(index, opened, &applied).await;
        report.record_writes_and_settle(
            plan.operations.len(),
            applied,
            groups_applied,
            recorder.error(),
            options.stop.is_raised(),
        )
    })
    .await
}

/// The organization's users and (when groups are synced) groups as the target holds them.
async fn read_target(
    target: &dyn Target,
    options: &SyncOptions,
) -> Result<(Vec<crate::IamUser>, Vec<crate::IamGroup>), crate::TargetError> {
    let users = target.list_users(&options.organization).await?;
    let groups = if options.sync_groups {
        target.list_groups(&options.organization).await?
    } else {
        Vec::new()
    };
    Ok((users, groups))
}

#[cfg(test)]
mod tests;
