//! The DingTalk directory APIs the syncer uses, with typed answers holding only the fields it
//! needs (so a 100,000-user organization does not sit in memory as raw JSON).

use serde::Deserialize;
use serde_json::{json, Value};
use syncer_core::null_as_default;

/// Direct sub-departments of a department.
pub const LIST_SUB_DEPARTMENTS: &str = "/topapi/v2/department/listsub";
/// One department's details.
pub const GET_DEPARTMENT: &str = "/topapi/v2/department/get";
/// A page of a department's members, full detail.
pub const LIST_USERS: &str = "/topapi/v2/user/list";
/// Every API path the client calls (limiter keys).
pub const ALL: &[&str] = &[LIST_SUB_DEPARTMENTS, GET_DEPARTMENT, LIST_USERS];

/// The root department's id.
pub const ROOT_DEPARTMENT: i64 = 1;
/// The largest page `user/list` serves.
pub const PAGE_SIZE: u32 = 100;

/// A department as `listsub` and `department/get` describe it.
#[derive(Clone, Debug, Deserialize)]
pub struct ApiDepartment {
    /// Its id.
    pub dept_id: i64,
    /// Its name.
    #[serde(default, deserialize_with = "null_as_default")]
    pub name: String,
    /// Its parent's id (absent for the root).
    #[serde(default)]
    pub parent_id: Option<i64>,
}

/// One page of `user/list`.
#[derive(Debug, Deserialize)]
pub struct UserPage {
    /// Whether another page follows.
    #[serde(default, deserialize_with = "null_as_default")]
    pub has_more: bool,
    /// The cursor of the next page.
    #[serde(default)]
    pub next_cursor: Option<i64>,
    /// The members on this page.
    #[serde(default, deserialize_with = "null_as_default")]
    pub list: Vec<ApiUser>,
}

/// A member as `user/list` describes them (the fields the syncer offers for mapping).
#[derive(Clone, Debug, Deserialize)]
#[serde(default)]
pub struct ApiUser {
    /// Stable id inside the organization.
    #[serde(deserialize_with = "null_as_default")]
    pub userid: String,
    /// Id across DingTalk (may be empty before activation).
    #[serde(deserialize_with = "null_as_default")]
    pub unionid: String,
    /// Name.
    #[serde(deserialize_with = "null_as_default")]
    pub name: String,
    /// Avatar URL.
    #[serde(deserialize_with = "null_as_default")]
    pub avatar: String,
    /// Mobile number (empty without the mobile scope or when hidden).
    #[serde(deserialize_with = "null_as_default")]
    pub mobile: String,
    /// Calling code of the mobile number.
    #[serde(deserialize_with = "null_as_default")]
    pub state_code: String,
    /// E-mail.
    #[serde(deserialize_with = "null_as_default")]
    pub email: String,
    /// Company e-mail.
    #[serde(deserialize_with = "null_as_default")]
    pub org_email: String,
    /// Job title.
    #[serde(deserialize_with = "null_as_default")]
    pub title: String,
    /// Employee number.
    #[serde(deserialize_with = "null_as_default")]
    pub job_number: String,
    /// Every department of the user.
    #[serde(deserialize_with = "null_as_default")]
    pub dept_id_list: Vec<i64>,
    /// Whether the user has activated DingTalk. DingTalk always sends it; an answer without it
    /// (or with `null`) counts as active, so a malformed answer never locks everyone out.
    #[serde(deserialize_with = "active_or_true")]
    pub active: bool,
    /// Whether the user is an organization admin.
    #[serde(deserialize_with = "null_as_default")]
    pub admin: bool,
    /// Whether the user is the boss.
    #[serde(deserialize_with = "null_as_default")]
    pub boss: bool,
    /// Hiring date, ms since the epoch.
    #[serde(deserialize_with = "null_as_default")]
    pub hired_date: Option<i64>,
    /// Work place.
    #[serde(deserialize_with = "null_as_default")]
    pub work_place: String,
    /// Remark.
    #[serde(deserialize_with = "null_as_default")]
    pub remark: String,
}

impl Default for ApiUser {
    fn default() -> Self {
        Self {
            userid: String::new(),
            unionid: String::new(),
            name: String::new(),
            avatar: String::new(),
            mobile: String::new(),
            state_code: String::new(),
            email: String::new(),
            org_email: String::new(),
            title: String::new(),
            job_number: String::new(),
            dept_id_list: Vec::new(),
            active: true,
            admin: false,
            boss: false,
            hired_date: None,
            work_place: String::new(),
            remark: String::new(),
        }
    }
}

fn active_or_true<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<bool, D::Error> {
    Ok(Option::<bool>::deserialize(deserializer)?.unwrap_or(true))
}

/// Body of `listsub` for `dept_id`.
pub fn list_sub_departments_body(dept_id: i64) -> Value {
    json!({ "dept_id": dept_id, "language": "zh_CN" })
}

/// Body of `user/list` for a page of `dept_id`.
pub fn list_users_body(dept_id: i64, cursor: i64, size: u32) -> Value {
    json!({
        "dept_id": dept_id,
        "cursor": cursor,
        "size": size,
        "contain_access_limit": false,
        "language": "zh_CN",
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn null_fields_read_as_empty_and_a_missing_active_counts_as_active() {
        let page: UserPage = serde_json::from_value(json!({
            "has_more": null,
            "list": [
                {"userid": "u1", "name": "张伟", "email": null, "mobile": null, "dept_id_list": null, "active": null},
                {"userid": "u2", "name": "李娜"},
                {"userid": "u3", "name": "王芳", "active": false},
            ],
        }))
        .expect("a page with nulls parses");
        assert!(!page.has_more);
        assert_eq!(page.list[0].email, "");
        assert!(page.list[0].dept_id_list.is_empty());
        assert!(page.list[0].active, "null active is not a lockout");
        assert!(page.list[1].active, "missing active is not a lockout");
        assert!(!page.list[2].active);
    }
}
