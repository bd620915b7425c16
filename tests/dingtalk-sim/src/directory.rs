//! An immutable, indexed snapshot of an [`Org`] that the handlers read: departments by id, direct
//! children per department, members per department and users by userid, so every request costs
//! O(1) plus the size of the page it returns. Rebuilt whole (O(org size)) when the org changes.

use std::collections::HashMap;

use syncer_sim_kit::Indexed;

use crate::org::{Org, SimDept, SimUser};

/// The organization plus its indexes.
#[derive(Debug)]
pub struct Directory {
    org: Org,
    dept_pos: HashMap<i64, usize>,
    children: HashMap<i64, Vec<usize>>,
    members: HashMap<i64, Vec<usize>>,
    user_pos: HashMap<String, usize>,
    active_users: usize,
}

impl Indexed for Directory {
    type Org = Org;

    /// Indexes `org`. Memberships of unknown departments and children of unknown parents are
    /// ignored, as DingTalk would never show them.
    fn index(org: Org) -> Directory {
        let dept_pos: HashMap<i64, usize> = org
            .departments
            .iter()
            .enumerate()
            .map(|(pos, d)| (d.dept_id, pos))
            .collect();
        let mut children: HashMap<i64, Vec<usize>> = HashMap::new();
        for (pos, dept) in org.departments.iter().enumerate() {
            if let Some(parent) = dept.parent_id.filter(|p| dept_pos.contains_key(p)) {
                children.entry(parent).or_default().push(pos);
            }
        }
        let mut members: HashMap<i64, Vec<usize>> = HashMap::new();
        let mut user_pos = HashMap::with_capacity(org.users.len());
        for (pos, user) in org.users.iter().enumerate() {
            user_pos.insert(user.userid.clone(), pos);
            for dept_id in &user.dept_ids {
                if dept_pos.contains_key(dept_id) {
                    members.entry(*dept_id).or_default().push(pos);
                }
            }
        }
        let active_users = org.users.iter().filter(|u| u.active).count();
        Directory {
            org,
            dept_pos,
            children,
            members,
            user_pos,
            active_users,
        }
    }

    /// The organization the index was built from.
    fn org(&self) -> &Org {
        &self.org
    }
}

impl Directory {
    /// The department with this id.
    pub(crate) fn department(&self, dept_id: i64) -> Option<&SimDept> {
        self.dept_pos
            .get(&dept_id)
            .map(|&pos| &self.org.departments[pos])
    }

    /// Direct sub-departments of a department.
    pub(crate) fn children(&self, dept_id: i64) -> impl Iterator<Item = &SimDept> {
        self.children
            .get(&dept_id)
            .into_iter()
            .flatten()
            .map(|&pos| &self.org.departments[pos])
    }

    /// Direct members of a department, in organization order.
    pub(crate) fn members(&self, dept_id: i64) -> MemberList<'_> {
        MemberList {
            users: &self.org.users,
            positions: self.members.get(&dept_id).map_or(&[], Vec::as_slice),
        }
    }

    /// The user with this userid.
    pub(crate) fn user(&self, userid: &str) -> Option<&SimUser> {
        self.user_pos.get(userid).map(|&pos| &self.org.users[pos])
    }

    /// Number of employees, or of activated employees only.
    pub(crate) fn user_count(&self, only_active: bool) -> usize {
        if only_active {
            self.active_users
        } else {
            self.org.users.len()
        }
    }
}

/// The members of one department, sliceable by page without copying.
#[derive(Debug, Clone, Copy)]
pub(crate) struct MemberList<'a> {
    users: &'a [SimUser],
    positions: &'a [usize],
}

impl<'a> MemberList<'a> {
    /// Number of members.
    pub(crate) fn len(&self) -> usize {
        self.positions.len()
    }

    /// Members `offset..offset + size` (fewer at the end, none past it).
    pub(crate) fn page(&self, offset: usize, size: usize) -> impl Iterator<Item = &'a SimUser> {
        let users = self.users;
        let start = offset.min(self.positions.len());
        let end = offset.saturating_add(size).min(self.positions.len());
        self.positions[start..end]
            .iter()
            .map(move |&pos| &users[pos])
    }

    /// Every member.
    pub(crate) fn all(&self) -> impl Iterator<Item = &'a SimUser> {
        self.page(0, self.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::org::SimUser;

    #[test]
    fn indexes_direct_children_and_members_only() {
        let mut org = Org::empty("公司");
        let a = org.add_department(1, "研发中心").expect("root exists");
        let b = org.add_department(a, "前端组").expect("parent exists");
        org.add_user(SimUser::new("u1", "张伟", vec![a, b]));
        org.add_user(SimUser::new("u2", "王芳", vec![b, 999]));
        let dir = Directory::index(org);
        let children: Vec<i64> = dir.children(1).map(|d| d.dept_id).collect();
        assert_eq!(children, vec![a]);
        assert_eq!(dir.members(a).len(), 1);
        assert_eq!(dir.members(b).len(), 2);
        assert_eq!(dir.members(1).len(), 0);
        assert_eq!(dir.members(999).len(), 0);
        let page: Vec<&str> = dir
            .members(b)
            .page(1, 5)
            .map(|u| u.userid.as_str())
            .collect();
        assert_eq!(page, vec!["u2"]);
        assert_eq!(dir.members(b).page(7, 5).count(), 0);
        assert_eq!(dir.user_count(true), 2);
        assert!(dir.user("u2").is_some());
    }
}
