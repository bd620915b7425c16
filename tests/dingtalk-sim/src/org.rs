//! The simulated organization: departments and users as plain data, plus the edits a test makes
//! between two syncs (a new hire, a leaver, a renamed or moved department).
//!
//! This module knows nothing of HTTP or of how the server indexes the data: the server builds its
//! own index (see `directory.rs`) from a snapshot every time the organization changes, so these
//! helpers may be simple linear edits.

use serde::{Deserialize, Serialize};

/// The id DingTalk gives the root department of every organization.
pub const ROOT_DEPT_ID: i64 = 1;

/// A whole DingTalk organization: the department tree (root id 1, named after the organization)
/// and every employee.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Org {
    /// The organization's name; also the name of the root department.
    pub name: String,
    /// Every department, the root included, parents before children when generated.
    pub departments: Vec<SimDept>,
    /// Every employee, each once, with all their departments in `dept_ids`.
    pub users: Vec<SimUser>,
}

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

impl Org {
    /// An organization holding only its root department.
    pub fn empty(name: impl Into<String>) -> Org {
        let name = name.into();
        Org {
            departments: vec![SimDept {
                dept_id: ROOT_DEPT_ID,
                parent_id: None,
                name: name.clone(),
            }],
            name,
            users: Vec::new(),
        }
    }

    /// The department with this id.
    pub fn department(&self, dept_id: i64) -> Option<&SimDept> {
        self.departments.iter().find(|d| d.dept_id == dept_id)
    }

    /// The user with this userid.
    pub fn user(&self, userid: &str) -> Option<&SimUser> {
        self.users.iter().find(|u| u.userid == userid)
    }

    /// The user with this userid, to edit in place.
    pub fn user_mut(&mut self, userid: &str) -> Option<&mut SimUser> {
        self.users.iter_mut().find(|u| u.userid == userid)
    }

    /// Users whose `dept_ids` include `dept_id` (direct members only), in organization order.
    pub fn members_of(&self, dept_id: i64) -> Vec<&SimUser> {
        self.users
            .iter()
            .filter(|u| u.dept_ids.contains(&dept_id))
            .collect()
    }

    /// Direct sub-departments of `dept_id`, in organization order.
    pub fn children_of(&self, dept_id: i64) -> Vec<&SimDept> {
        self.departments
            .iter()
            .filter(|d| d.parent_id == Some(dept_id))
            .collect()
    }

    /// Removes a user (a leaver) and returns them.
    pub fn remove_user(&mut self, userid: &str) -> Option<SimUser> {
        let pos = self.users.iter().position(|u| u.userid == userid)?;
        Some(self.users.remove(pos))
    }

    /// Adds a user (a new hire). A user with the same userid is replaced, so userids stay unique.
    pub fn add_user(&mut self, user: SimUser) {
        match self.user_mut(&user.userid) {
            Some(existing) => *existing = user,
            None => self.users.push(user),
        }
    }

    /// Renames a department (the root too, which renames the organization). False if unknown.
    pub fn rename_department(&mut self, dept_id: i64, name: impl Into<String>) -> bool {
        let name = name.into();
        if dept_id == ROOT_DEPT_ID {
            self.name = name.clone();
        }
        match self.departments.iter_mut().find(|d| d.dept_id == dept_id) {
            Some(dept) => {
                dept.name = name;
                true
            }
            None => false,
        }
    }

    /// Moves a department (with its subtree) under another parent. Refused (false) for the root,
    /// for unknown ids, and when the new parent lies inside the moved subtree.
    pub fn move_department(&mut self, dept_id: i64, new_parent_id: i64) -> bool {
        if dept_id == ROOT_DEPT_ID
            || self.department(new_parent_id).is_none()
            || self.subtree(dept_id).contains(&new_parent_id)
        {
            return false;
        }
        match self.departments.iter_mut().find(|d| d.dept_id == dept_id) {
            Some(dept) => {
                dept.parent_id = Some(new_parent_id);
                true
            }
            None => false,
        }
    }

    /// Adds a department under `parent_id` with a fresh id and returns that id (None when the
    /// parent does not exist).
    pub fn add_department(&mut self, parent_id: i64, name: impl Into<String>) -> Option<i64> {
        self.department(parent_id)?;
        let dept_id = self
            .departments
            .iter()
            .map(|d| d.dept_id)
            .max()
            .unwrap_or(ROOT_DEPT_ID)
            + 1;
        self.departments.push(SimDept {
            dept_id,
            parent_id: Some(parent_id),
            name: name.into(),
        });
        Some(dept_id)
    }

    /// Removes a department and its whole subtree; returns the removed ids (empty for the root
    /// or an unknown id). Members lose those memberships; a member left without any department
    /// joins the removed department's parent, as DingTalk only deletes emptied departments.
    pub fn remove_department(&mut self, dept_id: i64) -> Vec<i64> {
        let parent = match self.department(dept_id) {
            Some(SimDept {
                parent_id: Some(parent),
                ..
            }) => *parent,
            _ => return Vec::new(),
        };
        let removed = self.subtree(dept_id);
        self.departments.retain(|d| !removed.contains(&d.dept_id));
        for user in &mut self.users {
            let before = user.dept_ids.len();
            user.dept_ids.retain(|id| !removed.contains(id));
            if before > 0 && user.dept_ids.is_empty() {
                user.dept_ids.push(parent);
            }
        }
        removed
    }

    /// `dept_id` and every department below it, breadth-first.
    pub fn subtree(&self, dept_id: i64) -> Vec<i64> {
        let mut out = vec![dept_id];
        let mut next = 0;
        while next < out.len() {
            let current = out[next];
            out.extend(
                self.departments
                    .iter()
                    .filter(|d| d.parent_id == Some(current))
                    .map(|d| d.dept_id),
            );
            next += 1;
        }
        out
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
