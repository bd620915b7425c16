//! The simulated organization: DingTalk's department and employee records, in the kit's
//! organization (which holds the lookups and the edits a test makes between two syncs: a new
//! hire, a leaver, a renamed, moved or removed department). DingTalk numbers a new department
//! after the highest id in use, and only deletes emptied departments, so removing one moves its
//! orphaned members to its parent.
//!
//! This module knows nothing of HTTP or of how the server indexes the data: the server builds its
//! own index (see `directory.rs`) from a snapshot every time the organization changes.

use serde::{Deserialize, Serialize};
use syncer_sim_kit::NewDepartment;

/// The id DingTalk gives the root department of every organization.
pub const ROOT_DEPT_ID: i64 = 1;

/// A whole DingTalk organization: the department tree (root id 1, named after the organization)
/// and every employee, each once with all their departments in `dept_ids`; the kit's
/// organization with DingTalk's records, its lookups and edits, reading of the records the
/// fields `org_records!` names.
pub type Org = syncer_sim_kit::Org<SimDept, SimUser>;
syncer_sim_kit::org_records! { SimDept { dept_id: i64, parent_id, name }, SimUser { userid, dept_ids } }

/// One department of the simulated organization.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SimDept {
    /// DingTalk's department id (1 for the root).
    pub dept_id: i64,
    /// The parent department; `None` only for the root.
    pub parent_id: Option<i64>,
    /// Display name.
    pub name: String,
}

/// One employee, with the fields `/topapi/v2/user/list` returns.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SimUser {
    /// Unique id of the employee inside the organization.
    pub userid: String,
    /// Unique id across DingTalk; empty until the employee activates DingTalk.
    pub unionid: String,
    /// Display name.
    pub name: String,
    /// Mobile number without the country code.
    pub mobile: String,
    /// Country calling code of `mobile`, e.g. "86".
    pub state_code: String,
    /// Personal e-mail address (may be empty).
    pub email: String,
    /// Company e-mail address (may be empty).
    pub org_email: String,
    /// Avatar URL (may be empty).
    pub avatar: String,
    /// Job title (may be empty).
    pub title: String,
    /// Employee number (may be empty).
    pub job_number: String,
    /// Whether the employee has activated DingTalk.
    pub active: bool,
    /// Every department the employee belongs to; the first is the main one.
    pub dept_ids: Vec<i64>,
    /// Organization administrator.
    pub admin: bool,
    /// The organization's boss.
    pub boss: bool,
    /// Leader of (one of) their departments.
    pub leader: bool,
    /// Hire date in milliseconds since the epoch, when known.
    pub hired_date: Option<i64>,
    /// Office location (may be empty).
    pub work_place: String,
    /// Free-text remark (may be empty).
    pub remark: String,
    /// Custom fields as a JSON object string (may be empty).
    pub extension: String,
}

impl SimUser {
    /// An activated employee with the given id, name and departments; every other field is empty
    /// or false, ready for a test to fill in what it cares about.
    pub fn new(userid: impl Into<String>, name: impl Into<String>, dept_ids: Vec<i64>) -> SimUser {
        SimUser {
            userid: userid.into(),
            name: name.into(),
            state_code: "86".to_owned(),
            active: true,
            dept_ids,
            ..SimUser::default()
        }
    }
}

impl NewDepartment for SimDept {
    fn root(name: String) -> SimDept {
        SimDept {
            dept_id: ROOT_DEPT_ID,
            parent_id: None,
            name,
        }
    }

    /// The next id after the highest in use, as DingTalk numbers new departments.
    fn new_child(existing: &[SimDept], parent: i64, name: String) -> SimDept {
        let dept_id = existing
            .iter()
            .map(|d| d.dept_id)
            .max()
            .unwrap_or(ROOT_DEPT_ID)
            + 1;
        SimDept {
            dept_id,
            parent_id: Some(parent),
            name,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn small_org() -> Org {
        let mut org = Org::empty("测试公司");
        let a = org.add_department(1, "研发中心").expect("root exists");
        let b = org.add_department(a, "前端组").expect("parent exists");
        org.add_user(SimUser::new("u1", "张伟", vec![b]));
        org.add_user(SimUser::new("u2", "王芳", vec![a, b]));
        org
    }

    #[test]
    fn removing_a_department_moves_orphaned_members_to_its_parent() {
        let mut org = small_org();
        let a = org.children_of(1)[0].dept_id;
        let b = org.children_of(a)[0].dept_id;
        assert_eq!(org.remove_department(a), vec![a, b]);
        assert_eq!(org.user("u1").map(|u| u.dept_ids.clone()), Some(vec![1]));
        assert_eq!(org.user("u2").map(|u| u.dept_ids.clone()), Some(vec![1]));
        assert_eq!(org.departments.len(), 1);
    }

    #[test]
    fn a_department_cannot_move_into_its_own_subtree() {
        let mut org = small_org();
        let a = org.children_of(1)[0].dept_id;
        let b = org.children_of(a)[0].dept_id;
        assert!(!org.move_department(a, b));
        assert!(!org.move_department(1, a));
        let c = org.add_department(1, "销售部").expect("root exists");
        assert!(org.move_department(b, c));
        assert_eq!(org.children_of(c).len(), 1);
    }

    #[test]
    fn adding_a_user_with_an_existing_userid_replaces_it() {
        let mut org = small_org();
        org.add_user(SimUser::new("u1", "李娜", vec![1]));
        assert_eq!(org.users.len(), 2);
        assert_eq!(org.user("u1").map(|u| u.name.as_str()), Some("李娜"));
        assert!(org.remove_user("u1").is_some());
        assert!(org.user_mut("u1").is_none());
    }

    #[test]
    fn renaming_the_root_renames_the_organization() {
        let mut org = small_org();
        assert!(org.rename_department(1, "新公司"));
        assert_eq!(org.name, "新公司");
        assert!(!org.rename_department(999, "x"));
    }
}
