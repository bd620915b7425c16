//! Apply: send a plan's writes to the target, concurrently but bounded, and collect per-user
//! outcomes. One user's failure never stops the others. Groups go first, parents before
//! children; a group that could not be created takes its children and its memberships out of
//! this run (the next run tries again).

use std::borrow::Cow;
use std::collections::HashSet;

use futures::stream::{FuturesUnordered, StreamExt};

use super::options::SyncOptions;
use super::progress::SyncProgress;
use super::recorder::{GroupWrite, Prepared, Recorder, CHUNK};
use super::vocabulary::{GroupPlan, Operation, OperationKind, Plan, ReportError};
use crate::group::IamGroup;
use crate::target::{Target, TargetError};

/// Sends a plan's writes, in the order that keeps every write valid: groups are created and
/// updated before any user, so memberships point at groups that exist; a group whose create
/// failed is held back with its children, and no user write this run names it. The users'
/// writes follow in the order of the plan (creates and updates, then deprovisions), and group
/// deletes come last, once those writes have emptied the groups. A revert sends its plan the
/// same way.
pub async fn apply_plan(
    plan: &Plan,
    target: &dyn Target,
    options: &SyncOptions,
    progress: &dyn SyncProgress,
    recorder: &mut Recorder<'_>,
) -> (Applied, GroupsApplied) {
    let mut groups_applied = GroupsApplied::default();
    if !options.stop.is_raised() {
        apply_group_upserts(&plan.groups, target, options, &mut groups_applied, recorder).await;
    }
    if groups_applied.halted.is_some() {
        // The target stopped answering (or the deadline passed) while groups were written: no
        // user write is sent this run.
        return (Applied::default(), groups_applied);
    }
    let applied = apply(
        &plan.operations,
        target,
        options,
        progress,
        &groups_applied.not_created,
        recorder,
    )
    .await;
    if !options.stop.is_raised() && !recorder.halted() && applied.halted.is_none() {
        apply_group_deletes(&plan.groups, target, options, &mut groups_applied, recorder).await;
    }
    (applied, groups_applied)
}

/// What applying a plan did.
#[derive(Debug, Default)]
pub struct Applied {
    /// Kinds of the operations that succeeded.
    pub done: Vec<OperationKind>,
    /// Operations that failed, with why.
    pub failures: Vec<ReportError>,
    /// Writes sent (successful or not).
    pub writes: u64,
    /// Writes not sent because what they would destroy could not be journaled (in `failures`).
    pub withheld: u64,
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
/// got no answer (the target has stopped answering: more writes would only pile up). Memberships of the groups in `missing_groups` (names of groups that could not be created
/// this run) are left out of the users' writes. The writes go in chunks of at most
/// [`CHUNK`](super::recorder::CHUNK), each journaled before it is sent; once the journal fails,
/// no further chunk is sent.
pub async fn apply(
    operations: &[Operation],
    target: &dyn Target,
    options: &SyncOptions,
    progress: &dyn SyncProgress,
    missing_groups: &HashSet<String>,
    recorder: &mut Recorder<'_>,
) -> Applied {
    let operations = without_groups(operations, missing_groups);
    let mut applied = Applied::default();
    // Writes in a row that got no answer, across chunks.
    let mut unanswered = 0;
    let mut rest: &[Operation] = &operations;
    while let Some(first) = rest.first() {
        if options.stop.is_raised() || applied.halted.is_some() {
            break;
        }
        let phase = first.phase;
        let len = rest
            .iter()
            .take(CHUNK)
            .take_while(|op| op.phase == phase)
            .count();
        let (chunk, tail) = rest.split_at(len);
        rest = tail;
        let Some(prepared) = recorder.users(chunk, target).await else {
            break;
        };
        let outcomes = send_chunk(
            chunk,
            &prepared,
            target,
            options,
            progress,
            &mut applied,
            &mut unanswered,
        )
        .await;
        recorder.outcomes(outcomes).await;
    }
    applied
}

/// The journaled outcome of a write a shutdown kept from being sent.
const NOT_SENT: &str = "not sent: the run was stopped by shutdown";
/// The journaled outcome of a write the deadline or the circuit breaker kept from being sent.
const NOT_SENT_HALTED: &str = "not sent: the run halted (deadline or circuit breaker)";

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

/// Sends one chunk (one phase), at most `concurrency` at a time; returns each sent write's
/// journal `seq` with its outcome.
async fn send_chunk(
    chunk: &[Operation],
    prepared: &[Prepared],
    target: &dyn Target,
    options: &SyncOptions,
    progress: &dyn SyncProgress,
    applied: &mut Applied,
    unanswered: &mut usize,
) -> Vec<(u64, Result<(), String>)> {
    let concurrency = options.write_concurrency;
    let stop = &options.stop;
    let mut outcomes = Vec::with_capacity(chunk.len());
    // A hand-fed FuturesUnordered rather than stream combinators: no closure over borrowed
    // operations lives across an await, so the whole run stays a provably `Send` future.
    let mut in_flight = FuturesUnordered::new();
    let mut queued = chunk.iter().zip(prepared);
    loop {
        if applied.halted.is_none() {
            applied.halted = halt(options, *unanswered);
        }
        while in_flight.len() < concurrency.max(1) && !stop.is_raised() && applied.halted.is_none()
        {
            let Some((op, prepared)) = queued.next() else {
                break;
            };
            match prepared {
                Prepared::Send(seq) => in_flight.push(send(op, *seq, target)),
                Prepared::Withheld(why) => {
                    applied.withheld += 1;
                    applied.failures.push(ReportError {
                        user: Some(op.subject()),
                        api: None,
                        message: why.clone(),
                    });
                }
            }
        }
        let Some((op, seq, outcome)) = in_flight.next().await else {
            // Stopped by shutdown or halted: what was not sent is journaled as such, so a revert
            // never takes it for a write that may have landed.
            let why = if applied.halted.is_some() {
                NOT_SENT_HALTED
            } else {
                NOT_SENT
            };
            for (_, prepared) in queued {
                if let Prepared::Send(seq) = prepared {
                    outcomes.push((*seq, Err(why.to_owned())));
                }
            }
            break;
        };
        applied.writes += 1;
        progress.write_applied();
        match outcome {
            Ok(()) => {
                *unanswered = 0;
                applied.done.push(op.kind);
                outcomes.push((seq, Ok(())));
            }
            Err(error) => {
                if matches!(error, TargetError::NoAnswer { .. }) {
                    *unanswered += 1;
                } else {
                    *unanswered = 0;
                }
                outcomes.push((seq, Err(error.to_string())));
                applied.failures.push(ReportError {
                    user: Some(op.subject()),
                    api: Some(error.api().to_owned()),
                    message: error.to_string(),
                });
            }
        }
    }
    outcomes
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
    seq: u64,
    target: &dyn Target,
) -> (&'a Operation, u64, Result<(), TargetError>) {
    let outcome = match op.kind {
        OperationKind::Create => target.create_user(&op.user).await,
        OperationKind::Update | OperationKind::Disable => {
            target.update_user(&op.user, &op.columns).await
        }
        OperationKind::Delete => target.delete_user(&op.user).await,
    };
    (op, seq, outcome)
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

/// Creates and updates groups: level by level (parents exist before their children), each level
/// concurrently. Runs before the users' writes, so memberships point at existing groups.
pub async fn apply_group_upserts(
    plan: &GroupPlan,
    target: &dyn Target,
    options: &SyncOptions,
    applied: &mut GroupsApplied,
    recorder: &mut Recorder<'_>,
) {
    let mut sender = GroupSender {
        target,
        options,
        applied,
        recorder,
    };
    let mut batch: Vec<&IamGroup> = Vec::new();
    for group in &plan.creates {
        if batch.iter().any(|queued| queued.name == group.parent_id) {
            sender.send(&batch, GroupWrite::Create).await;
            batch.clear();
        }
        if orphaned(group, sender.applied) {
            sender.applied.not_created.insert(group.name.clone());
            continue;
        }
        batch.push(group);
    }
    sender.send(&batch, GroupWrite::Create).await;
    let updates: Vec<&IamGroup> = plan
        .updates
        .iter()
        .filter(|group| !orphaned(group, sender.applied))
        .collect();
    sender.send(&updates, GroupWrite::Update).await;
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

/// Deletes groups, children before parents, after the users' writes emptied them (one journal
/// call for all of them: they are sent one at a time).
pub async fn apply_group_deletes(
    plan: &GroupPlan,
    target: &dyn Target,
    options: &SyncOptions,
    applied: &mut GroupsApplied,
    recorder: &mut Recorder<'_>,
) {
    let one_at_a_time = SyncOptions {
        write_concurrency: 1,
        ..options.clone()
    };
    let deletes: Vec<&IamGroup> = plan.deletes.iter().collect();
    let mut sender = GroupSender {
        target,
        options: &one_at_a_time,
        applied,
        recorder,
    };
    sender.send(&deletes, GroupWrite::Delete).await;
}

/// Where one run's group writes go and what they are counted and journaled in.
struct GroupSender<'a, 'j> {
    target: &'a dyn Target,
    options: &'a SyncOptions,
    applied: &'a mut GroupsApplied,
    recorder: &'a mut Recorder<'j>,
}

impl GroupSender<'_, '_> {
    /// Journals and sends `groups`' writes of one kind, `options.write_concurrency` at a time,
    /// counting each outcome.
    async fn send(&mut self, groups: &[&IamGroup], write: GroupWrite) {
        let (target, options) = (self.target, self.options);
        let applied = &mut *self.applied;
        let recorder = &mut *self.recorder;
        if groups.is_empty() {
            return;
        }
        let Some(first_seq) = recorder.groups(groups, write).await else {
            if write == GroupWrite::Create {
                applied
                    .not_created
                    .extend(groups.iter().map(|group| group.name.clone()));
            }
            return;
        };
        let mut outcomes = Vec::with_capacity(groups.len());
        let mut in_flight = FuturesUnordered::new();
        let mut queued = groups.iter().zip(first_seq..);
        let mut unanswered = 0;
        loop {
            while in_flight.len() < options.write_concurrency.max(1) {
                let Some((group, seq)) = queued.next() else {
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
                    outcomes.push((seq, Err(NOT_SENT_HALTED.to_owned())));
                    continue;
                }
                in_flight.push(send_group(group, seq, write, target));
            }
            let Some((group, seq, outcome)) = in_flight.next().await else {
                break;
            };
            applied.writes += 1;
            if matches!(outcome, Err(TargetError::NoAnswer { .. })) {
                unanswered += 1;
            } else {
                unanswered = 0;
            }
            outcomes.push((
                seq,
                outcome.as_ref().map(|_| ()).map_err(ToString::to_string),
            ));
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
        recorder.outcomes(outcomes).await;
    }
}

async fn send_group<'a>(
    group: &'a IamGroup,
    seq: u64,
    write: GroupWrite,
    target: &dyn Target,
) -> (&'a IamGroup, u64, Result<(), TargetError>) {
    let outcome = match write {
        GroupWrite::Create => target.create_group(group).await,
        GroupWrite::Update => target.update_group(group).await,
        GroupWrite::Delete => target.delete_group(group).await,
    };
    (group, seq, outcome)
}
