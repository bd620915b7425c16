//! DingTalk members as source records: the declared source fields, the default mapping of the
//! product documentation, and the record of one member (the shared `RecordSet` merges a person
//! listed in several departments).

use syncer_core::{MappingSpec, SourceField, SourceRecord, Transform};
use syncer_remote::{declared_record, person_mapping};

use crate::api::ApiUser;

/// The fields a DingTalk member offers for mapping.
pub const SOURCE_FIELDS: &[SourceField] = &[
    SourceField {
        name: "userid",
        description: "Stable member id inside the organization",
        permission: None,
    },
    SourceField {
        name: "unionid",
        description: "Id across DingTalk; empty until the member activates DingTalk",
        permission: None,
    },
    SourceField {
        name: "name",
        description: "Member name",
        permission: None,
    },
    SourceField {
        name: "email",
        description: "E-mail",
        permission: Some(
            "the e-mail field scope of the contact permissions (developer console → 权限管理)",
        ),
    },
    SourceField {
        name: "org_email",
        description: "Company e-mail",
        permission: Some(
            "the e-mail field scope of the contact permissions (developer console → 权限管理)",
        ),
    },
    SourceField {
        name: "mobile",
        description: "Mobile number (needs the mobile permission scope)",
        permission: Some("the Contact.User.mobile scope (developer console → 权限管理)"),
    },
    SourceField {
        name: "state_code",
        description: "Calling code of the mobile number, e.g. 86",
        permission: None,
    },
    SourceField {
        name: "avatar",
        description: "Avatar URL",
        permission: None,
    },
    SourceField {
        name: "title",
        description: "Job title",
        permission: None,
    },
    SourceField {
        name: "job_number",
        description: "Employee number",
        permission: None,
    },
    SourceField {
        name: "active",
        description: "Whether the member has activated DingTalk",
        permission: None,
    },
    SourceField {
        name: "admin",
        description: "Whether the member is an organization admin",
        permission: None,
    },
    SourceField {
        name: "boss",
        description: "Whether the member is the boss",
        permission: None,
    },
    SourceField {
        name: "hired_date",
        description: "Hiring date, milliseconds since the epoch",
        permission: None,
    },
    SourceField {
        name: "work_place",
        description: "Work place",
        permission: None,
    },
    SourceField {
        name: "remark",
        description: "Remark",
        permission: None,
    },
];

/// The default mapping (product documentation): userid→Id, unionid→Name (userid when empty),
/// name→DisplayName, email→Email, mobile→Phone, avatar→Avatar, title→Title,
/// active→IsForbidden inverted, and userid→DingTalk so OAuth sign-in finds the same user.
pub const DEFAULT_MAPPING: &[MappingSpec] = &person_mapping(
    [
        "userid", "unionid", "name", "email", "mobile", "avatar", "title",
    ],
    ("active", Transform::Invert),
    "DingTalk",
);

/// Turns a member into a source record: every declared field the answer holds (empty text and
/// an unknown `active` are left out; the mapping then leaves IAM's value as it is), and the
/// member's departments.
pub fn to_record(user: ApiUser) -> SourceRecord {
    let mut record = declared_record(user.userid.as_str(), &user, SOURCE_FIELDS);
    record.departments = user.dept_id_list.iter().map(i64::to_string).collect();
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

    fn member(userid: &str, depts: &[i64]) -> ApiUser {
        ApiUser {
            userid: userid.into(),
            name: "张伟".into(),
            dept_id_list: depts.to_vec(),
            active: Some(true),
            ..ApiUser::default()
        }
    }

    #[test]
    fn person_in_two_departments_is_one_record_with_both() {
        let mut set = RecordSet::default();
        set.add(to_record(member("u1", &[2])), "2");
        set.add(to_record(member("u1", &[3])), "3");
        set.add(to_record(member("u2", &[2])), "2");
        let records = set.into_records(DepartmentOrder::Numeric);
        assert_eq!(records.len(), 2);
        assert_eq!(records[0].departments, vec!["2", "3"]);
    }

    #[test]
    fn empty_text_fields_are_left_out() {
        let record = to_record(member("u1", &[1]));
        assert!(record.field("unionid").is_none());
        assert_eq!(record.field("active"), Some(&FieldValue::Flag(true)));
    }

    #[test]
    fn an_unknown_active_is_left_out_of_the_record() {
        let record = to_record(ApiUser {
            active: None,
            ..member("u1", &[1])
        });
        assert!(record.field("active").is_none());
    }

    #[test]
    fn a_member_with_every_field_gives_every_declared_field_under_its_name() {
        let kinds = FieldKinds {
            flags: &["active", "admin", "boss"],
            numbers: &["hired_date"],
            computed: &[],
        };
        let mut answer = answer_with_every_field(SOURCE_FIELDS, &kinds);
        answer["dept_id_list"] = serde_json::json!([1, 2]);
        let record = to_record(serde_json::from_value(answer).expect("a member"));
        assert_every_declared_field_read(&record, SOURCE_FIELDS, &kinds);
        assert_eq!(record.departments, vec!["1", "2"]);
    }
}
