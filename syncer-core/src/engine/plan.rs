//! Diff: what the source wants against what the target holds, turned into a plan of writes.
//! Pure logic, no I/O: identity matching ([`matching`]), ownership, minimal updates, leavers
//! and the guards ([`leavers`], [`blanking`]).

mod blanking;
mod leavers;
mod matching;

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::{Deserialize, Serialize};

use super::groups::{self, GroupPlan, Memberships};
use super::options::SyncOptions;
use super::ownership::{self, Owner};
use super::validate;
use crate::field::{FieldValue, IamField};
use crate::group::IamGroup;
use crate::phone::same_phone;
use crate::snapshot::Department;
use crate::user::IamUser;
use matching::Matched;

/// A person the source wants in IAM, after mapping.
#[derive(Clone, Debug, PartialEq)]
pub struct DesiredUser {
    /// The source's id of the person.
    pub source_id: String,
    /// The mapped IAM values.
    pub values: BTreeMap<IamField, FieldValue>,
    /// The ids of the person's departments (their groups).
    pub departments: Vec<String>,
}

impl DesiredUser {
    fn text(&self, field: IamField) -> String {
        self.values
            .get(&field)
            .map(|value| value.as_text().into())
            .unwrap_or_default()
    }
}

/// What a planned write does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OperationKind {
    /// `add-user`.
    Create,
    /// `update-user` of mapped fields (also adoption and re-enabling a returning leaver).
    Update,
    /// `update-user` setting IsForbidden for a leaver.
    Disable,
    /// `delete-user` of a leaver.
    Delete,
}

/// One planned write.
#[derive(Clone, Debug, PartialEq)]
pub struct Operation {
    /// What it does.
    pub kind: OperationKind,
    /// The full user as it should be after the write (boxed: plans of 100,000 operations grow
    /// their list by copying, and a small element keeps that cheap).
    pub user: Box<IamUser>,
    /// For updates, exactly the fields that change.
    pub columns: Vec<IamField>,
    /// The source id of the person (`None` for leavers gone from the source).
    pub source_id: Option<String>,
    /// When to send it: every write of a phase finishes before the next phase starts, so a
    /// user who takes over an e-mail or phone another user gives up in the same run is
    /// written after that other user (0 for almost every write).
    pub phase: usize,
}

impl Operation {
    /// The identity to report this operation under: the source id, or the IAM name.
    pub fn subject(&self) -> String {
        self.source_id
            .clone()
            .unwrap_or_else(|| self.user.qualified_name())
    }
}

/// A person left alone, with the reason.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Skipped {
    /// The source id (or IAM name).
    pub user: String,
    /// Why.
    pub reason: String,
}

/// Deprovisioning that was planned but withheld for safety.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeldBack {
    /// How many users would have been deprovisioned.
    pub count: usize,
    /// Why nobody was.
    pub reason: String,
    /// In a dry run, who would have been deprovisioned and how, for review before overriding.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub users: Vec<WithheldUser>,
}

/// One user whose deprovisioning was withheld.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WithheldUser {
    /// The source id (or IAM name for users without one).
    pub user: String,
    /// The IAM user, `owner/name`.
    pub iam_user: String,
    /// What would have happened: `disable` or `delete`.
    pub action: OperationKind,
}

/// The result of the diff.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Plan {
    /// Writes to make, creates first, then updates, then deprovisions.
    pub operations: Vec<Operation>,
    /// Desired users already as they should be.
    pub unchanged: usize,
    /// Users deliberately not touched (owned by someone else, or unsafe to adopt).
    pub skipped: Vec<Skipped>,
    /// Users that cannot be synced as the source has them, caught before sending: refused
    /// outright (a name IAM refuses, an unsafe match), or written without a value another IAM
    /// user holds (a duplicate e-mail or phone).
    pub rejected: Vec<Skipped>,
    /// Deprovisioning withheld by a safety rule.
    pub held_back: Option<HeldBack>,
    /// How many users of the organization this syncer manages and who may sign in (not
    /// forbidden, not deleted): the base of the mass-deprovision guard.
    pub managed: usize,
    /// Group writes (departments as groups).
    pub groups: GroupPlan,
    /// Things the operator should know that are not failures (a field left alone because
    /// the source seems unable to read it).
    pub notices: Vec<String>,
}

impl Plan {
    /// Operations of one kind.
    pub fn of_kind(&self, kind: OperationKind) -> impl Iterator<Item = &Operation> {
        self.operations.iter().filter(move |op| op.kind == kind)
    }

    /// How many operations of one kind.
    pub fn count(&self, kind: OperationKind) -> usize {
        self.of_kind(kind).count()
    }
}

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
}

/// Diffs what the source wants against what the target holds and plans the writes.
pub fn plan(inputs: PlanInputs<'_>, options: &SyncOptions) -> Plan {
    let PlanInputs {
        mut desired,
        departments,
        users: current,
        groups: current_groups,
        complete: snapshot_complete,
    } = inputs;
    let me = options.syncer.as_str();
    let org = options.organization.as_str();
    let (group_plan, memberships) = if options.sync_groups {
        groups::plan_groups(departments, &current_groups, org, me, snapshot_complete)
    } else {
        (GroupPlan::default(), Memberships::default())
    };
    let memberships = options.sync_groups.then_some(memberships);
    let mut plan = Plan {
        managed: current
            .iter()
            .filter(|u| !u.is_deleted && !u.is_forbidden && ownership::owner_of(u, me) == Owner::Me)
            .count(),
        notices: blanking::keep_unreadable_fields(&mut desired, &current, me),
        ..Plan::default()
    };
    let matches = matching::match_people(&desired, &current, me);
    let mut claimed: HashSet<usize> = HashSet::new();
    let mut creates = Vec::new();
    let mut updates = Vec::new();

    let fetched = desired.len();
    for (wanted, matched) in desired.into_iter().zip(matches) {
        let wanted = &wanted;
        let found = match matched {
            Matched::New => {
                creates.push(plan_create(wanted, options, memberships.as_ref()));
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
        match plan_update(wanted, existing, me, memberships.as_ref()) {
            Some(op) => updates.push(op),
            None => plan.unchanged += 1,
        }
    }

    let leavers: Vec<&IamUser> = current
        .iter()
        .enumerate()
        .filter(|(i, user)| {
            !claimed.contains(i) && !user.is_deleted && ownership::owner_of(user, me) == Owner::Me
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
    );

    let (mut operations, rejected) = validate::screen(creates.into_iter().chain(updates), &current);
    plan.rejected.extend(rejected);
    if plan.held_back.is_none() {
        operations.extend(leaver_writes.deprovisions);
        operations.extend(leaver_writes.cleanups);
    }
    plan.operations = operations;
    plan.groups = group_plan;
    if options.sync_groups {
        let finals = final_users(&current, &plan.operations);
        groups::plan_group_deletes(
            &mut plan.groups,
            &current_groups,
            departments,
            &finals,
            me,
            snapshot_complete,
        );
    }
    plan
}

/// Every user of the organization as it will be after the operations.
fn final_users<'a>(current: &'a [IamUser], operations: &'a [Operation]) -> Vec<&'a IamUser> {
    let mut changed: HashMap<&str, Option<&IamUser>> = HashMap::new();
    let mut created = Vec::new();
    for op in operations {
        match op.kind {
            OperationKind::Create => created.push(&*op.user),
            OperationKind::Delete => {
                changed.insert(op.user.name.as_str(), None);
            }
            OperationKind::Update | OperationKind::Disable => {
                changed.insert(op.user.name.as_str(), Some(&*op.user));
            }
        }
    }
    current
        .iter()
        .filter_map(|user| match changed.get(user.name.as_str()) {
            Some(after) => *after,
            None => Some(user),
        })
        .chain(created)
        .collect()
}

fn plan_create(
    wanted: &DesiredUser,
    options: &SyncOptions,
    memberships: Option<&Memberships>,
) -> Operation {
    let mut user = IamUser {
        owner: options.organization.as_str().into(),
        ..IamUser::default()
    };
    for (field, value) in &wanted.values {
        user.set(*field, value.clone());
    }
    if let Some(memberships) = memberships {
        user.groups = memberships.groups_for(&[], &wanted.departments);
    }
    ownership::mark_managed(&mut user, &options.syncer, &wanted.source_id);
    Operation {
        kind: OperationKind::Create,
        user: Box::new(user),
        columns: Vec::new(),
        source_id: Some(wanted.source_id.clone()),
        phase: 0,
    }
}

/// Whether `existing` is already as `wanted` would have it (checked before anything is copied:
/// in a steady state that is almost every user).
fn is_current(
    wanted: &DesiredUser,
    existing: &IamUser,
    me: &str,
    memberships: Option<&Memberships>,
) -> bool {
    !existing.is_deleted
        && ownership::is_marked(existing, me, &wanted.source_id)
        && !existing.properties.contains_key(ownership::DEPROVISIONED)
        && wanted.values.iter().all(|(field, value)| {
            matches!(field, IamField::Id | IamField::Name)
                || same_value(*field, &existing.get(*field), value)
        })
        && memberships.is_none_or(|memberships| {
            let groups = memberships.groups_for(&existing.groups, &wanted.departments);
            groups::same_groups(&groups, &existing.groups)
        })
}

/// The update that brings `existing` in line with `wanted`, or `None` when nothing differs.
fn plan_update(
    wanted: &DesiredUser,
    existing: &IamUser,
    me: &str,
    memberships: Option<&Memberships>,
) -> Option<Operation> {
    if is_current(wanted, existing, me, memberships) {
        return None;
    }
    let mut user = existing.clone();
    let mut columns = Vec::new();
    if let Some(memberships) = memberships {
        let groups = memberships.groups_for(&existing.groups, &wanted.departments);
        if !groups::same_groups(&groups, &existing.groups) {
            user.groups = groups;
            columns.push(IamField::Groups);
        }
    }
    for (field, value) in &wanted.values {
        // Identity fields are never rewritten: Name is never renamed, Id only set on create.
        if matches!(field, IamField::Id | IamField::Name) {
            continue;
        }
        if !same_value(*field, &existing.get(*field), value) {
            user.set(*field, value.clone());
            columns.push(*field);
        }
    }
    if existing.is_deleted {
        // A soft-deleted leaver who returns is restored. IAM dropped the user's membership
        // records when it deleted them and rebuilds them only from a write of `groups`, so
        // the memberships are written again even when the field itself did not change.
        user.is_deleted = false;
        columns.push(IamField::IsDeleted);
        if memberships.is_some() && !columns.contains(&IamField::Groups) {
            columns.push(IamField::Groups);
        }
    }
    let mut properties_changed = ownership::mark_managed(&mut user, me, &wanted.source_id);
    if user.properties.remove(ownership::DEPROVISIONED).is_some() {
        properties_changed = true;
        if !wanted.values.contains_key(&IamField::IsForbidden) && user.is_forbidden {
            user.is_forbidden = false;
            columns.push(IamField::IsForbidden);
        }
    }
    if properties_changed {
        columns.push(IamField::Properties);
    }
    (!columns.is_empty()).then(|| Operation {
        kind: OperationKind::Update,
        user: Box::new(user),
        columns,
        source_id: Some(wanted.source_id.clone()),
        phase: 0,
    })
}

fn same_value(field: IamField, current: &FieldValue, wanted: &FieldValue) -> bool {
    match field {
        IamField::Phone => same_phone(&current.as_text(), &wanted.as_text()),
        // IAM may keep e-mail addresses lowercased; a case-only difference is no change.
        IamField::Email => current
            .as_text()
            .trim()
            .eq_ignore_ascii_case(wanted.as_text().trim()),
        _ => current.coerce(field.kind()) == wanted.coerce(field.kind()),
    }
}
