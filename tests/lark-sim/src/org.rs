//! The simulated tenant: departments and people as plain data, and the edits a test makes
//! between two syncs (a new hire, a leaver, a frozen account, a renamed department).
//!
//! Departments are keyed by `open_department_id` (`od-…`); each also has the custom
//! `department_id` an administrator may set. The root is `0` under both id types. This module
//! knows nothing of HTTP.

use serde::{Deserialize, Serialize};
use syncer_sim_kit::Indexed;

/// The id of the root department, under both `open_department_id` and `department_id`.
pub const ROOT_DEPARTMENT: &str = "0";

/// A whole Lark tenant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LarkOrg {
    /// The tenant's name; also the name of the root department.
    pub tenant_name: String,
    /// Every department, the root (`0`) included, parents before children when generated.
    pub departments: Vec<SimDepartment>,
    /// Every person, each once, with all their departments.
    pub users: Vec<SimUser>,
}

/// One department.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SimDepartment {
    /// Lark's id of the department (`od-…`; `0` for the root).
    pub open_department_id: String,
    /// The custom id an administrator may set (`D001`; `0` for the root).
    pub department_id: String,
    /// Its name.
    pub name: String,
    /// The parent's `open_department_id`; `None` only for the root.
    pub parent: Option<String>,
}

/// One person, with the fields the contact v3 user object carries.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SimUser {
    /// The tenant's id of the person (`user_id`); needs the employee-id scope to be returned.
    pub user_id: String,
    /// The person's id across the apps of one developer (`on_…`).
    pub union_id: String,
    /// The person's id inside one app (`ou_…`).
    pub open_id: String,
    /// Name.
    pub name: String,
    /// English name (may be empty).
    pub en_name: String,
    /// E-mail (may be empty).
    pub email: String,
    /// Company e-mail (may be empty).
    pub enterprise_email: String,
    /// Mobile number with its calling code, e.g. `+8613800000001` (may be empty).
    pub mobile: String,
    /// URL of the original-size avatar (may be empty).
    pub avatar_origin: String,
    /// Job title (may be empty).
    pub job_title: String,
    /// Employee number (may be empty).
    pub employee_no: String,
    /// Every department of the person (`open_department_id`s); the first is the main one.
    pub departments: Vec<String>,
    /// Whether the person has left the company.
    pub is_resigned: bool,
    /// Whether the account is frozen (suspended).
    pub is_frozen: bool,
    /// Whether the person has activated their account.
    pub is_activated: bool,
}

impl SimUser {
    /// An activated person with these ids and name in `departments`; every other field empty.
    pub fn new(
        user_id: impl Into<String>,
        name: impl Into<String>,
        departments: Vec<String>,
    ) -> SimUser {
        let user_id = user_id.into();
        SimUser {
            union_id: format!("on_{user_id}"),
            open_id: format!("ou_{user_id}"),
            user_id,
            name: name.into(),
            departments,
            is_activated: true,
            ..SimUser::default()
        }
    }
}

impl LarkOrg {
    /// A tenant holding only its root department.
    pub fn empty(tenant_name: impl Into<String>) -> LarkOrg {
        let tenant_name = tenant_name.into();
        LarkOrg {
            departments: vec![SimDepartment {
                open_department_id: ROOT_DEPARTMENT.to_owned(),
                department_id: ROOT_DEPARTMENT.to_owned(),
                name: tenant_name.clone(),
                parent: None,
            }],
            tenant_name,
            users: Vec::new(),
        }
    }

    /// The department with this `open_department_id`.
    pub fn department(&self, open_department_id: &str) -> Option<&SimDepartment> {
        self.departments
            .iter()
            .find(|d| d.open_department_id == open_department_id)
    }

    /// The direct sub-departments of a department, in tenant order.
    pub fn children_of(&self, open_department_id: &str) -> Vec<&SimDepartment> {
        self.departments
            .iter()
            .filter(|d| d.parent.as_deref() == Some(open_department_id))
            .collect()
    }

    /// The people directly in a department, in tenant order.
    pub fn members_of(&self, open_department_id: &str) -> Vec<&SimUser> {
        self.users
            .iter()
            .filter(|u| u.departments.iter().any(|d| d == open_department_id))
            .collect()
    }

    /// Lark's `member_count` of a department: the people in it and in every department below
    /// it, each counted once.
    pub fn member_count(&self, open_department_id: &str) -> usize {
        let below: std::collections::HashSet<String> =
            self.subtree(open_department_id).into_iter().collect();
        self.users
            .iter()
            .filter(|u| u.departments.iter().any(|d| below.contains(d)))
            .count()
    }

    /// The person with this `user_id`.
    pub fn user(&self, user_id: &str) -> Option<&SimUser> {
        self.users.iter().find(|u| u.user_id == user_id)
    }

    /// The person with this `user_id`, to edit in place.
    pub fn user_mut(&mut self, user_id: &str) -> Option<&mut SimUser> {
        self.users.iter_mut().find(|u| u.user_id == user_id)
    }

    /// Adds a person (a new hire); one with the same `user_id` is replaced.
    pub fn add_user(&mut self, user: SimUser) {
        match self.user_mut(&user.user_id) {
            Some(existing) => *existing = user,
            None => self.users.push(user),
        }
    }

    /// Removes a person (a leaver) and returns them.
    pub fn remove_user(&mut self, user_id: &str) -> Option<SimUser> {
        let at = self.users.iter().position(|u| u.user_id == user_id)?;
        Some(self.users.remove(at))
    }

    /// Adds a department under `parent` and returns its `open_department_id` (None when the
    /// parent does not exist).
    pub fn add_department(&mut self, parent: &str, name: impl Into<String>) -> Option<String> {
        self.department(parent)?;
        // Past the last row, and past any id still in use after a department was deleted.
        let mut row = self.departments.len();
        while self.department(&format!("od-sim{row:06}")).is_some() {
            row += 1;
        }
        let open_department_id = format!("od-sim{row:06}");
        self.departments.push(SimDepartment {
            open_department_id: open_department_id.clone(),
            department_id: format!("D{row:04}"),
            name: name.into(),
            parent: Some(parent.to_owned()),
        });
        Some(open_department_id)
    }

    /// Renames a department; false when it does not exist.
    pub fn rename_department(&mut self, open_department_id: &str, name: impl Into<String>) -> bool {
        match self
            .departments
            .iter_mut()
            .find(|d| d.open_department_id == open_department_id)
        {
            Some(department) => {
                department.name = name.into();
                true
            }
            None => false,
        }
    }

    /// Deletes a department that holds nobody and has no sub-department, as Lark only deletes
    /// emptied ones; false (nothing changed) for the root, an unknown id or a department in use.
    pub fn delete_empty_department(&mut self, open_department_id: &str) -> bool {
        let in_use = self
            .departments
            .iter()
            .any(|d| d.parent.as_deref() == Some(open_department_id))
            || self
                .users
                .iter()
                .any(|u| u.departments.iter().any(|d| d == open_department_id));
        let before = self.departments.len();
        if !in_use {
            self.departments
                .retain(|d| d.parent.is_none() || d.open_department_id != open_department_id);
        }
        self.departments.len() < before
    }

    /// A department and every department below it, breadth-first.
    pub fn subtree(&self, open_department_id: &str) -> Vec<String> {
        let mut out = vec![open_department_id.to_owned()];
        let mut next = 0;
        while next < out.len() {
            let children: Vec<String> = self
                .children_of(&out[next])
                .into_iter()
                .map(|d| d.open_department_id.clone())
                .collect();
            out.extend(children);
            next += 1;
        }
        out
    }
}

impl Indexed for LarkOrg {
    type Org = LarkOrg;

    /// Served as it is: a tenant of a test's size needs no index.
    fn index(org: LarkOrg) -> LarkOrg {
        org
    }

    fn org(&self) -> &LarkOrg {
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edits_keep_ids_unique_and_the_tree_walkable() {
        let mut org = LarkOrg::empty("Acme");
        let sales = org
            .add_department(ROOT_DEPARTMENT, "Sales")
            .expect("root exists");
        let east = org.add_department(&sales, "East").expect("sales exists");
        assert!(org.add_department("od-missing", "x").is_none());
        org.add_user(SimUser::new("u1", "Ann", vec![east.clone()]));
        org.add_user(SimUser::new(
            "u1",
            "Ann Lee",
            vec![sales.clone(), east.clone()],
        ));
        assert_eq!(org.users.len(), 1);
        assert_eq!(org.members_of(&east).len(), 1);
        assert_eq!(
            org.subtree(ROOT_DEPARTMENT),
            vec!["0".to_owned(), sales, east]
        );
        assert!(org.remove_user("u1").is_some());
        assert!(org.user("u1").is_none());
    }
}
