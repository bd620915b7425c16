//! People as source records: the fields offered for mapping, the default mapping, and one
//! record per person however many departments list them.

use std::borrow::Cow;
use std::collections::BTreeMap;

use syncer_core::{FieldValue, MappingSpec, SourceField, SourceRecord, Transform};

use crate::api::ApiUser;

/// The fields a person has.
pub const SOURCE_FIELDS: &[SourceField] = &[
    SourceField {
        name: "id",
        description: "Stable id",
        permission: None,
    },
    SourceField {
        name: "name",
        description: "Display name",
        permission: None,
    },
    SourceField {
        name: "email",
        description: "E-mail",
        permission: Some("the e-mail scope of the app (developer console → Permissions)"),
    },
];

/// IAM fields filled from them by default.
pub const DEFAULT_MAPPING: &[MappingSpec] = &[
    MappingSpec {
        source: "id",
        target: "Id",
        transform: Transform::Copy,
    },
    MappingSpec {
        source: "id",
        target: "Name",
        transform: Transform::Copy,
    },
    MappingSpec {
        source: "name",
        target: "DisplayName",
        transform: Transform::Copy,
    },
    MappingSpec {
        source: "email",
        target: "Email",
        transform: Transform::Copy,
    },
];

/// A person as a record, without departments yet: the one builder of the full fetch and of a
/// person read alone, so both give the same fields under the same names.
pub fn to_record(user: ApiUser) -> SourceRecord {
    let mut record = SourceRecord::new(user.id.clone());
    for (name, value) in [("id", user.id), ("name", user.name), ("email", user.email)] {
        record
            .fields
            .insert(Cow::Borrowed(name), FieldValue::Text(value.into()));
    }
    record
}

/// Everyone read so far, by id.
#[derive(Default)]
pub struct People {
    by_id: BTreeMap<String, SourceRecord>,
}

impl People {
    /// Adds the members of `dept`; a person met again gains the department.
    pub fn add(&mut self, dept: &str, users: Vec<ApiUser>) {
        for user in users {
            let record = self
                .by_id
                .entry(user.id.clone())
                .or_insert_with(|| to_record(user));
            record.departments.push(dept.to_owned());
        }
    }

    /// The records.
    pub fn into_records(self) -> Vec<SourceRecord> {
        self.by_id.into_values().collect()
    }
}
