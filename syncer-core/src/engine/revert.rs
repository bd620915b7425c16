//! Revert: undo a run from its journal. Reads the target as it is now, plans the writes that
//! bring back what the run changed (`plan`, pure logic; field by field in `fields`; the guard
//! and group safety in `safety`), and sends them through the same machinery as a sync,
//! journaled like one, so a revert can itself be reverted. The report has a sync's shape, of kind `revert`, with the conflicts listed.

mod fields;
mod plan;
mod safety;

pub use plan::{plan_revert, RevertPlan};

use super::apply::apply_plan;
use super::options::{RevertOptions, SyncOptions};
use super::progress::SyncProgress;
use super::recorder::Recorder;
use super::report::{RunStatus, SyncReport};
use super::vocabulary::RunKind;
use crate::journal::{Journal, JournalEntry, ObjectKind};
use crate::target::Target;

/// Reverts the run whose journal is `entries` (in any order: they are walked by `seq`,
/// backwards), recording the revert's own writes in `journal`. The host sets
/// [`SyncReport::reverts`] to the reverted run's id. A dry run lists what it would write and the
/// conflicts, and writes (and journals) nothing.
pub async fn run_revert(
    entries: &[JournalEntry],
    target: &dyn Target,
    options: &SyncOptions,
    revert: &RevertOptions,
    progress: &dyn SyncProgress,
    journal: &dyn Journal,
) -> SyncReport {
    SyncReport::of_run(options, RunKind::Revert, async |report| {
        let users = match target.list_users(&options.organization).await {
            Ok(users) => users,
            Err(error) => return report.target_unreadable(&error),
        };
        let needs_groups = options.sync_groups
            || entries
                .iter()
                .any(|entry| entry.object.kind == ObjectKind::Group);
        let groups = if needs_groups {
            match target.list_groups(&options.organization).await {
                Ok(groups) => groups,
                Err(error) => return report.target_unreadable(&error),
            }
        } else {
            Vec::new()
        };
        if options.stop.is_raised() {
            return report.stopped_before_writing("reading the target");
        }
        let RevertPlan {
            plan,
            conflicts,
            recreated,
        } = plan_revert(entries, users, groups, options, revert);
        report.record_plan(&plan);
        report.record_conflicts(conflicts);
        if options.dry_run {
            report.record_dry_run(&plan);
            return report.settled(options.stop.is_raised());
        }
        progress.writes_planned(plan.operations.len() + plan.groups.writes());
        let mut recorder =
            Recorder::new(journal, &plan.listed_users, &plan.listed_groups, recreated);
        let (applied, groups_applied) =
            apply_plan(&plan, target, options, progress, &mut recorder).await;
        report.record_writes(
            plan.operations.len(),
            applied,
            groups_applied,
            recorder.error(),
        );
        if recorder.halted() {
            return RunStatus::Failed;
        }
        report.settled(options.stop.is_raised())
    })
    .await
}
