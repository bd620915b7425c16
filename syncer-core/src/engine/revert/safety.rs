//! The safety rules of a revert: the mass-deprovision guard on the disables and deletes it
//! would send, and no delete of a group someone still belongs to.

use std::collections::{HashMap, HashSet};

use crate::engine::options::SyncOptions;
use crate::engine::vocabulary::{HeldBack, Operation, OperationKind, Plan, WithheldUser};
use crate::group::IamGroup;
use crate::user::IamUser;

/// The mass-deprovision guard on a revert: disables and deletes beyond what it allows are
/// withheld (with the group deletes that need them) unless the run lifts it. Re-enabling and
/// restoring are never withheld.
pub(super) fn guard(plan: &mut Plan, options: &SyncOptions) -> Option<HeldBack> {
    let deprovisions =
        |op: &Operation| matches!(op.kind, OperationKind::Disable | OperationKind::Delete);
    let count = plan.operations.iter().filter(|op| deprovisions(op)).count();
    if count == 0 || options.allow_mass_deprovision || !options.guard.trips(count, plan.managed) {
        return None;
    }
    let users = WithheldUser::in_dry_run(
        options.dry_run,
        plan.operations.iter().filter(|op| deprovisions(op)),
    );
    plan.operations.retain(|op| !deprovisions(op));
    plan.groups.deletes.clear();
    Some(HeldBack {
        count,
        reason: format!(
            "this revert would disable or delete {count} of {} managed users, more than the guard allows ({}% and more than {}); nobody was disabled or deleted. If this is expected, rerun the revert with --allow-mass-deprovision",
            plan.managed, options.guard.max_percent, options.guard.min_users
        ),
        users,
    })
}

/// Takes out of the group deletes the groups someone still belongs to after the revert's user
/// writes, or that keep a child group; each kept one is noticed.
pub(super) fn keep_groups_in_use(plan: &mut Plan, users: &[IamUser], groups: &[IamGroup]) {
    let planned: HashMap<&str, &Operation> = plan
        .operations
        .iter()
        .map(|op| (op.user.name.as_str(), op))
        .collect();
    let mut members: HashSet<String> = HashSet::new();
    let after = users
        .iter()
        .filter_map(|user| match planned.get(user.name.as_str()) {
            Some(op) if op.kind == OperationKind::Delete => None,
            Some(op) => Some(&*op.user),
            None => Some(user),
        })
        .chain(
            plan.operations
                .iter()
                .filter(|op| op.kind == OperationKind::Create)
                .map(|op| &*op.user),
        );
    for user in after.filter(|user| !user.is_deleted) {
        members.extend(user.groups.iter().map(|group| group.to_string()));
    }
    loop {
        let deleted: HashSet<&str> = plan
            .groups
            .deletes
            .iter()
            .map(|g| g.name.as_str())
            .collect();
        let parents: HashSet<&str> = groups
            .iter()
            .chain(&plan.groups.creates)
            .filter(|g| !deleted.contains(g.name.as_str()))
            .map(|g| g.parent_id.as_str())
            .collect();
        let kept: Vec<usize> = plan
            .groups
            .deletes
            .iter()
            .enumerate()
            .filter(|(_, g)| {
                members.contains(&g.qualified_name()) || parents.contains(g.name.as_str())
            })
            .map(|(i, _)| i)
            .collect();
        if kept.is_empty() {
            break;
        }
        for i in kept.into_iter().rev() {
            let group = plan.groups.deletes.remove(i);
            plan.notices.push(format!(
                "group {}: created by the reverted run, kept because users or groups still belong to it",
                group.qualified_name()
            ));
        }
    }
}
