//! What a call asks for: the served API, the answer a handler gives, and the query parameters
//! every contact endpoint shares (`department_id_type`, `user_id_type`).

use std::collections::HashMap;

use serde_json::Value;

use crate::envelope::ApiError;
use crate::faults::{DeptFault, Faults};
use crate::org::{LarkOrg, SimDepartment, ROOT_DEPARTMENT};
use crate::paths;

/// A served API.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Api {
    TenantAccessToken,
    DepartmentChildren,
    DepartmentGet,
    UsersByDepartment,
    UserGet,
}

impl Api {
    /// The path as statistics and the rate limit key it.
    pub(crate) fn path(self) -> &'static str {
        match self {
            Api::TenantAccessToken => paths::TENANT_ACCESS_TOKEN,
            Api::DepartmentChildren => paths::DEPARTMENT_CHILDREN,
            Api::DepartmentGet => paths::DEPARTMENT_GET,
            Api::UsersByDepartment => paths::USERS_BY_DEPARTMENT,
            Api::UserGet => paths::USER_GET,
        }
    }
}

/// What a handler reads of one call: the tenant served, the faults in force, the id in the path
/// (a department, or a person for `users/:user_id`; empty when the path has none) and the query.
#[derive(Clone, Copy)]
pub(crate) struct Request<'a> {
    pub(crate) org: &'a LarkOrg,
    pub(crate) faults: &'a Faults,
    pub(crate) id: &'a str,
    pub(crate) query: &'a HashMap<String, String>,
}

impl Request<'_> {
    /// The `page_token` sent (empty for the first page).
    pub(crate) fn page_token(&self) -> String {
        self.query.get("page_token").cloned().unwrap_or_default()
    }
}

/// What one successful call answered: the `data`, and the department page it served.
pub(crate) struct Answer {
    pub(crate) data: Value,
    pub(crate) page: Option<(String, String)>,
}

/// Which id a request uses for departments.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DeptIdType {
    /// `open_department_id` (the default).
    Open,
    /// The custom `department_id`.
    Custom,
}

impl DeptIdType {
    pub(crate) fn from_query(query: &HashMap<String, String>) -> Result<DeptIdType, ApiError> {
        match query.get("department_id_type").map(String::as_str) {
            None | Some("open_department_id") => Ok(DeptIdType::Open),
            Some("department_id") => Ok(DeptIdType::Custom),
            Some(other) => Err(ApiError::param_error(&format!(
                "department_id_type {other}"
            ))),
        }
    }

    /// The id of `department` in this type.
    pub(crate) fn id_of(self, department: &SimDepartment) -> String {
        match self {
            DeptIdType::Open => department.open_department_id.clone(),
            DeptIdType::Custom => department.department_id.clone(),
        }
    }
}

/// The department id type a department-scoped call asks for, once its `user_id_type` is
/// checked too (in that order, as the department APIs judge their query).
pub(crate) fn department_id_type(query: &HashMap<String, String>) -> Result<DeptIdType, ApiError> {
    let id_type = DeptIdType::from_query(query)?;
    check_user_id_type(query)?;
    Ok(id_type)
}

/// Checks `user_id_type` (open_id by default).
pub(crate) fn check_user_id_type(query: &HashMap<String, String>) -> Result<(), ApiError> {
    match query.get("user_id_type").map(String::as_str) {
        None | Some("open_id" | "union_id" | "user_id") => Ok(()),
        Some(other) => Err(ApiError::param_error(&format!("user_id_type {other}"))),
    }
}

/// The department a request names, after its faults: one the app cannot see (unknown, or
/// outside its contact range) is refused with 40004.
pub(crate) fn requested_department<'a>(
    org: &'a LarkOrg,
    faults: &Faults,
    id: &str,
    id_type: DeptIdType,
) -> Result<&'a SimDepartment, ApiError> {
    let found = org.departments.iter().find(|d| {
        id == ROOT_DEPARTMENT && d.parent.is_none() || id_type.id_of(d) == id && d.parent.is_some()
    });
    let department = found.ok_or_else(ApiError::no_dept_authority)?;
    match faults
        .failing_departments
        .get(&department.open_department_id)
    {
        None
        | Some(
            DeptFault::NullItems
            | DeptFault::MissingStatus
            | DeptFault::EndlessPages
            | DeptFault::UnnamedChild
            | DeptFault::WithoutUserId,
        ) => Ok(department),
        Some(DeptFault::NoAuthority) => Err(ApiError::no_dept_authority()),
        Some(DeptFault::InternalError) => Err(ApiError::internal_error()),
    }
}
