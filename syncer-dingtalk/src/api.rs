//! The DingTalk directory APIs the syncer uses, with typed answers holding only the fields it
//! needs (so a 100,000-user organization does not sit in memory as raw JSON).

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use syncer_core::null_as_default;

/// The token API (`GET`, App Key and App Secret in the query).
pub const GET_TOKEN: &str = "/gettoken";
/// Direct sub-departments of a department.
pub const LIST_SUB_DEPARTMENTS: &str = "/topapi/v2/department/listsub";
/// One department's details.
pub const GET_DEPARTMENT: &str = "/topapi/v2/department/get";
/// A page of a department's members, full detail.
pub const LIST_USERS: &str = "/topapi/v2/user/list";
/// One member's details (an event's person, read alone).
pub const GET_USER: &str = "/topapi/v2/user/get";
/// The organization's number of employees (read once per full sync: it bounds every
/// department's pages).
pub const USER_COUNT: &str = "/topapi/user/count";

/// The root department's id.
pub const ROOT_DEPARTMENT: i64 = 1;
/// The largest page `user/list` serves.
pub const PAGE_SIZE: u32 = 100;

/// The lifetime DingTalk documents for a token, used when an answer does not say.
pub const DEFAULT_TOKEN_LIFETIME: std::time::Duration = std::time::Duration::from_secs(7200);

/// The head of every oapi answer, read before the payload: an error answer is judged by its
/// `errcode` whatever shape its `result` has, and an answer without `errcode` (a gateway's
/// flood-control page such as `{"status":1111,"wait":5}`) is told apart from success.
#[derive(Debug, Deserialize)]
pub struct Head {
    /// 0 on success; absent on a gateway's flood-control page.
    #[serde(default)]
    pub errcode: Option<i64>,
    /// DingTalk's message.
    #[serde(default, deserialize_with = "null_as_default")]
    pub errmsg: String,
    /// The real reason of errcode 88 (a number or a text).
    #[serde(default)]
    pub sub_code: Option<Value>,
    /// Its message.
    #[serde(default)]
    pub sub_msg: Option<String>,
    /// Seconds to wait, as DingTalk's flood control says.
    #[serde(default)]
    pub wait: Option<u64>,
}

/// The payload of a successful answer.
#[derive(Debug, Deserialize)]
pub struct Payload<T> {
    /// The answer's `result`.
    pub result: Option<T>,
}

/// The answer of [`GET_TOKEN`].
#[derive(Debug, Deserialize)]
pub struct TokenAnswer {
    /// 0 on success.
    #[serde(default)]
    pub errcode: Option<i64>,
    /// DingTalk's message.
    #[serde(default, deserialize_with = "null_as_default")]
    pub errmsg: String,
    /// The token.
    #[serde(default, deserialize_with = "null_as_default")]
    pub access_token: String,
    /// Its lifetime in seconds.
    #[serde(default)]
    pub expires_in: Option<u64>,
}

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

/// One page of `user/list`. `has_more` and `list` are required: a page without them (or with
/// `null`) is malformed, and a malformed page must fail its department rather than pass for an
/// empty one (whose members would be deprovisioned).
#[derive(Debug, Deserialize)]
pub struct UserPage {
    /// Whether another page follows.
    pub has_more: bool,
    /// The cursor of the next page.
    #[serde(default)]
    pub next_cursor: Option<i64>,
    /// The members on this page.
    pub list: Vec<ApiUser>,
}

/// A member as `user/list` describes them (the fields the syncer offers for mapping).
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
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
    /// (or with `null`) leaves it unknown (`None`): neither enable nor disable on it.
    pub active: Option<bool>,
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

/// The `result` of [`USER_COUNT`].
#[derive(Debug, Deserialize)]
pub struct UserCount {
    /// Employees of the organization (activated or not).
    pub count: u64,
}

/// Body of [`USER_COUNT`]: every employee, activated or not (as `user/list` lists them).
pub fn user_count_body() -> Value {
    json!({ "only_active": false })
}

/// Body of `department/get` for `dept_id`.
pub fn get_department_body(dept_id: i64) -> Value {
    json!({ "dept_id": dept_id, "language": "zh_CN" })
}

/// Body of `user/get` for `userid`.
pub fn get_user_body(userid: &str) -> Value {
    json!({ "userid": userid, "language": "zh_CN" })
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
    fn null_fields_read_as_empty_and_a_missing_active_is_unknown() {
        let page: UserPage = serde_json::from_value(json!({
            "has_more": false,
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
        assert_eq!(page.list[0].active, None, "null active is unknown");
        assert_eq!(page.list[1].active, None, "missing active is unknown");
        assert_eq!(page.list[2].active, Some(false));
    }

    #[test]
    fn a_page_without_its_listing_or_has_more_is_malformed_not_empty() {
        for page in [
            json!({"has_more": false, "list": null}),
            json!({"has_more": false}),
            json!({"has_more": null, "list": []}),
            json!({"list": []}),
        ] {
            assert!(
                serde_json::from_value::<UserPage>(page.clone()).is_err(),
                "{page} must not read as a page"
            );
        }
    }
}
