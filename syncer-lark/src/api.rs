//! The Lark open-platform APIs the syncer uses (contact v3), with typed answers holding only the
//! fields it needs, and the query of each call. Departments are named by `open_department_id`
//! throughout (the root is `0`), people by `user_id`.

use serde::{Deserialize, Serialize};

/// `POST`: a custom app's tenant access token from App ID and App Secret.
pub const TENANT_ACCESS_TOKEN: &str = "/open-apis/auth/v3/tenant_access_token/internal";
/// `GET`: one department (used for the root's name).
pub const DEPARTMENT_GET: &str = "/open-apis/contact/v3/departments/:department_id";
/// `GET`: a page of a department's direct sub-departments.
pub const DEPARTMENT_CHILDREN: &str = "/open-apis/contact/v3/departments/:department_id/children";
/// `GET`: a page of the people directly in a department.
pub const USERS_BY_DEPARTMENT: &str = "/open-apis/contact/v3/users/find_by_department";
/// `GET`: one person (an event's person, read alone).
pub const USER_GET: &str = "/open-apis/contact/v3/users/:user_id";

/// The envelope of every contact answer: `code` 0 means ok, the payload sits in `data`.
#[derive(Debug, Deserialize)]
pub struct Envelope {
    /// 0 on success.
    #[serde(default)]
    pub code: i64,
    /// Lark's message.
    #[serde(default)]
    pub msg: String,
    /// The payload.
    #[serde(default)]
    pub data: Option<serde_json::Value>,
}

/// The answer of [`TENANT_ACCESS_TOKEN`] (fields at the top level).
#[derive(Debug, Deserialize)]
pub struct TokenAnswer {
    /// 0 on success.
    #[serde(default)]
    pub code: i64,
    /// Lark's message.
    #[serde(default)]
    pub msg: String,
    /// The token.
    #[serde(default)]
    pub tenant_access_token: String,
    /// Its lifetime in seconds.
    #[serde(default)]
    pub expire: u64,
}

/// The root department's id.
pub const ROOT_DEPARTMENT: &str = "0";
/// The largest page contact v3 serves.
pub const PAGE_SIZE: u32 = 50;

/// One page of a contact v3 list.
#[derive(Debug, Deserialize)]
#[serde(bound(deserialize = "T: Deserialize<'de>"))]
pub struct Page<T> {
    /// Whether another page follows. Required: a page without it is malformed, and a
    /// malformed page must fail its list rather than pass for its end.
    pub has_more: bool,
    /// The token of the next page (absent on the last).
    #[serde(default)]
    pub page_token: Option<String>,
    /// This page's items (absent when there are none; `null` is malformed).
    #[serde(default = "Vec::new")]
    pub items: Vec<T>,
}

/// A department as contact v3 describes it.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct ApiDepartment {
    /// Its name.
    pub name: String,
    /// The custom id an administrator may set.
    pub department_id: String,
    /// Lark's id (`od-…`).
    pub open_department_id: String,
    /// The parent's id, in the requested id type.
    pub parent_department_id: String,
    /// Whether Lark keeps it only as deleted (`None` when Lark left the status out).
    pub status: Option<DepartmentStatus>,
    /// The people in it and in every department below it (returned only with a scope such as
    /// `contact:department.organize:readonly`; `None` without).
    pub member_count: Option<u64>,
}

/// A department's state.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct DepartmentStatus {
    /// The department was deleted.
    pub is_deleted: Option<bool>,
}

/// The answer of `USER_GET`.
#[derive(Debug, Deserialize)]
pub struct UserAnswer {
    /// The person.
    pub user: ApiUser,
}

/// The answer of `DEPARTMENT_GET`.
#[derive(Debug, Deserialize)]
pub struct DepartmentAnswer {
    /// The department.
    pub department: ApiDepartment,
}

/// A person's avatar in several sizes.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct Avatar {
    /// 72×72.
    pub avatar_72: String,
    /// 240×240.
    pub avatar_240: String,
    /// 640×640.
    pub avatar_640: String,
    /// Original size.
    pub avatar_origin: String,
}

/// A person's account state. A flag Lark leaves out (or sends as `null`) is unknown: the
/// syncer neither enables nor disables anyone on it.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct UserStatus {
    /// Suspended by an administrator.
    pub is_frozen: Option<bool>,
    /// Left the company.
    pub is_resigned: Option<bool>,
    /// Has activated the account.
    pub is_activated: Option<bool>,
}

impl UserStatus {
    /// Whether the person may not sign in (resigned or frozen): known when either says yes,
    /// or both say no.
    pub fn forbidden(&self) -> Option<bool> {
        match (self.is_resigned, self.is_frozen) {
            (Some(true), _) | (_, Some(true)) => Some(true),
            (Some(false), Some(false)) => Some(false),
            _ => None,
        }
    }
}

/// A person as contact v3 describes them (the fields the syncer offers for mapping).
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct ApiUser {
    /// The tenant's id of the person (needs `contact:user.employee_id:readonly`).
    pub user_id: String,
    /// Id across the apps of one developer.
    pub union_id: String,
    /// Id inside this app.
    pub open_id: String,
    /// Name.
    pub name: String,
    /// English name.
    pub en_name: String,
    /// E-mail.
    pub email: String,
    /// Company e-mail.
    pub enterprise_email: String,
    /// Mobile number with calling code.
    pub mobile: String,
    /// Avatar URLs.
    pub avatar: Avatar,
    /// Job title.
    pub job_title: String,
    /// Employee number.
    pub employee_no: String,
    /// Account state (`None` when Lark left it out: every flag of it unknown).
    pub status: Option<UserStatus>,
    /// Every department of the person (`open_department_id`s).
    pub department_ids: Vec<String>,
}

/// The URL path of `DEPARTMENT_CHILDREN` for `department`.
pub fn children_path(department: &str) -> String {
    format!("/open-apis/contact/v3/departments/{department}/children")
}

/// The URL path of `DEPARTMENT_GET` for `department` (an id from outside, so encoded).
pub fn department_path(department: &str) -> String {
    format!("/open-apis/contact/v3/departments/{}", segment(department))
}

/// The URL path of `USER_GET` for `user_id` (an id from outside, so encoded).
pub fn user_path(user_id: &str) -> String {
    format!("/open-apis/contact/v3/users/{}", segment(user_id))
}

/// The query of `USER_GET`: the person named by `user_id`, departments as `open_department_id`.
pub fn user_query() -> Vec<(&'static str, String)> {
    common_query()
}

/// `id` as one URL path segment: unreserved characters as they are, anything else
/// percent-encoded (an id holding `/` or `?` cannot reach another API).
fn segment(id: &str) -> String {
    id.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                char::from(b).to_string()
            }
            other => format!("%{other:02X}"),
        })
        .collect()
}

/// The query of a children page: direct children only, ids as `open_department_id`.
pub fn children_query(page_token: Option<&str>) -> Vec<(&'static str, String)> {
    let mut query = common_query();
    query.push(("fetch_child", "false".to_owned()));
    push_page(&mut query, page_token);
    query
}

/// The query of a page of `department`'s people.
pub fn users_query(department: &str, page_token: Option<&str>) -> Vec<(&'static str, String)> {
    let mut query = common_query();
    query.push(("department_id", department.to_owned()));
    push_page(&mut query, page_token);
    query
}

/// The query of `DEPARTMENT_GET`.
pub fn department_query() -> Vec<(&'static str, String)> {
    common_query()
}

fn common_query() -> Vec<(&'static str, String)> {
    vec![
        ("department_id_type", "open_department_id".to_owned()),
        ("user_id_type", "user_id".to_owned()),
    ]
}

fn push_page(query: &mut Vec<(&'static str, String)>, page_token: Option<&str>) {
    query.push(("page_size", PAGE_SIZE.to_string()));
    if let Some(token) = page_token.filter(|t| !t.is_empty()) {
        query.push(("page_token", token.to_owned()));
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn an_id_from_outside_stays_one_path_segment() {
        assert_eq!(
            super::user_path("u_1.a-b~"),
            "/open-apis/contact/v3/users/u_1.a-b~"
        );
        assert_eq!(
            super::user_path("../x?y=1"),
            "/open-apis/contact/v3/users/..%2Fx%3Fy%3D1"
        );
    }
}
