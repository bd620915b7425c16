//! Revert planning: from a run's journal (walked backwards) and the target as it is now, the
//! writes that undo the run. Pure logic, no I/O. What each journaled write turns into:
//!
//! - an update, disable or enable of a user: its fields get their before-values back where they
//!   still hold what the run wrote (see `fields`); so users the run disabled are enabled, users
//!   it enabled disabled, memberships restored;
//! - a user the run created: disabled and out of the memberships the create gave (deleted with
//!   [`RevertOptions::delete_created`]); one the run brought back after a deletion (a revert's
//!   create) is deleted again;
//! - a user the run deleted: created again from the journaled image (restored, when the target
//!   kept it soft-deleted);
//! - groups: created ones deleted (once empty), updated ones restored field by field, deleted
//!   ones created again from their image.
//!
//! A failed write is skipped; what already holds its before-value needs no write, so reverting
//! twice writes nothing the second time. Disables and deletes count against the mass-deprovision
//! guard like a sync's.

use std::collections::{HashMap, HashSet};

use serde_json::Value;

use super::fields::{drop_groups, restore_group, restore_user};
use super::safety::{guard, keep_groups_in_use};
use crate::engine::options::{RevertOptions, SyncOptions};
use crate::engine::ownership::{self, Owner};
use crate::engine::recorder::group_json;
use crate::engine::vocabulary::{Operation, OperationKind, Plan, RevertConflict};
use crate::field::IamField;
use crate::group::IamGroup;
use crate::journal::{JournalEntry, ObjectKind, WriteKind};
use crate::user::IamUser;

/// The writes that undo a run, and what cannot be undone.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RevertPlan {
    /// The writes, in the shape a sync's plan has (sent by the same machinery).
    pub plan: Plan,
    /// Fields left alone because they changed since the run.
    pub conflicts: Vec<RevertConflict>,
    /// Users and groups (`owner/name`) created again from their image: their creates are
    /// journaled as `recreated`, so reverting this revert deletes them again.
    pub recreated: HashSet<String>,
}

/// Plans the revert of the run whose journal is `entries`, against the target's `users` and
/// `groups` as they are now.
pub fn plan_revert(
    entries: &[JournalEntry],
    users: Vec<IamUser>,
    groups: Vec<IamGroup>,
    options: &SyncOptions,
    revert: &RevertOptions,
) -> RevertPlan {
    let mut planner = Planner {
        users: users
            .iter()
            .enumerate()
            .map(|(i, u)| (u.name.to_string(), i))
            .collect(),
        groups: groups
            .iter()
            .enumerate()
            .map(|(i, g)| (g.name.clone(), i))
            .collect(),
        listed_users: &users,
        listed_groups: &groups,
        revert,
        out: RevertPlan::default(),
        ops: HashMap::new(),
        order: Vec::new(),
    };
    let mut walk: Vec<&JournalEntry> = entries.iter().filter(|e| e.may_have_applied()).collect();
    walk.sort_by_key(|entry| std::cmp::Reverse(entry.seq));
    for entry in walk {
        match entry.object.kind {
            ObjectKind::User => planner.user(entry),
            ObjectKind::Group => planner.group(entry),
        }
    }
    let Planner {
        mut out,
        mut ops,
        order,
        ..
    } = planner;
    let mut operations: Vec<Operation> = order.iter().filter_map(|name| ops.remove(name)).collect();
    // Creates first (a user brought back before anything names them), then restores, then
    // the disables and deletes.
    operations.sort_by_key(|op| match op.kind {
        OperationKind::Create => 0,
        OperationKind::Update => 1,
        OperationKind::Disable | OperationKind::Delete => 2,
    });
    out.plan.operations = operations;
    out.plan.managed = users
        .iter()
        .filter(|u| {
            !u.is_deleted && !u.is_forbidden && ownership::owner_of(u, &options.syncer) == Owner::Me
        })
        .count();
    out.plan.held_back = guard(&mut out.plan, options);
    keep_groups_in_use(&mut out.plan, &users, &groups);
    if !out.plan.operations.is_empty() || out.plan.groups.writes() > 0 {
        out.plan.notices.push(
            "a sync with the same settings would make the reverted changes again: fix what went wrong (the mapping, the source) before the next run".to_owned(),
        );
    }
    out.plan.listed_users = users;
    out.plan.listed_groups = groups;
    out
}

struct Planner<'a> {
    users: HashMap<String, usize>,
    groups: HashMap<String, usize>,
    listed_users: &'a [IamUser],
    listed_groups: &'a [IamGroup],
    revert: &'a RevertOptions,
    out: RevertPlan,
    /// One write per user, by name, in the order first planned.
    ops: HashMap<String, Operation>,
    order: Vec<String>,
}

impl Planner<'_> {
    /// The user as it will be before this entry's undo: as planned so far, or as listed.
    fn current(&self, name: &str) -> Option<IamUser> {
        match self.ops.get(name) {
            Some(op) if op.kind == OperationKind::Delete => None,
            Some(op) => Some((*op.user).clone()),
            None => self
                .users
                .get(name)
                .map(|i| self.listed_users[*i].clone())
                .filter(|user| !user.is_deleted),
        }
    }

    fn plan(&mut self, kind: OperationKind, user: IamUser, columns: Vec<IamField>) {
        let name = user.name.to_string();
        match self.ops.get_mut(&name) {
            Some(op) => {
                for column in columns {
                    if !op.columns.contains(&column) {
                        op.columns.push(column);
                    }
                }
                if kind != OperationKind::Update {
                    op.kind = kind;
                }
                *op.user = user;
            }
            None => {
                self.order.push(name.clone());
                self.ops.insert(
                    name,
                    Operation {
                        kind,
                        user: Box::new(user),
                        columns,
                        source_id: None,
                        phase: 0,
                    },
                );
            }
        }
    }

    fn user(&mut self, entry: &JournalEntry) {
        let name = entry.object.name.as_str();
        match entry.write {
            WriteKind::UpdateUser | WriteKind::DisableUser | WriteKind::EnableUser => {
                let Some(mut user) = self.current(name) else {
                    self.notice(format!(
                        "user {}: gone from the target, so its changes cannot be restored",
                        entry.object.qualified_name()
                    ));
                    return;
                };
                let was_forbidden = user.is_forbidden;
                let restored = restore_user(&mut user, &entry.fields);
                self.out.conflicts.extend(restored.conflicts);
                for field in restored.unknown {
                    self.notice(format!(
                        "user {}: field {field} is not one this syncer knows; left as it is",
                        entry.object.qualified_name()
                    ));
                }
                if restored.columns.is_empty() {
                    return;
                }
                let kind = if !was_forbidden && user.is_forbidden {
                    OperationKind::Disable
                } else {
                    OperationKind::Update
                };
                self.plan(kind, user, restored.columns);
            }
            WriteKind::CreateUser => {
                let Some(mut user) = self.current(name) else {
                    return;
                };
                if entry.recreated || self.revert.delete_created {
                    self.plan(OperationKind::Delete, user, Vec::new());
                    return;
                }
                let mut columns = Vec::new();
                if !user.is_forbidden {
                    user.is_forbidden = true;
                    columns.push(IamField::IsForbidden);
                }
                let given = entry.field(IamField::Groups.name()).map(|c| &c.after);
                if drop_groups(&mut user, given) {
                    columns.push(IamField::Groups);
                }
                if columns.is_empty() {
                    return;
                }
                let kind = if columns.contains(&IamField::IsForbidden) {
                    OperationKind::Disable
                } else {
                    OperationKind::Update
                };
                self.plan(kind, user, columns);
            }
            WriteKind::DeleteUser => self.recreate_user(entry),
            WriteKind::CreateGroup | WriteKind::UpdateGroup | WriteKind::DeleteGroup => self
                .notice(format!(
                    "journal entry {} names user {} with a group write; left alone",
                    entry.seq,
                    entry.object.qualified_name()
                )),
        }
    }

    fn recreate_user(&mut self, entry: &JournalEntry) {
        let qualified = entry.object.qualified_name();
        let name = entry.object.name.as_str();
        if self.current(name).is_some() {
            return;
        }
        let Some(image) = entry
            .image
            .clone()
            .and_then(|image| serde_json::from_value::<IamUser>(image).ok())
        else {
            self.notice(format!(
                "user {qualified}: the journal holds no readable record of the deleted user, so it cannot be created again"
            ));
            return;
        };
        let soft_deleted = self.users.get(name).map(|i| self.listed_users[*i].clone());
        match soft_deleted {
            Some(mut user) => {
                // The target keeps deleted users: restore the one it has.
                user.is_deleted = false;
                let mut columns = vec![IamField::IsDeleted, IamField::Groups];
                user.groups = image.groups;
                if user.is_forbidden != image.is_forbidden {
                    user.is_forbidden = image.is_forbidden;
                    columns.push(IamField::IsForbidden);
                }
                self.plan(OperationKind::Update, user, columns);
            }
            None => {
                self.out.recreated.insert(qualified.clone());
                self.plan(OperationKind::Create, image, Vec::new());
            }
        }
        self.notice(format!(
            "user {qualified} is created again from the journal; their password and sign-in sessions cannot come back (they sign in through the directory again, or an administrator sets a new password)"
        ));
    }

    fn group(&mut self, entry: &JournalEntry) {
        let name = entry.object.name.as_str();
        let qualified = entry.object.qualified_name();
        let listed = self.groups.get(name).map(|i| &self.listed_groups[*i]);
        let groups = &mut self.out.plan.groups;
        match entry.write {
            WriteKind::CreateGroup => {
                if let Some(group) = listed {
                    if !groups.deletes.iter().any(|g| g.name == group.name) {
                        groups.deletes.push(group.clone());
                    }
                }
            }
            WriteKind::UpdateGroup => {
                let Some(group) = groups
                    .updates
                    .iter()
                    .find(|g| g.name == name)
                    .or(listed)
                    .cloned()
                else {
                    return;
                };
                let mut json = group_json(&group);
                if !restore_group(
                    &mut json,
                    &entry.fields,
                    &qualified,
                    &mut self.out.conflicts,
                ) {
                    return;
                }
                let Ok(restored) = serde_json::from_value::<IamGroup>(Value::Object(json)) else {
                    return;
                };
                groups.updates.retain(|g| g.name != name);
                groups.updates.push(restored);
            }
            WriteKind::DeleteGroup => {
                if listed.is_some() || groups.creates.iter().any(|g| g.name == name) {
                    return;
                }
                match entry
                    .image
                    .clone()
                    .and_then(|image| serde_json::from_value::<IamGroup>(image).ok())
                {
                    Some(image) => {
                        groups.creates.push(image);
                        self.out.recreated.insert(qualified);
                    }
                    None => self.notice(format!(
                        "group {qualified}: the journal holds no readable record of the deleted group, so it cannot be created again"
                    )),
                }
            }
            _ => self.notice(format!(
                "journal entry {} names group {qualified} with a user write; left alone",
                entry.seq
            )),
        }
    }

    fn notice(&mut self, notice: String) {
        self.out.plan.notices.push(notice);
    }
}
