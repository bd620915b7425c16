//! The oapi endpoints the simulator serves: which paths exist, what each needs (permission scope,
//! department, paging), how a request body is read, and the dispatch to the department and user
//! handlers. Everything that applies to every call (token, rate limit, random faults) is in
//! `gate.rs`; this module only answers a call that got through.

mod department;
mod params;
mod token;
mod user;

pub(crate) use token::gettoken;

use serde_json::Value;

use crate::directory::Directory;
use crate::envelope::{ApiError, Reply};
use crate::faults::Permission;
use crate::org::ROOT_DEPT_ID;
use crate::paths;

/// One served API.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Api {
    GetToken,
    DeptListSub,
    DeptListSubId,
    DeptGet,
    UserList,
    UserListSimple,
    UserGet,
    UserListId,
    UserCount,
}

/// How an API names its department.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DeptParam {
    /// The API is not about one department.
    None,
    /// `dept_id` may be left out and then means the root.
    DefaultsToRoot,
    /// `dept_id` is required.
    Required,
}

impl Api {
    /// Every served API.
    pub(crate) const ALL: [Api; 9] = [
        Api::GetToken,
        Api::DeptListSub,
        Api::DeptListSubId,
        Api::DeptGet,
        Api::UserList,
        Api::UserListSimple,
        Api::UserGet,
        Api::UserListId,
        Api::UserCount,
    ];

    /// The URL path.
    pub(crate) fn path(self) -> &'static str {
        match self {
            Api::GetToken => paths::GETTOKEN,
            Api::DeptListSub => paths::DEPARTMENT_LISTSUB,
            Api::DeptListSubId => paths::DEPARTMENT_LISTSUBID,
            Api::DeptGet => paths::DEPARTMENT_GET,
            Api::UserList => paths::USER_LIST,
            Api::UserListSimple => paths::USER_LISTSIMPLE,
            Api::UserGet => paths::USER_GET,
            Api::UserListId => paths::USER_LISTID,
            Api::UserCount => paths::USER_COUNT,
        }
    }

    /// `/gettoken` is a GET with query parameters; everything else a POST with a JSON body.
    pub(crate) fn is_get(self) -> bool {
        self == Api::GetToken
    }

    /// The permission scope the app needs for this API.
    pub(crate) fn permission(self) -> Option<Permission> {
        match self {
            Api::GetToken => None,
            Api::DeptListSub | Api::DeptListSubId | Api::DeptGet => {
                Some(Permission::DepartmentRead)
            }
            Api::UserList
            | Api::UserListSimple
            | Api::UserGet
            | Api::UserListId
            | Api::UserCount => Some(Permission::MemberRead),
        }
    }

    fn dept_param(self) -> DeptParam {
        match self {
            Api::DeptListSub | Api::DeptListSubId => DeptParam::DefaultsToRoot,
            Api::DeptGet | Api::UserList | Api::UserListSimple | Api::UserListId => {
                DeptParam::Required
            }
            Api::GetToken | Api::UserGet | Api::UserCount => DeptParam::None,
        }
    }

    fn pages(self) -> bool {
        matches!(self, Api::UserList | Api::UserListSimple)
    }
}

/// A parsed `/topapi` request.
#[derive(Debug)]
pub(crate) struct Call {
    /// The JSON body (an object).
    pub(crate) body: Value,
    /// The department the call is about, when the API names one.
    pub(crate) dept_id: Option<i64>,
    /// The paging cursor (0 for APIs without paging).
    pub(crate) cursor: i64,
}

impl Call {
    /// Reads the body of a call to `api`; a malformed body or a missing or ill-typed `dept_id` /
    /// `cursor` is an invalid parameter (400002), as DingTalk answers.
    pub(crate) fn parse(api: Api, body: &[u8]) -> Result<Call, ApiError> {
        let body: Value = serde_json::from_slice(body)
            .map_err(|_| ApiError::invalid_parameter("请求体不是合法的JSON"))?;
        if !body.is_object() {
            return Err(ApiError::invalid_parameter("请求体必须是JSON对象"));
        }
        let dept_id = match api.dept_param() {
            DeptParam::None => None,
            DeptParam::DefaultsToRoot => {
                Some(params::int(&body, "dept_id")?.unwrap_or(ROOT_DEPT_ID))
            }
            DeptParam::Required => Some(params::required_int(&body, "dept_id")?),
        };
        let cursor = if api.pages() {
            let cursor = params::required_int(&body, "cursor")?;
            if cursor < 0 {
                return Err(ApiError::invalid_parameter("cursor"));
            }
            cursor
        } else {
            0
        };
        Ok(Call {
            body,
            dept_id,
            cursor,
        })
    }
}

/// Answers a `/topapi` call that passed every check.
pub(crate) fn handle(api: Api, dir: &Directory, call: &Call) -> Result<Reply, ApiError> {
    let dept = || call.dept_id.unwrap_or(ROOT_DEPT_ID);
    let result = match api {
        Api::GetToken => return Err(ApiError::uri_not_found()),
        Api::DeptListSub => department::list_sub(dir, dept())?,
        Api::DeptListSubId => department::list_sub_ids(dir, dept())?,
        Api::DeptGet => department::get(dir, dept())?,
        Api::UserList => user::list(dir, dept(), call)?,
        Api::UserListSimple => user::list_simple(dir, dept(), call)?,
        Api::UserGet => user::get(dir, &call.body)?,
        Api::UserListId => user::list_ids(dir, dept())?,
        Api::UserCount => user::count(dir, &call.body)?,
    };
    Ok(Reply::Result(result))
}
