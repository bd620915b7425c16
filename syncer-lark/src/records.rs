//! Lark people as source records: the declared source fields, the default mapping, and the record
//! of one person (the shared `RecordSet` merges a person listed in several departments).
//!
//! Nested user-object fields keep their JSON path as name (`avatar.avatar_origin`,
//! `status.is_frozen`). `forbidden` is derived: `status.is_resigned || status.is_frozen`, so one
//! source field can fill IAM's `IsForbidden` (a mapping fills each IAM field from one source
//! field).

use syncer_core::{MappingSpec, SourceField, SourceRecord, Transform};
use syncer_remote::{declared_record, person_mapping};

use crate::api::{ApiUser, UserStatus};

/// The fields a Lark person offers for mapping.
pub const SOURCE_FIELDS: &[SourceField] = &[
    SourceField {
        name: "user_id",
        description: "The tenant's id of the person (needs the scope contact:user.employee_id:readonly)",
        permission: Some("the scope contact:user.employee_id:readonly (developer console → Permissions & Scopes)"),
    },
    SourceField {
        name: "union_id",
        description: "Id of the person across the apps of one developer (on_…)",
        permission: None,
    },
    SourceField {
        name: "open_id",
        description: "Id of the person inside this app (ou_…)",
        permission: None,
    },
    SourceField {
        name: "name",
        description: "Name",
        permission: None,
    },
    SourceField {
        name: "en_name",
        description: "English name",
        permission: None,
    },
    SourceField {
        name: "email",
        description: "E-mail (needs contact:user.email:readonly)",
        permission: Some("the scope contact:user.email:readonly (developer console → Permissions & Scopes)"),
    },
    SourceField {
        name: "enterprise_email",
        description: "Company e-mail",
        permission: None,
    },
    SourceField {
        name: "mobile",
        description: "Mobile number with calling code, e.g. +8613800000000 (needs contact:user.phone:readonly)",
        permission: Some("the scope contact:user.phone:readonly (developer console → Permissions & Scopes)"),
    },
    SourceField {
        name: "avatar.avatar_origin",
        description: "Avatar URL, original size",
        permission: None,
    },
    SourceField {
        name: "avatar.avatar_640",
        description: "Avatar URL, 640×640",
        permission: None,
    },
    SourceField {
        name: "avatar.avatar_240",
        description: "Avatar URL, 240×240",
        permission: None,
    },
    SourceField {
        name: "job_title",
        description: "Job title",
        permission: None,
    },
    SourceField {
        name: "employee_no",
        description: "Employee number",
        permission: None,
    },
    SourceField {
        name: "status.is_resigned",
        description: "Whether the person has left the company",
        permission: None,
    },
    SourceField {
        name: "status.is_frozen",
        description: "Whether an administrator suspended the account",
        permission: None,
    },
    SourceField {
        name: "status.is_activated",
        description: "Whether the person has activated the account",
        permission: None,
    },
    SourceField {
        name: "forbidden",
        description: "Derived: true when status.is_resigned or status.is_frozen (the default source of IsForbidden)",
        permission: None,
    },
];

/// The default mapping: user_id→Id, union_id→Name (user_id when empty), name→DisplayName,
/// email→Email, mobile→Phone, avatar.avatar_origin→Avatar, job_title→Title,
/// forbidden (resigned or frozen)→IsForbidden, and user_id→Lark so OAuth sign-in through Lark
/// finds the same user.
pub const DEFAULT_MAPPING: &[MappingSpec] = &person_mapping(
    [
        "user_id",
        "union_id",
        "name",
        "email",
        "mobile",
        "avatar.avatar_origin",
        "job_title",
    ],
    ("forbidden", Transform::Copy),
    "Lark",
);

/// Turns a person into a source record: every declared field the answer holds (empty text and
/// a status flag Lark did not give are left out: unknown, so IAM keeps what it has), `forbidden`
/// from the status, and the person's departments.
pub fn to_record(user: ApiUser) -> SourceRecord {
    let mut record = declared_record(user.user_id.as_str(), &user, SOURCE_FIELDS);
    let forbidden = user.status.as_ref().and_then(UserStatus::forbidden);
    record.set_flag("forbidden", forbidden);
    record.departments = user.department_ids;
    record
}

#[cfg(test)]
mod tests {
    use syncer_core::FieldValue;
    use syncer_remote::testing::{
        answer_with_every_field, assert_every_declared_field_read, FieldKinds,
    };
    use syncer_remote::{DepartmentOrder, RecordSet};

    use super::*;

    fn person(user_id: &str, departments: &[&str]) -> ApiUser {
        ApiUser {
            user_id: user_id.into(),
            union_id: format!("on_{user_id}"),
            name: "王芳".into(),
            department_ids: departments.iter().map(|d| (*d).to_owned()).collect(),
            ..ApiUser::default()
        }
    }

    #[test]
    fn a_person_in_two_departments_is_one_record_with_both() {
        let mut set = RecordSet::default();
        set.add(to_record(person("u1", &["od-b"])), "od-b");
        set.add(to_record(person("u1", &["od-a"])), "od-a");
        set.add(to_record(person("u2", &["od-a"])), "od-a");
        set.add(to_record(person("", &["od-a"])), "od-a");
        assert_eq!(set.without_id(), 1);
        let records = set.into_records(DepartmentOrder::Text);
        assert_eq!(records.len(), 2);
        assert_eq!(records[0].departments, vec!["od-a", "od-b"]);
    }

    #[test]
    fn forbidden_is_resigned_or_frozen() {
        for (resigned, frozen) in [(false, false), (true, false), (false, true), (true, true)] {
            let mut user = person("u1", &["0"]);
            user.status = Some(UserStatus {
                is_resigned: Some(resigned),
                is_frozen: Some(frozen),
                is_activated: Some(true),
            });
            let record = to_record(user);
            assert_eq!(
                record.field("forbidden"),
                Some(&FieldValue::Flag(resigned || frozen))
            );
        }
    }

    #[test]
    fn a_missing_status_leaves_every_flag_unknown() {
        let record = to_record(person("u1", &["0"]));
        for name in ["forbidden", "status.is_resigned", "status.is_frozen"] {
            assert!(record.field(name).is_none(), "{name}: {record:?}");
        }
        let mut user = person("u1", &["0"]);
        user.status = Some(UserStatus {
            is_frozen: Some(true),
            ..UserStatus::default()
        });
        assert_eq!(
            to_record(user).field("forbidden"),
            Some(&FieldValue::Flag(true)),
            "frozen is enough to know"
        );
    }

    #[test]
    fn a_person_with_every_field_gives_every_declared_field_under_its_name() {
        let kinds = FieldKinds {
            flags: &[
                "status.is_resigned",
                "status.is_frozen",
                "status.is_activated",
            ],
            numbers: &[],
            computed: &["forbidden"],
        };
        let mut answer = answer_with_every_field(SOURCE_FIELDS, &kinds);
        // A size nobody declared is read by the answer type but kept out of the record.
        answer["avatar"]["avatar_72"] = "https://a/72.png".into();
        answer["department_ids"] = serde_json::json!(["od-a"]);
        let record = to_record(serde_json::from_value(answer).expect("a person"));
        assert_every_declared_field_read(&record, SOURCE_FIELDS, &kinds);
        assert_eq!(record.field("forbidden"), Some(&FieldValue::Flag(true)));
        assert_eq!(record.departments, vec!["od-a"]);
    }
}
