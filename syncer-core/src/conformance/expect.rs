//! What a harness says its fake holds: the users a fetch must return with the IAM values the
//! default mapping must give them, the departments, and which departments fail.

use std::collections::{BTreeMap, BTreeSet};

use crate::field::{FieldValue, IamField};
use crate::snapshot::Department;

/// One person the fetch must return, with the IAM values the plugin's default mapping must
/// produce for them.
#[derive(Clone, Debug, PartialEq)]
pub struct ExpectedUser {
    /// The source's id of the person ([`SourceRecord::id`](crate::SourceRecord::id)).
    pub id: String,
    /// The value of every IAM field the default mapping fills (`Id`, `Name`, `DisplayName`, ...).
    pub fields: BTreeMap<IamField, FieldValue>,
    /// Every department the person sits in (ids as the snapshot gives them): a person in
    /// several departments must come back once, with all of them.
    pub departments: BTreeSet<String>,
}

impl ExpectedUser {
    /// A person with source id `id` and no expected values yet.
    pub fn new(id: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            fields: BTreeMap::new(),
            departments: BTreeSet::new(),
        }
    }

    /// States the person's departments, builder style.
    pub fn in_departments<I, S>(mut self, departments: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.departments = departments.into_iter().map(Into::into).collect();
        self
    }

    /// Adds the value the default mapping must give `field`, builder style.
    pub fn with(mut self, field: IamField, value: impl Into<FieldValue>) -> Self {
        self.fields.insert(field, value.into());
        self
    }
}

/// The state a harness put its fake in.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ExpectedDirectory {
    /// Healthy: every person the fake holds. Partly failing: the people who must still be read
    /// (those who are also in a department that does not fail).
    pub users: Vec<ExpectedUser>,
    /// Healthy: every department (root included). Partly failing: departments that must still
    /// be read (may be left empty).
    pub departments: Vec<Department>,
    /// Ids of the departments whose calls fail permanently (empty when healthy).
    pub failing_departments: Vec<String>,
}

impl ExpectedDirectory {
    /// A healthy directory holding `users` and `departments`.
    pub fn healthy(users: Vec<ExpectedUser>, departments: Vec<Department>) -> Self {
        Self {
            users,
            departments,
            failing_departments: Vec::new(),
        }
    }

    /// A directory whose `failing` departments fail permanently, from which the fetch must still
    /// read `users`; which departments are still read is left unchecked.
    pub fn partly_failing(users: Vec<ExpectedUser>, failing: Vec<String>) -> Self {
        Self {
            users,
            departments: Vec::new(),
            failing_departments: failing,
        }
    }
}
