//! [`Org`]: a simulated organization as plain data, the department tree and every person, with
//! the lookups and the edits a test makes between two syncs (a new hire, a leaver, a renamed,
//! moved, added or removed department). Each simulator instantiates it with its own department
//! and person records, which say through [`OrgDepartment`] and [`OrgMember`] what the kit needs
//! of them (their ids, a department's parent, a person's departments) and through
//! [`NewDepartment`] how the vendor numbers a new department.
//!
//! Knows no HTTP and no index: a simulator that serves large organizations indexes a snapshot
//! whenever the organization changes (see [`crate::Indexed`]), so these edits may be simple
//! linear ones.

use std::collections::HashSet;
use std::hash::Hash;

use serde::{Deserialize, Serialize};

use crate::parts::Indexed;
use crate::spec::{GenerateOrg, OrgSpec};

/// One department of an [`Org`], as the kit reads and edits it; [`org_records!`] implements it
/// from the record's field names.
///
/// [`org_records!`]: crate::org_records
pub trait OrgDepartment: Clone {
    /// How the vendor identifies a department.
    type Id: Clone + Eq + Hash;

    /// The department's id.
    fn id(&self) -> &Self::Id;
    /// The parent department's id; `None` only for the root.
    fn parent(&self) -> Option<&Self::Id>;
    /// Puts the department under another parent.
    fn set_parent(&mut self, parent: Self::Id);
    /// Renames the department.
    fn rename(&mut self, name: String);
}

/// How a vendor makes the departments of an [`Org`]: the root of a new organization, and a new
/// department with a fresh id.
pub trait NewDepartment: OrgDepartment {
    /// The root department of an organization named `name`.
    fn root(name: String) -> Self;
    /// A new department `name` under `parent`, with an id none of `existing` has.
    fn new_child(existing: &[Self], parent: Self::Id, name: String) -> Self;
}

/// One person of an [`Org`], as the kit reads and edits them; [`org_records!`] implements it
/// from the record's field names.
///
/// [`org_records!`]: crate::org_records
pub trait OrgMember: Clone {
    /// How the vendor identifies the person's departments.
    type DeptId: PartialEq;

    /// The person's id inside the organization, unique in it.
    fn id(&self) -> &str;
    /// Every department of the person; the first is the main one.
    fn departments(&self) -> &[Self::DeptId];
    /// The person's departments, to edit.
    fn departments_mut(&mut self) -> &mut Vec<Self::DeptId>;
}

/// Implements [`OrgDepartment`] and [`OrgMember`] for a simulator's records by naming their
/// fields, in this order: the department record with its id field (and the id's type), parent
/// field and name field, then the person record with its id field and departments field.
///
/// ```
/// use syncer_sim_kit::{OrgDepartment, OrgMember};
///
/// #[derive(Clone)]
/// struct Team { code: i64, above: Option<i64>, title: String }
/// #[derive(Clone)]
/// struct Person { login: String, teams: Vec<i64> }
///
/// syncer_sim_kit::org_records! { Team { code: i64, above, title }, Person { login, teams } }
///
/// let team = Team { code: 7, above: Some(1), title: "Sales".to_owned() };
/// assert_eq!((team.id(), team.parent()), (&7, Some(&1)));
/// let person = Person { login: "ann".to_owned(), teams: vec![7] };
/// assert_eq!((person.id(), person.departments()), ("ann", &[7][..]));
/// ```
#[macro_export]
macro_rules! org_records {
    (
        $dept:ident { $id:ident: $id_ty:ty, $parent:ident, $name:ident },
        $user:ident { $uid:ident, $depts:ident } $(,)?
    ) => {
        impl $crate::OrgDepartment for $dept {
            type Id = $id_ty;

            fn id(&self) -> &$id_ty {
                &self.$id
            }

            fn parent(&self) -> Option<&$id_ty> {
                self.$parent.as_ref()
            }

            fn set_parent(&mut self, parent: $id_ty) {
                self.$parent = Some(parent);
            }

            fn rename(&mut self, name: String) {
                self.$name = name;
            }
        }

        impl $crate::OrgMember for $user {
            type DeptId = $id_ty;

            fn id(&self) -> &str {
                &self.$uid
            }

            fn departments(&self) -> &[$id_ty] {
                &self.$depts
            }

            fn departments_mut(&mut self) -> &mut Vec<$id_ty> {
                &mut self.$depts
            }
        }
    };
}

/// A whole organization: its name, the department tree and every person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Org<D, U> {
    /// The organization's name; also the name of the root department.
    pub name: String,
    /// Every department, the root included, parents before children when generated.
    pub departments: Vec<D>,
    /// Every person, each once, with all their departments.
    pub users: Vec<U>,
}

impl<D, U> Org<D, U>
where
    D: NewDepartment,
    U: OrgMember<DeptId = D::Id>,
{
    /// An organization holding only its root department.
    pub fn empty(name: impl Into<String>) -> Self {
        let name = name.into();
        Org {
            departments: vec![D::root(name.clone())],
            name,
            users: Vec::new(),
        }
    }

    /// Generates the organization `spec` describes, as the simulator whose extras `X` are
    /// generates it; the same spec always gives the same organization.
    pub fn generate<X: GenerateOrg<Self>>(spec: &OrgSpec<X>) -> Self {
        X::generate(spec)
    }

    /// The department with this id.
    pub fn department(&self, id: impl Into<D::Id>) -> Option<&D> {
        self.find(&id.into())
    }

    fn find(&self, id: &D::Id) -> Option<&D> {
        self.departments.iter().find(|d| d.id() == id)
    }

    fn find_mut(&mut self, id: &D::Id) -> Option<&mut D> {
        self.departments.iter_mut().find(|d| d.id() == id)
    }

    /// The direct sub-departments of a department, in organization order.
    pub fn children_of(&self, id: impl Into<D::Id>) -> Vec<&D> {
        self.children(&id.into())
    }

    fn children(&self, id: &D::Id) -> Vec<&D> {
        self.departments
            .iter()
            .filter(|d| d.parent() == Some(id))
            .collect()
    }

    /// The people directly in a department, in organization order.
    pub fn members_of(&self, id: impl Into<D::Id>) -> Vec<&U> {
        let id = id.into();
        self.users
            .iter()
            .filter(|u| u.departments().contains(&id))
            .collect()
    }

    /// The people in a department and in every department below it, each counted once.
    pub fn member_count(&self, id: impl Into<D::Id>) -> usize {
        let below: HashSet<D::Id> = self.subtree(id).into_iter().collect();
        self.users
            .iter()
            .filter(|u| u.departments().iter().any(|d| below.contains(d)))
            .count()
    }

    /// A department and every department below it, breadth-first.
    pub fn subtree(&self, id: impl Into<D::Id>) -> Vec<D::Id> {
        let mut out = vec![id.into()];
        let mut next = 0;
        while next < out.len() {
            let children: Vec<D::Id> = self
                .children(&out[next])
                .into_iter()
                .map(|d| d.id().clone())
                .collect();
            out.extend(children);
            next += 1;
        }
        out
    }

    /// The person with this id.
    pub fn user(&self, id: &str) -> Option<&U> {
        self.users.iter().find(|u| u.id() == id)
    }

    /// The person with this id, to edit in place.
    pub fn user_mut(&mut self, id: &str) -> Option<&mut U> {
        self.users.iter_mut().find(|u| u.id() == id)
    }

    /// Adds a person (a new hire); one with the same id is replaced, so ids stay unique.
    pub fn add_user(&mut self, user: U) {
        match self.users.iter_mut().find(|u| u.id() == user.id()) {
            Some(existing) => *existing = user,
            None => self.users.push(user),
        }
    }

    /// Removes a person (a leaver) and returns them.
    pub fn remove_user(&mut self, id: &str) -> Option<U> {
        let at = self.users.iter().position(|u| u.id() == id)?;
        Some(self.users.remove(at))
    }

    /// Adds a department under `parent` with a fresh id and returns that id (None when the
    /// parent does not exist).
    pub fn add_department(
        &mut self,
        parent: impl Into<D::Id>,
        name: impl Into<String>,
    ) -> Option<D::Id> {
        let parent = parent.into();
        self.find(&parent)?;
        let department = D::new_child(&self.departments, parent, name.into());
        let id = department.id().clone();
        self.departments.push(department);
        Some(id)
    }

    /// Renames a department (the root too, which renames the organization); false when it does
    /// not exist.
    pub fn rename_department(&mut self, id: impl Into<D::Id>, name: impl Into<String>) -> bool {
        let name = name.into();
        let Some(department) = self.find_mut(&id.into()) else {
            return false;
        };
        let root = department.parent().is_none();
        department.rename(name.clone());
        if root {
            self.name = name;
        }
        true
    }

    /// Moves a department (with its subtree) under another parent. Refused (false) for the
    /// root, for unknown ids, and when the new parent lies inside the moved subtree.
    pub fn move_department(&mut self, id: impl Into<D::Id>, new_parent: impl Into<D::Id>) -> bool {
        let (id, new_parent) = (id.into(), new_parent.into());
        if self.find(&new_parent).is_none() || self.subtree(id.clone()).contains(&new_parent) {
            return false;
        }
        match self.find_mut(&id) {
            Some(department) if department.parent().is_some() => {
                department.set_parent(new_parent);
                true
            }
            _ => false,
        }
    }

    /// Removes a department and its whole subtree; returns the removed ids (empty for the root
    /// or an unknown id). Members lose those memberships; a member left without any department
    /// joins the removed department's parent.
    pub fn remove_department(&mut self, id: impl Into<D::Id>) -> Vec<D::Id> {
        let id = id.into();
        let Some(parent) = self.find(&id).and_then(|d| d.parent()).cloned() else {
            return Vec::new();
        };
        let removed = self.subtree(id);
        self.departments.retain(|d| !removed.contains(d.id()));
        for user in &mut self.users {
            let departments = user.departments_mut();
            let before = departments.len();
            departments.retain(|d| !removed.contains(d));
            if before > 0 && departments.is_empty() {
                departments.push(parent.clone());
            }
        }
        removed
    }

    /// Deletes a department that holds nobody and has no sub-department, as vendors that only
    /// delete emptied departments do; false (nothing changed) for the root, an unknown id or a
    /// department in use.
    pub fn delete_empty_department(&mut self, id: impl Into<D::Id>) -> bool {
        let id = id.into();
        let in_use = !self.children(&id).is_empty()
            || self.users.iter().any(|u| u.departments().contains(&id));
        let before = self.departments.len();
        if !in_use {
            self.departments
                .retain(|d| d.parent().is_none() || d.id() != &id);
        }
        self.departments.len() < before
    }
}

impl<D, U> Indexed for Org<D, U>
where
    D: NewDepartment + Send + Sync + 'static,
    U: OrgMember<DeptId = D::Id> + Send + Sync + 'static,
{
    type Org = Org<D, U>;

    /// Served as it is, for a simulator whose organizations are of a test's size.
    fn index(org: Self) -> Self {
        org
    }

    fn org(&self) -> &Self {
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Clone, PartialEq)]
    struct Team {
        code: i64,
        above: Option<i64>,
        title: String,
    }

    #[derive(Debug, Clone, PartialEq)]
    struct Person {
        login: String,
        teams: Vec<i64>,
    }

    crate::org_records! { Team { code: i64, above, title }, Person { login, teams } }

    impl NewDepartment for Team {
        fn root(name: String) -> Team {
            Team {
                code: 0,
                above: None,
                title: name,
            }
        }

        fn new_child(existing: &[Team], parent: i64, name: String) -> Team {
            Team {
                code: 10 + i64::try_from(existing.len()).unwrap_or(0),
                above: Some(parent),
                title: name,
            }
        }
    }

    fn person(login: &str, teams: Vec<i64>) -> Person {
        Person {
            login: login.to_owned(),
            teams,
        }
    }

    /// Root 0 with 11 below it and 12 below 11; `a` in 12 and `b` in 11 and 12.
    fn company() -> Org<Team, Person> {
        let mut org = Org::empty("Acme");
        assert_eq!(org.add_department(0, "Sales"), Some(11));
        assert_eq!(org.add_department(11, "East"), Some(12));
        assert_eq!(org.add_department(99, "Nowhere"), None);
        org.add_user(person("a", vec![12]));
        org.add_user(person("b", vec![11, 12]));
        org
    }

    #[test]
    fn the_vendor_numbers_departments_and_the_kit_walks_the_tree() {
        let org = company();
        assert_eq!(org.subtree(0), vec![0, 11, 12]);
        assert_eq!(org.children_of(11).len(), 1);
        assert_eq!(org.members_of(12).len(), 2);
        assert_eq!(org.member_count(0), 2);
        assert_eq!(org.member_count(11), 2);
        assert_eq!(org.department(12).map(|t| t.above), Some(Some(11)));
    }

    #[test]
    fn only_an_emptied_department_can_be_deleted_and_never_the_root() {
        let mut org = company();
        assert!(!org.delete_empty_department(12), "people are in it");
        org.user_mut("a").expect("a is there").teams = vec![0];
        org.user_mut("b").expect("b is there").teams = vec![11];
        assert!(org.delete_empty_department(12));
        assert!(!org.delete_empty_department(0), "the root stays");
        assert_eq!(org.subtree(0), vec![0, 11]);
    }

    #[test]
    fn edits_rename_the_organization_with_its_root_and_move_orphans_up() {
        let mut org = company();
        assert!(org.rename_department(0, "Acme Ltd"));
        assert_eq!(org.name, "Acme Ltd");
        assert!(!org.move_department(11, 12), "not into its own subtree");
        assert_eq!(org.remove_department(11), vec![11, 12]);
        assert_eq!(org.user("a").map(|p| p.teams.clone()), Some(vec![0]));
        assert_eq!(org.remove_user("b").map(|p| p.login), Some("b".to_owned()));
        assert!(org.user("b").is_none());
    }
}
