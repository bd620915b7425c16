//! One person or one department read alone, for an event: `users/:user_id` (one call) and
//! `departments/:department_id`. The person's record is built by the full fetch's own builder,
//! so an event applies exactly what a full sync would.
//!
//! Gone is what the full fetch would not list: a person Lark answers with 41012 ("user id
//! invalid"), with a resigned status, or with 41050 ("no user authority": deleted people answer
//! it, and so do people outside the app's contact range — whom the full fetch, walking that
//! range, does not list either, so the next full sync would apply the leaver policy to them
//! just the same); a department answered with 40015 ("department not exist"), with a deleted
//! status, or with 40004 (outside the range, the same reasoning). Any other failure is an error
//! naming the API and code: a person who cannot be read for another reason (throttling, a
//! missing scope, an internal error) is never taken for a leaver.

use syncer_core::{Department, DepartmentLookup, FetchError, PersonLookup};
use syncer_remote::DepartmentOrder;

use crate::api::{self, DepartmentAnswer, UserAnswer};
use crate::error::{LarkError, LARK};
use crate::fetch::ROOT_NAME_FALLBACK;
use crate::records::to_record;
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
                Ok(PersonLookup::Found(
                    DepartmentOrder::Text.sorted(to_record(user)),
                ))
            }
        }
        Err(error) if is_gone(&error, NOT_A_MEMBER) => Ok(PersonLookup::Gone),
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
        Err(error) if is_gone(&error, NOT_A_DEPARTMENT) => Ok(DepartmentLookup::Gone),
        Err(error) => Err(error.to_fetch_error()),
    }
}

/// Codes of `users/:user_id` that say the person is not one the app reads.
const NOT_A_MEMBER: &[i64] = &[41012, 41050];
/// Codes of `departments/:department_id` that say the department is not one the app reads.
const NOT_A_DEPARTMENT: &[i64] = &[40015, 40004];

/// Whether Lark answered one of `codes` (itself, not after retries of something else).
fn is_gone(error: &LarkError, codes: &[i64]) -> bool {
    matches!(error, LarkError::Api(failure) if codes.contains(&failure.code))
}

fn invalid(api: &str, message: String) -> FetchError {
    LarkError::invalid(LARK, api, message).to_fetch_error()
}
