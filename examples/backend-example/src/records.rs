//! People as source records: the fields offered for mapping, the default mapping, and the record
//! of one person (the shared walk keeps one per person however many departments list them).

use syncer_core::{MappingSpec, SourceField, SourceRecord, Transform};
use syncer_remote::declared_record;

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
/// person read alone, so both give the same fields under the same names — every field of
/// `SOURCE_FIELDS` read from the answer by its name.
pub fn to_record(user: ApiUser) -> SourceRecord {
    declared_record(user.id.as_str(), &user, SOURCE_FIELDS)
}
