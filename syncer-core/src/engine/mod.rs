//! The sync engine: fetch → map → diff against the target → plan → apply → report.
//!
//! The engine knows no backend and no target by name; it speaks [`crate::Syncer`] and
//! [`crate::Target`]. Its shared types are in `vocabulary`; planning is pure logic in `plan`,
//! writing is in `apply`, and the report fills itself from both; this module only orchestrates.

mod apply;
mod desired;
mod options;
pub mod ownership;
mod plan;
mod progress;
mod report;
mod vocabulary;

use std::time::Instant;

pub use apply::{apply, apply_group_deletes, apply_group_upserts, Applied, GroupsApplied};
pub use desired::desired_users;
pub use options::{AdoptByName, Deadline, DeprovisionGuard, LeaverPolicy, StopSignal, SyncOptions};
pub use plan::{is_valid_user_name, plan, PlanInputs};
pub use progress::SyncProgress;
pub use report::{Counts, PlannedChanges, PlannedGroups, PlannedUser, RunStatus, SyncReport};
pub use vocabulary::{
    DesiredUser, GroupPlan, HeldBack, Operation, OperationKind, Plan, ReportError, Skipped,
    WithheldUser,
};

use desired::prefix_departments;

use crate::mapping::FieldMapping;
use crate::syncer::Syncer;
use crate::target::Target;

/// Runs one sync and reports what happened. Never panics on remote failures: they end up in the
/// report with status `failed` or `partial`.
///
/// When [`SyncOptions::stop`] is raised (shutdown) the run ends at the next safe point and is
/// `partial`, whatever the phase, with an error saying it was stopped by shutdown: after the
/// fetch or the read of the target it writes nothing at all; during the writes, those in flight
/// finish and no new one starts. (`partial`, not `failed`: what was read or written is sound,
/// the run was only cut short, and the next run carries on from the directory as it is.)
pub async fn run_sync(
    source: &dyn Syncer,
    mapping: &FieldMapping,
    target: &dyn Target,
    options: &SyncOptions,
    progress: &dyn SyncProgress,
) -> SyncReport {
    let clock = Instant::now();
    let mut report = SyncReport::starting(&options.syncer, &options.organization, options.dry_run);
    let status = sync_into(&mut report, source, mapping, target, options, progress).await;
    report.status = status;
    report.duration_ms = u64::try_from(clock.elapsed().as_millis()).unwrap_or(u64::MAX);
    report.finished_at = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    report
}

async fn sync_into(
    report: &mut SyncReport,
    source: &dyn Syncer,
    mapping: &FieldMapping,
    target: &dyn Target,
    options: &SyncOptions,
    progress: &dyn SyncProgress,
) -> RunStatus {
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
    };
    let plan = plan(inputs, options);
    report.record_plan(&plan);
    if options.dry_run {
        report.record_dry_run(&plan);
        return report.settled(options.stop.is_raised());
    }

    // The order of the writes: groups are created and updated before any user, so memberships
    // point at groups that exist; a group whose create failed is held back with its children,
    // and no user write this run names it. The users' writes follow in the order the plan
    // screened them (creates and updates, then deprovisions), and group deletes come last,
    // once those writes have emptied the groups.
    progress.writes_planned(plan.operations.len() + plan.groups.writes());
    let mut groups_applied = GroupsApplied::default();
    if !options.stop.is_raised() {
        apply_group_upserts(&plan.groups, target, options, &mut groups_applied).await;
    }
    if groups_applied.halted.is_some() {
        // The target stopped answering (or the deadline passed) while groups were written:
        // no user write is sent this run.
        report.record_writes(plan.operations.len(), Applied::default(), groups_applied);
        return RunStatus::Failed;
    }
    let applied = apply(
        &plan.operations,
        target,
        options,
        progress,
        &groups_applied.not_created,
    )
    .await;
    let halted = applied.halted.is_some();
    if !options.stop.is_raised() && !halted {
        apply_group_deletes(&plan.groups, target, options, &mut groups_applied).await;
    }
    let halted = halted || groups_applied.halted.is_some();
    report.record_writes(plan.operations.len(), applied, groups_applied);
    if halted {
        return RunStatus::Failed;
    }
    report.settled(options.stop.is_raised())
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
