//! Diff: what the source wants against what the target holds, turned into a plan of writes.
//! Pure logic, no I/O. Each step lives in the file named after what it decides: which IAM user
//! each person is ([`matching`]), which fields look unreadable ([`unreadable_fields`]), the
//! write that brings a person in line ([`writes`]), what IAM would refuse ([`screen`]), the
//! leavers and their guards ([`leavers`]), and departments as groups ([`groups`]).

mod groups;
mod leavers;
mod matching;
mod screen;
mod unknown_fields;
mod unreadable_fields;
mod writes;

use std::collections::HashSet;

use super::options::SyncOptions;
use super::ownership::{self, Owner};
use super::vocabulary::{DesiredUser, GroupPlan, Plan, PlanScope, Skipped};
use crate::group::IamGroup;
use crate::mapping::FieldMapping;
use crate::snapshot::Department;
use crate::user::IamUser;
use groups::Memberships;
use matching::Matched;
pub use screen::is_valid_user_name;
pub(super) use unreadable_fields::blank_for_everyone;

/// What the diff works on.
pub struct PlanInputs<'a> {
    /// People the source wants in IAM (consumed as the plan is made, to give memory back).
    pub desired: Vec<DesiredUser>,
    /// The source's departments (empty when groups are not synced).
    pub departments: &'a [Department],
    /// The target's users of the organization.
    pub users: Vec<IamUser>,
    /// The target's groups of the organization.
    pub groups: Vec<IamGroup>,
    /// Whether the whole source was read.
    pub complete: bool,
    /// The mapping the desired users were made with: it knows the permission the source app
    /// needs to read each mapped field, named when a field looks unreadable.
    pub mapping: &'a FieldMapping,
    /// Whom the plan decides about: everyone (a full sync) or only what events named.
    pub scope: PlanScope,
}

/// Diffs what the source wants against what the target holds and plans the writes.
pub fn plan(inputs: PlanInputs<'_>, options: &SyncOptions) -> Plan {
    let PlanInputs {
        mut desired,
        departments,
        users: current,
        groups: current_groups,
        complete: snapshot_complete,
        mapping,
        scope,
    } = inputs;
    let me = options.syncer.as_str();
    let org = options.organization.as_str();
    let (group_plan, memberships) = if options.sync_groups {
        groups::plan_groups(departments, &current_groups, org, me, snapshot_complete)
    } else {
        (GroupPlan::default(), Memberships::default())
    };
    let memberships = options.sync_groups.then_some(memberships);
    let managed = match &scope {
        PlanScope::Named {
            managed: Some(managed),
            ..
        } => *managed,
        _ => current
            .iter()
            .filter(|u| !u.is_deleted && !u.is_forbidden && ownership::owner_of(u, me) == Owner::Me)
            .count(),
    };
    let mut plan = Plan {
        managed,
        notices: unreadable_fields::keep_unreadable_fields(&mut desired, &current, me, mapping),
        ..Plan::default()
    };
    plan.notices
        .extend(unknown_fields::notices(&desired, mapping));
    let matches = matching::match_people(&desired, &current, me, options.adopt_by_name);
    let mut claimed: HashSet<usize> = HashSet::new();
    let mut creates = Vec::new();
    let mut updates = Vec::new();

    let fetched = desired.len();
    for (wanted, matched) in desired.into_iter().zip(matches) {
        let wanted = &wanted;
        let found = match matched {
            Matched::New => {
                creates.push(writes::plan_create(wanted, options, memberships.as_ref()));
                continue;
            }
            Matched::Refused(reason) => {
                plan.rejected.push(Skipped {
                    user: wanted.source_id.clone(),
                    reason,
                });
                continue;
            }
            Matched::Existing(found) => found,
        };
        claimed.insert(found);
        let existing = &current[found];
        if let Some(reason) = matching::leave_alone(wanted, existing, me) {
            plan.skipped.push(Skipped {
                user: wanted.source_id.clone(),
                reason,
            });
            continue;
        }
        match writes::plan_update(wanted, existing, me, memberships.as_ref()) {
            Some(op) => updates.push(op),
            None => plan.unchanged += 1,
        }
    }

    let leavers: Vec<&IamUser> = current
        .iter()
        .enumerate()
        .filter(|(i, user)| {
            !claimed.contains(i)
                && !user.is_deleted
                && ownership::owner_of(user, me) == Owner::Me
                && scope.is_leaver(user.properties.get(ownership::SOURCE_ID))
        })
        .map(|(_, user)| user)
        .collect();
    let leaver_writes = leavers::plan_leavers(&leavers, options.leavers, memberships.as_ref());
    plan.held_back = leavers::hold_back(
        &leaver_writes.deprovisions,
        plan.managed,
        fetched,
        options,
        snapshot_complete,
        &scope,
    );

    let (mut operations, rejected) = screen::screen(creates.into_iter().chain(updates), &current);
    plan.rejected.extend(rejected);
    if plan.held_back.is_none() {
        operations.extend(leaver_writes.deprovisions);
        operations.extend(leaver_writes.cleanups);
    }
    plan.operations = operations;
    plan.groups = group_plan;
    if options.sync_groups {
        let finals = groups::users_after(&current, &plan.operations);
        groups::plan_group_deletes(
            &mut plan.groups,
            &current_groups,
            departments,
            &finals,
            me,
            snapshot_complete,
            match &scope {
                PlanScope::Everyone => None,
                PlanScope::Named { removed_groups, .. } => Some(removed_groups),
            },
        );
    }
    plan.listed_users = current;
    plan.listed_groups = current_groups;
    plan
}
