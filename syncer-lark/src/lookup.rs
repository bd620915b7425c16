//! One person or one department read alone, for an event: `users/:user_id` (one call; code
//! 41012 "user id invalid", or a person whose status says resigned, is gone) and
//! `departments/:department_id` (code 40015 "department not exist", or a status that says
//! deleted, is gone). The person's record is built by the full fetch's own builder, so an event
//! applies exactly what a full sync would. Any other failure (a person outside the contact
//! range, 41050, included) is an error naming the API and code: a person who cannot be read is
//! never taken for a leaver.

use syncer_core::{Department, DepartmentLookup, FetchError, PersonLookup};

use crate::api::{self, DepartmentAnswer, UserAnswer};
use crate::error::{class_of, ErrorClass, LarkError, LARK};
use crate::fetch::ROOT_NAME_FALLBACK;
use crate::records;
use crate::remote::{get, LarkCaller};

/// What Lark says about the person with `user_id` now.
pub async fn fetch_person(caller: &LarkCaller, user_id: &str) -> Result<PersonLookup, FetchError> {
    let path = api::user_path(user_id);
    match get::<UserAnswer>(caller, api::USER_GET, &path, &api::user_query()).await {
        Ok(UserAnswer { user }) if user.user_id != user_id => Err(invalid(
            api::USER_GET,
            if user.user_id.is_empty() {
                "the person came without user_id: grant the app the scope contact:user.employee_id:readonly in the Lark developer console (your app → Permissions & Scopes) and publish a new version".to_owned()
            } else {
                format!(
                    "asked for user_id `{user_id}`, Lark answered with `{}`",
                    user.user_id
                )
            },
        )),
        Ok(UserAnswer { user }) => {
            let resigned = user
                .status
                .as_ref()
                .and_then(|status| status.is_resigned)
                .unwrap_or(false);
            if resigned {
                Ok(PersonLookup::Gone)
            } else {
                Ok(PersonLookup::Found(records::person(user)))
            }
        }
        Err(error) if class_of(&error) == Some(ErrorClass::UserNotFound) => Ok(PersonLookup::Gone),
        Err(error) => Err(error.to_fetch_error()),
    }
}

/// What Lark says about the department `id` (an `open_department_id`) now.
pub async fn fetch_department(
    caller: &LarkCaller,
    id: &str,
) -> Result<DepartmentLookup, FetchError> {
    let path = api::department_path(id);
    match get::<DepartmentAnswer>(caller, api::DEPARTMENT_GET, &path, &api::department_query())
        .await
    {
        Ok(DepartmentAnswer { department }) => {
            let deleted = department
                .status
                .as_ref()
                .and_then(|status| status.is_deleted)
                .unwrap_or(false);
            if deleted {
                return Ok(DepartmentLookup::Gone);
            }
            // The root answers without an open_department_id of its own; it is `0`.
            let own = if id == api::ROOT_DEPARTMENT {
                api::ROOT_DEPARTMENT.to_owned()
            } else {
                department.open_department_id
            };
            if own != id {
                return Err(invalid(
                    api::DEPARTMENT_GET,
                    format!("asked for department `{id}`, Lark answered with `{own}`"),
                ));
            }
            let root = id == api::ROOT_DEPARTMENT;
            let parent = Some(department.parent_department_id).filter(|p| !p.is_empty() && !root);
            // As the full fetch names it: the root without a name of its own is the fallback.
            let name = if root && department.name.is_empty() {
                ROOT_NAME_FALLBACK.to_owned()
            } else {
                department.name
            };
            Ok(DepartmentLookup::Found(Department {
                id: own,
                name,
                parent_id: parent,
            }))
        }
        Err(error) if class_of(&error) == Some(ErrorClass::DepartmentNotFound) => {
            Ok(DepartmentLookup::Gone)
        }
        Err(error) => Err(error.to_fetch_error()),
    }
}

fn invalid(api: &str, message: String) -> FetchError {
    LarkError::invalid(LARK, api, message).to_fetch_error()
}
