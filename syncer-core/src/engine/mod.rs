//! The sync engine: fetch → map → diff against the target → plan → apply → report.
//!
//! The engine knows no backend and no target by name; it speaks [`crate::Syncer`] and
//! [`crate::Target`].

mod apply;
mod desired;
mod groups;
mod options;
pub mod ownership;
mod plan;
mod progress;
mod report;
mod validate;

use std::time::Instant;

pub use apply::{apply, apply_group_deletes, apply_group_upserts, Applied, GroupsApplied};
pub use desired::desired_users;
pub use groups::GroupPlan;
pub use options::{DeprovisionGuard, LeaverPolicy, StopSignal, SyncOptions};
pub use plan::{
    plan, DesiredUser, HeldBack, Operation, OperationKind, Plan, PlanInputs, Skipped, WithheldUser,
};
pub use progress::SyncProgress;
pub use report::{
    Counts, PlannedChanges, PlannedGroups, PlannedUser, ReportError, RunStatus, SyncReport,
};
pub use validate::is_valid_user_name;

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
        Err(error) => {
            report.errors.push(ReportError {
                user: None,
                api: error.api.clone(),
                message: error.message,
            });
            return RunStatus::Failed;
        }
    };
    report.api_calls = snapshot.total_api_calls();
    report.api_calls_by_api = snapshot.api_calls.clone();
    report.departments = snapshot.departments.len();
    report.incomplete = snapshot.failures.clone();
    report
        .errors
        .extend(snapshot.failures.iter().map(|failure| ReportError {
            user: None,
            api: Some(failure.api.clone()),
            message: format!("{}: {}", failure.scope, failure.message),
        }));

    let mut desired = desired_users(snapshot.users, mapping);
    let mut departments = snapshot.departments;
    groups::prefix_departments(&options.group_name_prefix, &mut departments, &mut desired);
    report.counts.fetched = desired.len();
    if options.stop.is_raised() {
        return stopped_before_writing(report, "the fetch");
    }
    let read = read_target(target, options).await;
    let (current, current_groups) = match read {
        Ok(read) => read,
        Err(error) => {
            report.errors.push(ReportError {
                user: None,
                api: Some(error.api().to_owned()),
                message: error.to_string(),
            });
            return RunStatus::Failed;
        }
    };
    if options.stop.is_raised() {
        return stopped_before_writing(report, "reading the target");
    }
    let inputs = PlanInputs {
        desired,
        departments: &departments,
        users: current,
        groups: current_groups,
        complete: report.incomplete.is_empty(),
    };
    let plan = plan(inputs, options);
    report.notices.extend(plan.notices.iter().cloned());
    report.notices.extend(
        plan.skipped
            .iter()
            .map(|skipped| format!("user {} skipped: {}", skipped.user, skipped.reason)),
    );
    report.notices.extend(
        plan.groups
            .kept
            .iter()
            .chain(&plan.groups.skipped)
            .map(|kept| format!("group {}: {}", kept.user, kept.reason)),
    );

    report.counts.unchanged = plan.unchanged;
    report.counts.skipped = plan.skipped.len();
    report.counts.failed = plan.rejected.len();
    report.held_back = plan.held_back.clone();
    for refused in &plan.rejected {
        report.errors.push(ReportError {
            user: Some(refused.user.clone()),
            api: None,
            message: refused.reason.clone(),
        });
    }
    if let Some(held) = &plan.held_back {
        report.errors.push(ReportError {
            user: None,
            api: None,
            message: held.reason.clone(),
        });
    }

    if options.dry_run {
        report.counts.created = plan.count(OperationKind::Create);
        report.counts.updated = plan.count(OperationKind::Update);
        report.counts.disabled = plan.count(OperationKind::Disable);
        report.counts.deleted = plan.count(OperationKind::Delete);
        report.counts.groups_created = plan.groups.creates.len();
        report.counts.groups_updated = plan.groups.updates.len();
        report.counts.groups_deleted = plan.groups.deletes.len();
        report.plan = Some(PlannedChanges::from_plan(&plan));
    } else {
        progress.writes_planned(plan.operations.len() + plan.groups.writes());
        let mut groups_applied = GroupsApplied::default();
        if !options.stop.is_raised() {
            apply_group_upserts(
                &plan.groups,
                target,
                options.write_concurrency,
                &mut groups_applied,
            )
            .await;
        }
        let applied = apply(
            &plan.operations,
            target,
            options.write_concurrency,
            progress,
            &options.stop,
            &groups_applied.not_created,
        )
        .await;
        if !options.stop.is_raised() {
            apply_group_deletes(&plan.groups, target, &mut groups_applied).await;
        }
        let unsent = plan.operations.len() as u64 - applied.writes;
        if unsent > 0 {
            report.errors.push(ReportError {
                user: None,
                api: None,
                message: format!(
                    "stopped by shutdown: {unsent} planned write(s) were not sent; the next run will send them"
                ),
            });
        }
        report.counts.created = applied.count(OperationKind::Create);
        report.counts.updated = applied.count(OperationKind::Update);
        report.counts.disabled = applied.count(OperationKind::Disable);
        report.counts.deleted = applied.count(OperationKind::Delete);
        report.counts.failed += applied.failures.len();
        report.counts.groups_created = groups_applied.created;
        report.counts.groups_updated = groups_applied.updated;
        report.counts.groups_deleted = groups_applied.deleted;
        report.counts.groups_failed = groups_applied.failures.len();
        report.target_writes = applied.writes + groups_applied.writes;
        report.errors.extend(applied.failures);
        report.errors.extend(groups_applied.failures);
    }

    let clean = report.counts.failed == 0
        && !options.stop.is_raised()
        && report.counts.groups_failed == 0
        && report.incomplete.is_empty()
        && plan.held_back.is_none();
    if clean {
        RunStatus::Succeeded
    } else {
        RunStatus::Partial
    }
}

/// Ends a run that the stop signal caught before its first write (`partial`, see [`run_sync`]).
fn stopped_before_writing(report: &mut SyncReport, after: &str) -> RunStatus {
    report.errors.push(ReportError {
        user: None,
        api: None,
        message: format!(
            "stopped by shutdown after {after}: nothing was written; the next run starts over"
        ),
    });
    RunStatus::Partial
}

#[cfg(test)]
mod tests;

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

/// Shutdown during the read phase: the run ends without a single write.
#[cfg(test)]
mod shutdown_tests {
    use async_trait::async_trait;

    use super::*;
    use crate::mapping::{MappingSpec, Transform};
    use crate::plugin::{PluginConfig, PluginConfigError, PluginDescriptor, SourceField};
    use crate::snapshot::{FetchProgress, NoProgress, Snapshot, SourceRecord};
    use crate::syncer::{ConnectionReport, FetchError};
    use crate::target::MockTarget;

    fn unbuildable(_: &PluginConfig) -> Result<Box<dyn Syncer>, PluginConfigError> {
        Err(PluginConfigError::InvalidValue {
            key: "x".into(),
            problem: "test plugin".into(),
        })
    }

    static PLUGIN: PluginDescriptor = PluginDescriptor {
        type_name: "Slow",
        description: "a source that is still fetching when shutdown comes",
        config_fields: &[],
        source_fields: &[SourceField {
            name: "userid",
            description: "",
        }],
        default_mapping: &[
            MappingSpec {
                source: "userid",
                target: "Id",
                transform: Transform::Copy,
            },
            MappingSpec {
                source: "userid",
                target: "Name",
                transform: Transform::Copy,
            },
        ],
        build: unbuildable,
    };

    /// Raises the stop signal while fetching, as SIGTERM during a long fetch would.
    struct StoppedWhileFetching(StopSignal);

    #[async_trait]
    impl Syncer for StoppedWhileFetching {
        async fn test_connection(&self) -> ConnectionReport {
            ConnectionReport::default()
        }
        async fn fetch(&self, _: &dyn FetchProgress) -> Result<Snapshot, FetchError> {
            self.0.raise();
            Ok(Snapshot {
                users: vec![SourceRecord::new("u1").with("userid", "u1")],
                ..Snapshot::default()
            })
        }
    }

    fn mapping() -> FieldMapping {
        FieldMapping::build(&PLUGIN, &Default::default()).expect("valid mapping")
    }

    fn assert_stopped(report: &SyncReport) {
        assert_eq!(report.status, RunStatus::Partial);
        assert_eq!(report.target_writes, 0);
        assert!(
            report
                .errors
                .iter()
                .any(|e| e.message.contains("stopped by shutdown")),
            "{:?}",
            report.errors
        );
    }

    #[tokio::test]
    async fn stop_during_the_fetch_touches_no_target() {
        let options = SyncOptions::new("slow", "acme");
        let source = StoppedWhileFetching(options.stop.clone());
        // No expectations: any call to the target would fail the test.
        let target = MockTarget::new();
        let report = run_sync(&source, &mapping(), &target, &options, &NoProgress).await;
        assert_stopped(&report);
        assert_eq!(report.counts.fetched, 1);
    }

    #[tokio::test]
    async fn stop_while_reading_the_target_writes_nothing() {
        let options = SyncOptions::new("slow", "acme");
        let stop = options.stop.clone();
        let source = StoppedWhileFetching(StopSignal::default());
        let mut target = MockTarget::new();
        target.expect_list_users().returning(move |_| {
            stop.raise();
            Ok(vec![])
        });
        target.expect_list_groups().returning(|_| Ok(vec![]));
        let report = run_sync(&source, &mapping(), &target, &options, &NoProgress).await;
        assert_stopped(&report);
    }
}
