//! The simulated tenant: Lark's department and person records in the kit's organization, which
//! holds the lookups and the edits a test makes between two syncs (a new hire, a leaver, a
//! frozen account, a renamed department, an emptied one deleted).
//!
//! Departments are keyed by `open_department_id` (`od-…`); each also has the custom
//! `department_id` an administrator may set. The root is `0` under both id types. This module
//! knows nothing of HTTP.

use serde::{Deserialize, Serialize};
use syncer_sim_kit::NewDepartment;

/// The id of the root department, under both `open_department_id` and `department_id`.
pub const ROOT_DEPARTMENT: &str = "0";

/// A whole Lark tenant (named after its root department): the kit's organization with Lark's
/// records, its lookups and edits, reading of the records the fields `org_records!` names.
pub type LarkOrg = syncer_sim_kit::Org<SimDepartment, SimUser>;
syncer_sim_kit::org_records! { SimDepartment { open_department_id: String, parent, name }, SimUser { user_id, departments } }

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

impl NewDepartment for SimDepartment {
    fn root(name: String) -> SimDepartment {
        SimDepartment {
            open_department_id: ROOT_DEPARTMENT.to_owned(),
            department_id: ROOT_DEPARTMENT.to_owned(),
            name,
            parent: None,
        }
    }

    /// `od-sim` and the row, past the last row and past any id still in use after a department
    /// was deleted; the custom id `D` and the same row.
    fn new_child(existing: &[SimDepartment], parent: String, name: String) -> SimDepartment {
        let open_id = |row: usize| format!("od-sim{row:06}");
        let mut row = existing.len();
        while existing
            .iter()
            .any(|d| d.open_department_id == open_id(row))
        {
            row += 1;
        }
        SimDepartment {
            open_department_id: open_id(row),
            department_id: format!("D{row:04}"),
            name,
            parent: Some(parent),
        }
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
