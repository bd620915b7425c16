//! What a harness says its fake holds: the users a fetch must return with the IAM values the
//! default mapping must give them, the departments, and which departments fail.

use std::collections::BTreeMap;

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
}

impl ExpectedUser {
    /// A person with source id `id` and no expected values yet.
    pub fn new(id: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            fields: BTreeMap::new(),
        }
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
}
