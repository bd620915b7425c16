//! Member endpoints: the paged full-detail `v2/user/list`, the paged `listsimple`, the single
//! `v2/user/get`, `listid` and `count`. Pages are slices of the department's member index, so a
//! call costs O(page size). Optional text fields an employee has not filled in are left out of
//! the JSON, as DingTalk does; `unionid` is always present, possibly empty.

use serde::Serialize;
use serde_json::{json, Value};

use super::params;
use super::Call;
use crate::directory::Directory;
use crate::envelope::ApiError;
use crate::org::SimUser;

/// Largest page DingTalk serves.
const MAX_PAGE_SIZE: i64 = 100;

/// A user as `v2/user/list` and `v2/user/get` return them.
#[derive(Serialize)]
struct UserDetail<'a> {
    userid: &'a str,
    unionid: &'a str,
    name: &'a str,
    avatar: &'a str,
    state_code: &'a str,
    mobile: &'a str,
    hide_mobile: bool,
    #[serde(skip_serializing_if = "str::is_empty")]
    job_number: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    title: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    email: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    org_email: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    work_place: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    remark: &'a str,
    dept_id_list: &'a [i64],
    #[serde(skip_serializing_if = "str::is_empty")]
    extension: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    hired_date: Option<i64>,
    active: bool,
    admin: bool,
    boss: bool,
    leader: bool,
    exclusive_account: bool,
}

impl<'a> UserDetail<'a> {
    fn new(user: &'a SimUser) -> UserDetail<'a> {
        UserDetail {
            userid: &user.userid,
            unionid: &user.unionid,
            name: &user.name,
            avatar: &user.avatar,
            state_code: &user.state_code,
            mobile: &user.mobile,
            hide_mobile: false,
            job_number: &user.job_number,
            title: &user.title,
            email: &user.email,
            org_email: &user.org_email,
            work_place: &user.work_place,
            remark: &user.remark,
            dept_id_list: &user.dept_ids,
            extension: &user.extension,
            hired_date: user.hired_date,
            active: user.active,
            admin: user.admin,
            boss: user.boss,
            leader: user.leader,
            exclusive_account: false,
        }
    }
}

/// A user as `listsimple` returns them.
#[derive(Serialize)]
struct UserSimple<'a> {
    userid: &'a str,
    name: &'a str,
}

/// One page of a listing.
#[derive(Serialize)]
struct Page<T> {
    has_more: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_cursor: Option<i64>,
    list: Vec<T>,
}

fn to_value(value: impl Serialize) -> Result<Value, ApiError> {
    // Serializing these plain structs cannot fail; answer "busy" rather than panic if it did.
    serde_json::to_value(value).map_err(|_| ApiError::busy())
}

/// Members of `dept_id` from the call's cursor, `size` of them, each shown by `show`.
fn page<'a, T: Serialize>(
    dir: &'a Directory,
    dept_id: i64,
    call: &Call,
    show: impl Fn(&'a SimUser) -> T,
) -> Result<Value, ApiError> {
    dir.department(dept_id)
        .ok_or_else(|| ApiError::dept_not_found(dept_id))?;
    let size = params::required_int(&call.body, "size")?;
    if !(1..=MAX_PAGE_SIZE).contains(&size) {
        return Err(ApiError::invalid_parameter(format!(
            "size必须在1到{MAX_PAGE_SIZE}之间"
        )));
    }
    let members = dir.members(dept_id);
    let offset = usize::try_from(call.cursor).unwrap_or(usize::MAX);
    let size = usize::try_from(size).unwrap_or(1);
    let list: Vec<T> = members.page(offset, size).map(show).collect();
    let end = offset.saturating_add(size);
    let has_more = end < members.len();
    to_value(Page {
        has_more,
        next_cursor: has_more.then(|| i64::try_from(end).unwrap_or(i64::MAX)),
        list,
    })
}

/// `/topapi/v2/user/list`: a page of a department's direct members with full details.
pub(super) fn list(dir: &Directory, dept_id: i64, call: &Call) -> Result<Value, ApiError> {
    page(dir, dept_id, call, UserDetail::new)
}

/// `/topapi/user/listsimple`: a page of a department's direct members, ids and names only.
pub(super) fn list_simple(dir: &Directory, dept_id: i64, call: &Call) -> Result<Value, ApiError> {
    page(dir, dept_id, call, |u| UserSimple {
        userid: &u.userid,
        name: &u.name,
    })
}

/// `/topapi/v2/user/get`: one user's details.
pub(super) fn get(dir: &Directory, body: &Value) -> Result<Value, ApiError> {
    let userid = params::required_str(body, "userid")?;
    let user = dir.user(userid).ok_or_else(ApiError::user_not_found)?;
    to_value(UserDetail::new(user))
}

/// `/topapi/user/listid`: the userids of a department's direct members.
pub(super) fn list_ids(dir: &Directory, dept_id: i64) -> Result<Value, ApiError> {
    dir.department(dept_id)
        .ok_or_else(|| ApiError::dept_not_found(dept_id))?;
    let ids: Vec<&str> = dir
        .members(dept_id)
        .all()
        .map(|u| u.userid.as_str())
        .collect();
    Ok(json!({ "userid_list": ids }))
}

/// `/topapi/user/count`: number of employees (only activated ones when `only_active`).
pub(super) fn count(dir: &Directory, body: &Value) -> Result<Value, ApiError> {
    let only_active = params::boolean(body, "only_active")?.unwrap_or(false);
    Ok(json!({ "count": dir.user_count(only_active) }))
}
