//! What a batch of change events asks for: the people and departments to read again, each once.
//! Pure logic: many events naming one person (a storm) become one fetch and at most one write.

use std::collections::BTreeSet;

use crate::events::{Change, ChangeEvent};

/// The people and departments a batch of events named, deduplicated.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ChangeSet {
    /// People who joined, changed or came back: fetched, applied when listed, deprovisioned
    /// when the directory says they are gone.
    pub people: BTreeSet<String>,
    /// People only announced as leavers: deprovisioned once the directory confirms they are
    /// gone; a person it still lists is not touched.
    pub leaving: BTreeSet<String>,
    /// Departments created or changed: fetched, their groups created or updated.
    pub departments: BTreeSet<String>,
    /// Departments announced as removed: their groups go once empty (a department the
    /// directory still has is updated instead).
    pub removed_departments: BTreeSet<String>,
}

impl ChangeSet {
    /// The changes of `events`, whatever their order. A person named both as changed and as a
    /// leaver is read once, and the directory's answer decides.
    pub fn of<'a>(events: impl IntoIterator<Item = &'a ChangeEvent>) -> Self {
        let mut set = Self::default();
        for event in events {
            match &event.change {
                Change::People(ids) => set.people.extend(ids.iter().cloned()),
                Change::Left(ids) => set.leaving.extend(ids.iter().cloned()),
                Change::Departments(ids) => set.departments.extend(ids.iter().cloned()),
                Change::DepartmentsRemoved(ids) => {
                    set.removed_departments.extend(ids.iter().cloned())
                }
                Change::Ignored => {}
            }
        }
        let people = set.people.clone();
        set.leaving.retain(|id| !people.contains(id));
        let departments = set.departments.clone();
        set.removed_departments
            .retain(|id| !departments.contains(id));
        set
    }

    /// Whether there is nothing to read or write.
    pub fn is_empty(&self) -> bool {
        self.people.is_empty()
            && self.leaving.is_empty()
            && self.departments.is_empty()
            && self.removed_departments.is_empty()
    }

    /// Every person named, in order.
    pub fn all_people(&self) -> impl Iterator<Item = &String> {
        self.people.iter().chain(&self.leaving)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(id: &str, change: Change) -> ChangeEvent {
        ChangeEvent {
            id: id.into(),
            kind: "test".into(),
            change,
        }
    }

    #[test]
    fn a_storm_for_one_person_names_them_once() {
        let events: Vec<ChangeEvent> = (0..50)
            .map(|i| event(&format!("e{i}"), Change::People(vec!["u1".into()])))
            .chain([event("leave", Change::Left(vec!["u1".into(), "u2".into()]))])
            .collect();
        let set = ChangeSet::of(&events);
        assert_eq!(set.people, BTreeSet::from(["u1".to_owned()]));
        assert_eq!(set.leaving, BTreeSet::from(["u2".to_owned()]));
        assert_eq!(set.all_people().count(), 2);
    }

    #[test]
    fn ignored_events_ask_for_nothing() {
        assert!(ChangeSet::of(&[event("e", Change::Ignored)]).is_empty());
    }

    #[test]
    fn a_department_changed_and_removed_is_read_once_as_changed() {
        let set = ChangeSet::of(&[
            event("a", Change::DepartmentsRemoved(vec!["7".into()])),
            event("b", Change::Departments(vec!["7".into()])),
        ]);
        assert_eq!(set.departments.len(), 1);
        assert!(set.removed_departments.is_empty());
    }
}
