//! Apply: send a plan's writes to the target, concurrently but bounded, and collect per-user
//! outcomes. One user's failure never stops the others.

use futures::stream::{FuturesUnordered, StreamExt};

use super::groups::GroupPlan;
use super::options::StopSignal;
use super::plan::{Operation, OperationKind};
use super::progress::SyncProgress;
use super::report::ReportError;
use crate::group::IamGroup;
use crate::target::{Target, TargetError};

/// What applying a plan did.
#[derive(Debug, Default)]
pub struct Applied {
    /// Kinds of the operations that succeeded.
    pub done: Vec<OperationKind>,
    /// Operations that failed, with why.
    pub failures: Vec<ReportError>,
    /// Writes sent (successful or not).
    pub writes: u64,
}

impl Applied {
    /// How many operations of `kind` succeeded.
    pub fn count(&self, kind: OperationKind) -> usize {
        self.done.iter().filter(|k| **k == kind).count()
    }
}

/// Sends every operation, at most `concurrency` at a time; once `stop` is raised, writes in
/// flight finish and no new one starts.
pub async fn apply(
    operations: &[Operation],
    target: &dyn Target,
    concurrency: usize,
    progress: &dyn SyncProgress,
    stop: &StopSignal,
) -> Applied {
    let mut applied = Applied::default();
    // A hand-fed FuturesUnordered rather than stream combinators: no closure over borrowed
    // operations lives across an await, so the whole run stays a provably `Send` future.
    let mut in_flight = FuturesUnordered::new();
    let mut queued = operations.iter();
    loop {
        while in_flight.len() < concurrency.max(1) && !stop.is_raised() {
            let Some(op) = queued.next() else {
                break;
            };
            in_flight.push(send(op, target));
        }
        let Some((op, outcome)) = in_flight.next().await else {
            break;
        };
        applied.writes += 1;
        progress.write_applied();
        match outcome {
            Ok(()) => applied.done.push(op.kind),
            Err(error) => applied.failures.push(ReportError {
                user: Some(op.subject()),
                api: Some(error.api().to_owned()),
                message: error.to_string(),
            }),
        }
    }
    applied
}

async fn send<'a>(
    op: &'a Operation,
    target: &dyn Target,
) -> (&'a Operation, Result<(), TargetError>) {
    let outcome = match op.kind {
        OperationKind::Create => target.create_user(&op.user).await,
        OperationKind::Update | OperationKind::Disable => {
            target.update_user(&op.user, &op.columns).await
        }
        OperationKind::Delete => target.delete_user(&op.user).await,
    };
    (op, outcome)
}

/// What applying group writes did.
#[derive(Debug, Default)]
pub struct GroupsApplied {
    /// Groups created.
    pub created: usize,
    /// Groups updated.
    pub updated: usize,
    /// Groups deleted.
    pub deleted: usize,
    /// Failed group writes, with why.
    pub failures: Vec<ReportError>,
    /// Writes sent.
    pub writes: u64,
}

#[derive(Clone, Copy)]
enum GroupWrite {
    Create,
    Update,
    Delete,
}

/// Creates and updates groups: level by level (parents exist before their children), each level
/// concurrently. Runs before the users' writes, so memberships point at existing groups.
pub async fn apply_group_upserts(
    plan: &GroupPlan,
    target: &dyn Target,
    concurrency: usize,
    applied: &mut GroupsApplied,
) {
    let mut batch: Vec<&IamGroup> = Vec::new();
    for group in &plan.creates {
        if batch.iter().any(|queued| queued.name == group.parent_id) {
            send_groups(&batch, GroupWrite::Create, target, concurrency, applied).await;
            batch.clear();
        }
        batch.push(group);
    }
    send_groups(&batch, GroupWrite::Create, target, concurrency, applied).await;
    let updates: Vec<&IamGroup> = plan.updates.iter().collect();
    send_groups(&updates, GroupWrite::Update, target, concurrency, applied).await;
}

/// Deletes groups, children before parents, after the users' writes emptied them.
pub async fn apply_group_deletes(
    plan: &GroupPlan,
    target: &dyn Target,
    applied: &mut GroupsApplied,
) {
    for group in &plan.deletes {
        send_groups(&[group], GroupWrite::Delete, target, 1, applied).await;
    }
}

async fn send_groups(
    groups: &[&IamGroup],
    write: GroupWrite,
    target: &dyn Target,
    concurrency: usize,
    applied: &mut GroupsApplied,
) {
    let mut in_flight = FuturesUnordered::new();
    let mut queued = groups.iter();
    loop {
        while in_flight.len() < concurrency.max(1) {
            let Some(group) = queued.next() else {
                break;
            };
            in_flight.push(send_group(group, write, target));
        }
        let Some((group, outcome)) = in_flight.next().await else {
            break;
        };
        applied.writes += 1;
        match outcome {
            Ok(()) => match write {
                GroupWrite::Create => applied.created += 1,
                GroupWrite::Update => applied.updated += 1,
                GroupWrite::Delete => applied.deleted += 1,
            },
            Err(error) => applied.failures.push(ReportError {
                user: None,
                api: Some(error.api().to_owned()),
                message: format!("group {}: {error}", group.qualified_name()),
            }),
        }
    }
}

async fn send_group<'a>(
    group: &'a IamGroup,
    write: GroupWrite,
    target: &dyn Target,
) -> (&'a IamGroup, Result<(), TargetError>) {
    let outcome = match write {
        GroupWrite::Create => target.create_group(group).await,
        GroupWrite::Update => target.update_group(group).await,
        GroupWrite::Delete => target.delete_group(group).await,
    };
    (group, outcome)
}
