//! The sync engine: fetch → map → diff against the target → plan → apply → report.
//!
//! The engine knows no backend and no target by name; it speaks [`crate::Syncer`] and
//! [`crate::Target`].

mod apply;
mod desired;
mod options;
pub mod ownership;
mod plan;
mod progress;
mod report;
mod validate;

use std::time::Instant;

pub use apply::{apply, Applied};
pub use desired::desired_users;
pub use options::{DeprovisionGuard, LeaverPolicy, SyncOptions};
pub use plan::{plan, DesiredUser, HeldBack, Operation, OperationKind, Plan, Skipped};
pub use progress::SyncProgress;
pub use report::{Counts, PlannedChanges, PlannedUser, ReportError, RunStatus, SyncReport};
pub use validate::is_valid_user_name;

use crate::mapping::FieldMapping;
use crate::syncer::Syncer;
use crate::target::Target;

/// Runs one sync and reports what happened. Never panics on remote failures: they end up in the
/// report with status `failed` or `partial`.
pub async fn run_sync(
    source: &dyn Syncer,
    mapping: &FieldMapping,
    target: &dyn Target,
    options: &SyncOptions,
    progress: &dyn SyncProgress,
) -> SyncReport {
    let clock = Instant::now();
    let mut report = SyncReport {
        syncer: options.syncer.clone(),
        organization: options.organization.clone(),
        status: RunStatus::Running,
        dry_run: options.dry_run,
        counts: Counts::default(),
        api_calls: 0,
        api_calls_by_api: Default::default(),
        target_writes: 0,
        departments: 0,
        duration_ms: 0,
        started_at: now_rfc3339(),
        finished_at: String::new(),
        errors: Vec::new(),
        incomplete: Vec::new(),
        held_back: None,
        plan: None,
    };
    let status = sync_into(&mut report, source, mapping, target, options, progress).await;
    report.status = status;
    report.duration_ms = u64::try_from(clock.elapsed().as_millis()).unwrap_or(u64::MAX);
    report.finished_at = now_rfc3339();
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

    let desired = desired_users(&snapshot.users, mapping);
    drop(snapshot);
    report.counts.fetched = desired.len();
    let current = match target.list_users(&options.organization).await {
        Ok(users) => users,
        Err(error) => {
            report.errors.push(ReportError {
                user: None,
                api: Some(error.api().to_owned()),
                message: error.to_string(),
            });
            return RunStatus::Failed;
        }
    };
    let plan = plan(&desired, current, options, report.incomplete.is_empty());
    drop(desired);

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
        report.plan = Some(PlannedChanges::from_plan(&plan));
    } else {
        progress.writes_planned(plan.operations.len());
        let applied = apply(
            &plan.operations,
            target,
            options.write_concurrency,
            progress,
        )
        .await;
        report.counts.created = applied.count(OperationKind::Create);
        report.counts.updated = applied.count(OperationKind::Update);
        report.counts.disabled = applied.count(OperationKind::Disable);
        report.counts.deleted = applied.count(OperationKind::Delete);
        report.counts.failed += applied.failures.len();
        report.target_writes = applied.writes;
        report.errors.extend(applied.failures);
    }

    let clean =
        report.counts.failed == 0 && report.incomplete.is_empty() && plan.held_back.is_none();
    if clean {
        RunStatus::Succeeded
    } else {
        RunStatus::Partial
    }
}

fn now_rfc3339() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

#[cfg(test)]
mod tests;
