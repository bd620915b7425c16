//! The DingTalk directory APIs the syncer uses, with typed answers holding only the fields it
//! needs (so a 100,000-user organization does not sit in memory as raw JSON).

use serde::Deserialize;
use serde_json::{json, Value};

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
    #[serde(default)]
    pub name: String,
    /// Its parent's id (absent for the root).
    #[serde(default)]
    pub parent_id: Option<i64>,
}

/// One page of `user/list`.
#[derive(Debug, Deserialize)]
pub struct UserPage {
    /// Whether another page follows.
    #[serde(default)]
    pub has_more: bool,
    /// The cursor of the next page.
    #[serde(default)]
    pub next_cursor: Option<i64>,
    /// The members on this page.
    #[serde(default)]
    pub list: Vec<ApiUser>,
}

/// A member as `user/list` describes them (the fields the syncer offers for mapping).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct ApiUser {
    /// Stable id inside the organization.
    pub userid: String,
    /// Id across DingTalk (may be empty before activation).
    pub unionid: String,
    /// Name.
    pub name: String,
    /// Avatar URL.
    pub avatar: String,
    /// Mobile number (empty without the mobile scope or when hidden).
    pub mobile: String,
    /// Calling code of the mobile number.
    pub state_code: String,
    /// E-mail.
    pub email: String,
    /// Company e-mail.
    pub org_email: String,
    /// Job title.
    pub title: String,
    /// Employee number.
    pub job_number: String,
    /// Every department of the user.
    pub dept_id_list: Vec<i64>,
    /// Whether the user has activated DingTalk.
    pub active: bool,
    /// Whether the user is an organization admin.
    pub admin: bool,
    /// Whether the user is the boss.
    pub boss: bool,
    /// Hiring date, ms since the epoch.
    pub hired_date: Option<i64>,
    /// Work place.
    pub work_place: String,
    /// Remark.
    pub remark: String,
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
