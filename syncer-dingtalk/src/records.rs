//! DingTalk members as source records: the declared source fields, the default mapping of the
//! product documentation, and the merge of a person listed in several departments.

use std::borrow::Cow;
use std::collections::HashMap;

use syncer_core::{FieldValue, MappingSpec, SourceField, SourceRecord, Transform};

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
pub const DEFAULT_MAPPING: &[MappingSpec] = &[
    MappingSpec {
        source: "userid",
        target: "Id",
        transform: Transform::Copy,
    },
    MappingSpec {
        source: "unionid",
        target: "Name",
        transform: Transform::FallbackTo("userid"),
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
    MappingSpec {
        source: "mobile",
        target: "Phone",
        transform: Transform::Copy,
    },
    MappingSpec {
        source: "avatar",
        target: "Avatar",
        transform: Transform::Copy,
    },
    MappingSpec {
        source: "title",
        target: "Title",
        transform: Transform::Copy,
    },
    MappingSpec {
        source: "active",
        target: "IsForbidden",
        transform: Transform::Invert,
    },
    MappingSpec {
        source: "userid",
        target: "DingTalk",
        transform: Transform::Copy,
    },
];

/// Turns a member into a source record (empty text fields are left out to save memory).
pub fn to_record(user: ApiUser) -> SourceRecord {
    let mut record = SourceRecord::new(user.userid.clone());
    let mut text = |name: &'static str, value: String| {
        if !value.is_empty() {
            record
                .fields
                .insert(Cow::Borrowed(name), FieldValue::Text(value.into()));
        }
    };
    text("userid", user.userid);
    text("unionid", user.unionid);
    text("name", user.name);
    text("email", user.email);
    text("org_email", user.org_email);
    text("mobile", user.mobile);
    text("state_code", user.state_code);
    text("avatar", user.avatar);
    text("title", user.title);
    text("job_number", user.job_number);
    text("work_place", user.work_place);
    text("remark", user.remark);
    text(
        "hired_date",
        user.hired_date.map(|ms| ms.to_string()).unwrap_or_default(),
    );
    // An unknown `active` is left out: the mapping then leaves IsForbidden as IAM has it.
    if let Some(active) = user.active {
        record
            .fields
            .insert(Cow::Borrowed("active"), FieldValue::Flag(active));
    }
    record
        .fields
        .insert(Cow::Borrowed("admin"), FieldValue::Flag(user.admin));
    record
        .fields
        .insert(Cow::Borrowed("boss"), FieldValue::Flag(user.boss));
    record.departments = user.dept_id_list.iter().map(i64::to_string).collect();
    record
}

/// One member read alone (`user/get`): the record a full fetch would give them, departments
/// from `dept_id_list` in the full fetch's order.
pub fn person(user: ApiUser) -> SourceRecord {
    let mut record = to_record(user);
    sort_departments(&mut record);
    record
}

/// Departments in DingTalk's numeric order, as a full fetch lists them.
fn sort_departments(record: &mut SourceRecord) {
    record
        .departments
        .sort_by_key(|id| id.parse::<i64>().unwrap_or(i64::MAX));
}

/// Members seen so far, one record per userid with the union of their departments.
#[derive(Default)]
pub struct MemberSet {
    by_userid: HashMap<String, SourceRecord>,
}

impl MemberSet {
    /// Adds a member met while listing department `dept_id`.
    pub fn add(&mut self, user: ApiUser, dept_id: i64) {
        if user.userid.is_empty() {
            return;
        }
        let dept = dept_id.to_string();
        match self.by_userid.get_mut(&user.userid) {
            Some(existing) => {
                for id in user.dept_id_list.iter().map(i64::to_string).chain([dept]) {
                    if !existing.departments.contains(&id) {
                        existing.departments.push(id);
                    }
                }
            }
            None => {
                let mut record = to_record(user);
                if !record.departments.contains(&dept) {
                    record.departments.push(dept);
                }
                self.by_userid.insert(record.id.clone(), record);
            }
        }
    }

    /// Every member once, sorted by userid, departments sorted.
    pub fn into_records(self) -> Vec<SourceRecord> {
        let mut records: Vec<SourceRecord> = self.by_userid.into_values().collect();
        for record in &mut records {
            sort_departments(record);
        }
        records.sort_by(|a, b| a.id.cmp(&b.id));
        records
    }
}

#[cfg(test)]
mod tests {
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
        let mut set = MemberSet::default();
        set.add(member("u1", &[2]), 2);
        set.add(member("u1", &[3]), 3);
        set.add(member("u2", &[2]), 2);
        let records = set.into_records();
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
}
