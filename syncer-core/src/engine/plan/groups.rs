//! Departments as IAM groups: which groups to create, update and delete, and what each synced
//! user's `groups` becomes. Groups are named by department id, show the department name, and hang
//! under their parent department's group (the root under the organization). Deletes are planned
//! last, from the users as the plan leaves them: a group goes only once nobody is in it.

use std::collections::{BTreeMap, HashMap, HashSet};

use crate::engine::vocabulary::{GroupPlan, Operation, OperationKind, Skipped};
use crate::group::{group_marker, IamGroup};
use crate::snapshot::Department;
use crate::text::Text;
use crate::user::IamUser;

/// Which groups' memberships the syncer owns, and which departments it knows.
#[derive(Clone, Debug, Default)]
pub(super) struct Memberships {
    organization: String,
    /// Names of groups the syncer manages (before and after this run).
    owned: HashSet<String>,
    /// Names of groups whose memberships the syncer writes this run (departments it read).
    known: HashSet<String>,
    /// Whether the whole source was read: only then are memberships of managed groups the
    /// syncer did not see dropped.
    complete: bool,
}

impl Memberships {
    /// The groups `user` should be in: memberships of groups the syncer does not manage, kept
    /// in their order, then the user's departments. After an incomplete fetch, memberships of
    /// managed groups the syncer did not read are kept too.
    pub(super) fn groups_for(&self, current: &[Text], departments: &[String]) -> Vec<Text> {
        let prefix = format!("{}/", self.organization);
        let mut groups: Vec<Text> = current
            .iter()
            .filter(|entry| match entry.strip_prefix(&prefix) {
                Some(name) if self.known.contains(name) => false,
                Some(name) => !self.owned.contains(name) || !self.complete,
                None => true,
            })
            .cloned()
            .collect();
        let mut own: Vec<&String> = departments
            .iter()
            .filter(|id| self.known.contains(id.as_str()))
            .collect();
        own.sort_by_key(|id| (id.parse::<i64>().unwrap_or(i64::MAX), id.as_str()));
        own.dedup();
        for id in own {
            let entry = Text::from(format!("{prefix}{id}"));
            if !groups.contains(&entry) {
                groups.push(entry);
            }
        }
        groups
    }
}

/// Whether two membership lists hold the same groups, whatever the order.
pub(super) fn same_groups(a: &[Text], b: &[Text]) -> bool {
    let a: HashSet<&Text> = a.iter().collect();
    let b: HashSet<&Text> = b.iter().collect();
    a == b
}

fn desired_group(department: &Department, organization: &str, me: &str) -> IamGroup {
    let parent = department
        .parent_id
        .clone()
        .unwrap_or_else(|| organization.to_owned());
    // A department without a name (its detail could not be read) is shown by its id until
    // the source gives one; an existing group keeps the name it has (see `plan_groups`).
    let display_name = if department.name.is_empty() {
        department.id.clone()
    } else {
        department.name.clone()
    };
    IamGroup {
        owner: organization.to_owned(),
        name: department.id.clone(),
        display_name,
        is_top_group: department.parent_id.is_none(),
        parent_id: parent,
        kind: group_marker(me),
        extra: Default::default(),
    }
}

fn depth(name: &str, parents: &HashMap<String, String>) -> usize {
    let mut depth = 0;
    let mut at = name;
    while let Some(parent) = parents.get(at) {
        depth += 1;
        at = parent;
        if depth > parents.len() {
            break;
        }
    }
    depth
}

/// Plans creates and updates, and which memberships the syncer owns.
pub(super) fn plan_groups(
    departments: &[Department],
    current: &[IamGroup],
    organization: &str,
    me: &str,
    complete: bool,
) -> (GroupPlan, Memberships) {
    let existing: HashMap<&str, &IamGroup> = current.iter().map(|g| (g.name.as_str(), g)).collect();
    let mut plan = GroupPlan::default();
    let mut owned: HashSet<String> = current
        .iter()
        .filter(|g| g.is_managed_by(me))
        .map(|g| g.name.clone())
        .collect();
    let mut known = HashSet::new();
    let parents: HashMap<String, String> = departments
        .iter()
        .filter_map(|d| d.parent_id.clone().map(|p| (d.id.clone(), p)))
        .collect();
    let mut creates = Vec::new();
    for department in departments {
        let wanted = desired_group(department, organization, me);
        match existing.get(department.id.as_str()) {
            None => {
                owned.insert(wanted.name.clone());
                known.insert(wanted.name.clone());
                creates.push(wanted);
            }
            Some(group) if !group.kind.is_empty() && !group.is_managed_by(me) => {
                plan.skipped.push(Skipped {
                    user: group.qualified_name(),
                    reason: format!(
                        "group {} has type `{}`: another syncer or the operator manages it",
                        group.qualified_name(),
                        group.kind
                    ),
                });
            }
            Some(group) => {
                owned.insert(wanted.name.clone());
                known.insert(wanted.name.clone());
                let mut updated = (*group).clone();
                if !department.name.is_empty() {
                    updated.display_name = wanted.display_name;
                }
                updated.parent_id = wanted.parent_id;
                updated.is_top_group = wanted.is_top_group;
                updated.kind = wanted.kind;
                if updated == **group {
                    plan.unchanged += 1;
                } else {
                    plan.updates.push(updated);
                }
            }
        }
    }
    creates.sort_by_key(|g| depth(&g.name, &parents));
    plan.creates = creates;
    let memberships = Memberships {
        organization: organization.to_owned(),
        owned,
        known,
        complete,
    };
    (plan, memberships)
}

/// Plans deletion of the syncer's groups whose department is gone: only after a complete fetch,
/// and only for groups that no user is in and no remaining group hangs under (IAM refuses
/// otherwise); the rest are kept and reported. With `only` (events named the removed
/// departments) just those groups are candidates; otherwise every managed group whose
/// department was not read.
pub(super) fn plan_group_deletes(
    plan: &mut GroupPlan,
    current: &[IamGroup],
    departments: &[Department],
    final_users: &[&IamUser],
    me: &str,
    complete: bool,
    only: Option<&HashSet<String>>,
) {
    let seen: HashSet<&str> = departments.iter().map(|d| d.id.as_str()).collect();
    let gone: Vec<&IamGroup> = current
        .iter()
        .filter(|g| {
            g.is_managed_by(me)
                && !seen.contains(g.name.as_str())
                && only.is_none_or(|only| only.contains(&g.name))
        })
        .collect();
    if gone.is_empty() {
        return;
    }
    if !complete {
        plan.kept.extend(gone.iter().map(|g| Skipped {
            user: g.qualified_name(),
            reason: "its department was not read (incomplete fetch); kept".to_owned(),
        }));
        return;
    }
    let mut members: BTreeMap<String, usize> = BTreeMap::new();
    // Soft-deleted users count for no group: IAM dropped their memberships when it deleted
    // them, and refuses a group's deletion only for members it still records.
    for user in final_users.iter().filter(|user| !user.is_deleted) {
        for entry in &user.groups {
            *members.entry(entry.to_string()).or_default() += 1;
        }
    }
    // Parent links after this run: updates replace the current ones.
    let mut parent_of: HashMap<&str, &str> = current
        .iter()
        .map(|g| (g.name.as_str(), g.parent_id.as_str()))
        .collect();
    for group in plan.updates.iter().chain(&plan.creates) {
        parent_of.insert(group.name.as_str(), group.parent_id.as_str());
    }
    let mut remaining: HashSet<&str> = parent_of.keys().copied().collect();
    let mut pending: Vec<&IamGroup> = gone;
    loop {
        let before = pending.len();
        pending.retain(|group| {
            let has_children = remaining.iter().any(|child| {
                parent_of.get(child) == Some(&group.name.as_str()) && *child != group.name
            });
            let users = members.get(&group.qualified_name()).copied().unwrap_or(0);
            if has_children || users > 0 {
                return true;
            }
            remaining.remove(group.name.as_str());
            plan.deletes.push((*group).clone());
            false
        });
        if pending.len() == before {
            break;
        }
    }
    for group in pending {
        let users = members.get(&group.qualified_name()).copied().unwrap_or(0);
        plan.kept.push(Skipped {
            user: group.qualified_name(),
            reason: if users > 0 {
                format!("its department is gone but {users} user(s) are still in it; kept until they leave it")
            } else {
                "its department is gone but groups still hang under it; kept until they are gone".to_owned()
            },
        });
    }
}

/// Every user of the organization as it will be after the operations.
pub(super) fn users_after<'a>(
    current: &'a [IamUser],
    operations: &'a [Operation],
) -> Vec<&'a IamUser> {
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
