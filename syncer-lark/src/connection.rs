//! Test Connection: proves what a sync needs — a tenant access token, the root department's
//! children and one page of its people (with their `user_id`) — and turns each failure into the
//! developer-console setting to change.

use syncer_core::{mask_url_credentials, ConnectionCheck, ConnectionReport};

use syncer_remote::CallError;

use crate::api::{self, ApiDepartment, ApiUser, Page};
use crate::error::{ErrorClass, LarkError};
use crate::remote::{get, LarkCaller};

/// Runs the checks in order, stopping at the first failure.
pub async fn test_connection(caller: &LarkCaller, endpoint: &str) -> ConnectionReport {
    let mut report = ConnectionReport::default();
    if let Err(error) = caller.access_token().await {
        report.checks.push(ConnectionCheck::failed(
            "credentials",
            explain(&error, endpoint),
        ));
        return report;
    }
    report.checks.push(ConnectionCheck::passed(
        "credentials",
        "Lark accepted the App ID and App Secret",
    ));

    let path = api::children_path(api::ROOT_DEPARTMENT);
    let query = api::children_query(None);
    let children =
        get::<Page<ApiDepartment>>(caller, api::DEPARTMENT_CHILDREN, &path, &query).await;
    let first_child = match children {
        Ok(page) => {
            report.checks.push(ConnectionCheck::passed(
                "department permission",
                format!(
                    "listed {}{} sub-departments of the root department",
                    page.items.len(),
                    if page.has_more { "+" } else { "" }
                ),
            ));
            page.items.into_iter().next()
        }
        Err(error) => {
            report.checks.push(ConnectionCheck::failed(
                "department permission",
                explain(&error, endpoint),
            ));
            return report;
        }
    };

    let query = api::users_query(api::ROOT_DEPARTMENT, None);
    let users = api::USERS_BY_DEPARTMENT;
    let mut people = get::<Page<ApiUser>>(caller, users, users, &query).await;
    // Nobody sits in the root itself (common): read a page of its first sub-department, so
    // the user_id scope is proven on real people rather than on an empty page.
    if let (Ok(page), Some(child)) = (&people, &first_child) {
        if page.items.is_empty() {
            let query = api::users_query(&child.open_department_id, None);
            people = get::<Page<ApiUser>>(caller, users, users, &query).await;
        }
    }
    match people {
        Ok(page) if page.items.iter().any(|user| user.user_id.is_empty()) => {
            report.checks.push(ConnectionCheck::failed(
                "member permission",
                "Lark lists people without user_id: grant the scope contact:user.employee_id:readonly in the Lark developer console (your app → Permissions & Scopes) and publish a new version of the app",
            ));
        }
        Ok(page) => report.checks.push(ConnectionCheck::passed(
            "member permission",
            format!("read a page of {} people", page.items.len()),
        )),
        Err(error) => report.checks.push(ConnectionCheck::failed(
            "member permission",
            explain(&error, endpoint),
        )),
    }
    report
}

/// One plain sentence for the operator (the endpoint's userinfo, a proxy password, masked).
fn explain(error: &LarkError, endpoint: &str) -> String {
    match (error.class(), error) {
        (Some(ErrorClass::OutsideContactRange), _) => format!(
            "{error}. Reading from the root department needs the contact range \"all members\" (全部成员)"
        ),
        (None, CallError::Network { .. } | CallError::RetriesExhausted { .. } | CallError::Http { .. }) => {
            format!("{error} (endpoint {})", mask_url_credentials(endpoint))
        }
        _ => error.to_string(),
    }
}
