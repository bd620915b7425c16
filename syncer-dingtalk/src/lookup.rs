//! One person or one department read alone, for an event: `user/get` (one call; errcode 60121
//! means the person is not a member) and `department/get` (errcode 60003 means it does not
//! exist). The person's record is built by the full fetch's own builder, so an event applies
//! exactly what a full sync would. Any other failure is an error naming the API and errcode:
//! a person who cannot be read is never taken for a leaver.

use syncer_core::{Department, DepartmentLookup, FetchError, PersonLookup};
use syncer_remote::DepartmentOrder;

use crate::api::{self, ApiDepartment, ApiUser};
use crate::error::{DingTalkError, ErrorClass, DINGTALK};
use crate::records::to_record;
use crate::remote::{post, DingTalkCaller};

/// What DingTalk says about member `userid` now.
pub async fn fetch_person(
    caller: &DingTalkCaller,
    userid: &str,
) -> Result<PersonLookup, FetchError> {
    let body = api::get_user_body(userid);
    match post::<ApiUser>(caller, api::GET_USER, &body).await {
        Ok(user) if user.userid == userid => Ok(PersonLookup::Found(DepartmentOrder::Numeric.sorted(to_record(user)))),
        Ok(user) => Err(invalid(
            api::GET_USER,
            format!(
                "asked for userid `{userid}`, DingTalk answered with userid `{}`; nothing is applied for this person",
                user.userid
            ),
        )),
        Err(error) if error.class() == Some(ErrorClass::UserNotFound) => Ok(PersonLookup::Gone),
        Err(error) => Err(error.to_fetch_error()),
    }
}

/// What DingTalk says about department `id` now.
pub async fn fetch_department(
    caller: &DingTalkCaller,
    id: &str,
) -> Result<DepartmentLookup, FetchError> {
    let dept_id: i64 = id.trim().parse().map_err(|_| {
        invalid(
            api::GET_DEPARTMENT,
            format!("`{id}` is not a DingTalk department id (a number)"),
        )
    })?;
    let body = api::get_department_body(dept_id);
    match post::<ApiDepartment>(caller, api::GET_DEPARTMENT, &body).await {
        Ok(department) if department.dept_id == dept_id => {
            Ok(DepartmentLookup::Found(Department {
                id: department.dept_id.to_string(),
                name: department.name,
                parent_id: department.parent_id.map(|parent| parent.to_string()),
            }))
        }
        Ok(department) => Err(invalid(
            api::GET_DEPARTMENT,
            format!(
                "asked for department {dept_id}, DingTalk answered with department {}",
                department.dept_id
            ),
        )),
        Err(error) if error.class() == Some(ErrorClass::DepartmentNotFound) => {
            Ok(DepartmentLookup::Gone)
        }
        Err(error) => Err(error.to_fetch_error()),
    }
}

fn invalid(api: &str, message: String) -> FetchError {
    DingTalkError::invalid(DINGTALK, api, message).to_fetch_error()
}
