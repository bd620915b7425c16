//! Apply: send a plan's writes to the target, concurrently but bounded, and collect per-user
//! outcomes. One user's failure never stops the others. Groups go first, parents before
//! children; a group that could not be created takes its children and its memberships out of
//! this run (the next run tries again).

use std::borrow::Cow;
use std::collections::HashSet;

use futures::stream::{FuturesUnordered, StreamExt};

use super::options::SyncOptions;
use super::progress::SyncProgress;
use super::vocabulary::{GroupPlan, Operation, OperationKind, ReportError};
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
    /// Why the writes stopped before all were sent, when the run's deadline or the circuit
    /// breaker stopped them (a shutdown is not counted here).
    pub halted: Option<String>,
}

impl Applied {
    /// How many operations of `kind` succeeded.
    pub fn count(&self, kind: OperationKind) -> usize {
        self.done.iter().filter(|k| **k == kind).count()
    }
}

/// Sends every operation, at most `options.write_concurrency` at a time, phase after phase (see
/// [`Operation::phase`]). No new write starts once `options.stop` is raised (writes in flight
/// finish), once the run's deadline has passed, or once `options.breaker_after` writes in a row
/// got no answer (the target has stopped answering: more writes would only pile up). Memberships
/// of the groups in `missing_groups` (names of groups that could not be created this run) are
/// left out of the users' writes.
pub async fn apply(
    operations: &[Operation],
    target: &dyn Target,
    options: &SyncOptions,
    progress: &dyn SyncProgress,
    missing_groups: &HashSet<String>,
) -> Applied {
    let operations = without_groups(operations, missing_groups);
    let concurrency = options.write_concurrency.max(1);
    let mut applied = Applied::default();
    // Writes in a row that got no answer.
    let mut unanswered = 0;
    // A hand-fed FuturesUnordered rather than stream combinators: no closure over borrowed
    // operations lives across an await, so the whole run stays a provably `Send` future.
    let mut in_flight = FuturesUnordered::new();
    let mut queued = operations.iter().peekable();
    let mut phase = queued.peek().map_or(0, |op| op.phase);
    loop {
        if applied.halted.is_none() && queued.peek().is_some() {
            applied.halted = halt(options, unanswered);
        }
        while in_flight.len() < concurrency && !options.stop.is_raised() && applied.halted.is_none()
        {
            let Some(op) = queued.next_if(|op| op.phase == phase || in_flight.is_empty()) else {
                break;
            };
            phase = op.phase;
            in_flight.push(send(op, target));
        }
        let Some((op, outcome)) = in_flight.next().await else {
            break;
        };
        applied.writes += 1;
        progress.write_applied();
        match outcome {
            Ok(()) => {
                unanswered = 0;
                applied.done.push(op.kind);
            }
            Err(error) => {
                if matches!(error, TargetError::NoAnswer { .. }) {
                    unanswered += 1;
                } else {
                    unanswered = 0;
                }
                applied.failures.push(ReportError {
                    user: Some(op.subject()),
                    api: Some(error.api().to_owned()),
                    message: error.to_string(),
                });
            }
        }
    }
    applied
}

/// Why no further write may start: the circuit breaker tripped, or the deadline passed.
fn halt(options: &SyncOptions, unanswered: usize) -> Option<String> {
    if options.breaker_after > 0 && unanswered >= options.breaker_after {
        return Some(format!(
            "the target stopped answering: {unanswered} writes in a row got no answer, so no further write was sent (they may or may not have been applied; the next run compares again). Check the target's health"
        ));
    }
    let deadline = options.deadline.filter(|deadline| deadline.passed())?;
    Some(format!(
        "the run passed its deadline of {} s (`run_deadline_seconds`), so no further write was sent; the next run sends the rest. Raise the deadline if syncs of this directory really take that long",
        deadline.limit.as_secs()
    ))
}

/// The operations with memberships of `missing` groups taken out (borrowed as they are when
/// every group exists, the usual case).
fn without_groups<'a>(
    operations: &'a [Operation],
    missing: &HashSet<String>,
) -> Cow<'a, [Operation]> {
    if missing.is_empty() {
        return Cow::Borrowed(operations);
    }
    let member_of_missing = |entry: &crate::Text, owner: &str| {
        entry
            .strip_prefix(owner)
            .and_then(|rest| rest.strip_prefix('/'))
            .is_some_and(|name| missing.contains(name))
    };
    Cow::Owned(
        operations
            .iter()
            .map(|op| {
                let mut op = op.clone();
                if matches!(op.kind, OperationKind::Create | OperationKind::Update) {
                    let owner = op.user.owner.clone();
                    op.user
                        .groups
                        .retain(|entry| !member_of_missing(entry, &owner));
                }
                op
            })
            .collect(),
    )
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
    /// Names of groups that should have been created but were not (refused, or under a group
    /// that was): nothing may point at them this run.
    pub not_created: HashSet<String>,
    /// Why group writes stopped before all were sent (the deadline, or the circuit breaker).
    pub halted: Option<String>,
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
    options: &SyncOptions,
    applied: &mut GroupsApplied,
) {
    let mut batch: Vec<&IamGroup> = Vec::new();
    for group in &plan.creates {
        if batch.iter().any(|queued| queued.name == group.parent_id) {
            send_groups(&batch, GroupWrite::Create, target, options, applied).await;
            batch.clear();
        }
        if orphaned(group, applied) {
            applied.not_created.insert(group.name.clone());
            continue;
        }
        batch.push(group);
    }
    send_groups(&batch, GroupWrite::Create, target, options, applied).await;
    let updates: Vec<&IamGroup> = plan
        .updates
        .iter()
        .filter(|group| !orphaned(group, applied))
        .collect();
    send_groups(&updates, GroupWrite::Update, target, options, applied).await;
}

/// Whether `group` hangs under a group that was not created; if so, the failure is recorded.
fn orphaned(group: &IamGroup, applied: &mut GroupsApplied) -> bool {
    if group.is_top_group || !applied.not_created.contains(&group.parent_id) {
        return false;
    }
    applied.failures.push(ReportError {
        user: None,
        api: None,
        message: format!(
            "group {}: not written, because its parent group {} could not be created; the next sync tries again",
            group.qualified_name(),
            group.parent_id
        ),
    });
    true
}

/// Deletes groups, children before parents, after the users' writes emptied them.
pub async fn apply_group_deletes(
    plan: &GroupPlan,
    target: &dyn Target,
    options: &SyncOptions,
    applied: &mut GroupsApplied,
) {
    let one_at_a_time = SyncOptions {
        write_concurrency: 1,
        ..options.clone()
    };
    for group in &plan.deletes {
        send_groups(
            &[group],
            GroupWrite::Delete,
            target,
            &one_at_a_time,
            applied,
        )
        .await;
    }
}

/// Sends group writes, at most `options.write_concurrency` at a time; like [`apply`], none
/// starts after the deadline or once the circuit breaker tripped (the groups not written are
/// reported, and ones not created are held back with their memberships).
async fn send_groups(
    groups: &[&IamGroup],
    write: GroupWrite,
    target: &dyn Target,
    options: &SyncOptions,
    applied: &mut GroupsApplied,
) {
    let mut in_flight = FuturesUnordered::new();
    let mut queued = groups.iter();
    let mut unanswered = 0;
    loop {
        while in_flight.len() < options.write_concurrency.max(1) {
            let Some(group) = queued.next() else {
                break;
            };
            if applied.halted.is_none() {
                applied.halted = halt(options, unanswered);
            }
            if let Some(why) = &applied.halted {
                if matches!(write, GroupWrite::Create) {
                    applied.not_created.insert(group.name.clone());
                }
                applied.failures.push(ReportError {
                    user: None,
                    api: None,
                    message: format!("group {}: not written: {why}", group.qualified_name()),
                });
                continue;
            }
            in_flight.push(send_group(group, write, target));
        }
        let Some((group, outcome)) = in_flight.next().await else {
            break;
        };
        applied.writes += 1;
        if matches!(outcome, Err(TargetError::NoAnswer { .. })) {
            unanswered += 1;
        } else {
            unanswered = 0;
        }
        match outcome {
            Ok(()) => match write {
                GroupWrite::Create => applied.created += 1,
                GroupWrite::Update => applied.updated += 1,
                GroupWrite::Delete => applied.deleted += 1,
            },
            Err(error) => {
                if matches!(write, GroupWrite::Create) {
                    applied.not_created.insert(group.name.clone());
                }
                applied.failures.push(ReportError {
                    user: None,
                    api: Some(error.api().to_owned()),
                    message: format!("group {}: {error}", group.qualified_name()),
                });
            }
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
