//! The write that brings one person in line with the source: a create for a new person, a
//! minimal update (only the fields that differ) for an existing one, or nothing when the IAM
//! user is already as the source would have it.

use super::groups::{self, Memberships};
use crate::engine::options::SyncOptions;
use crate::engine::ownership;
use crate::engine::vocabulary::{DesiredUser, Operation, OperationKind};
use crate::field::IamField;
use crate::user::IamUser;

/// The create of a person no IAM user is.
pub(super) fn plan_create(
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
                || field.same_value(&existing.get(*field), value)
        })
        && memberships.is_none_or(|memberships| {
            let groups = memberships.groups_for(&existing.groups, &wanted.departments);
            groups::same_groups(&groups, &existing.groups)
        })
}

/// The update that brings `existing` in line with `wanted`, or `None` when nothing differs.
pub(super) fn plan_update(
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
        if !field.same_value(&existing.get(*field), value) {
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
        // A returning leaver is enabled again unless the source says otherwise, or cannot say
        // (`active` unknown): then IsForbidden stays as it is.
        let says_nothing = !wanted.values.contains_key(&IamField::IsForbidden)
            && !wanted.unknown.contains(&IamField::IsForbidden);
        if says_nothing && user.is_forbidden {
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
