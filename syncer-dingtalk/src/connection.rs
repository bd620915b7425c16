//! Test Connection: proves what a sync needs — a token, the root's sub-departments and one page
//! of members — and turns each failure into the console setting to change.

use syncer_core::{mask_url_credentials, ConnectionCheck, ConnectionReport};

use syncer_remote::CallError;

use crate::api::{self, ApiDepartment, UserPage};
use crate::error::{DingTalkError, ErrorClass};
use crate::remote::{post, DingTalkCaller};

/// Runs the checks in order, stopping at the first failure.
pub async fn test_connection(caller: &DingTalkCaller, endpoint: &str) -> ConnectionReport {
    let mut report = ConnectionReport::default();
    match caller.access_token().await {
        Ok(_) => report.checks.push(ConnectionCheck::passed(
            "credentials",
            "DingTalk accepted the App Key and App Secret",
        )),
        Err(error) => {
            report.checks.push(ConnectionCheck::failed(
                "credentials",
                explain(&error, endpoint),
            ));
            return report;
        }
    }
    let body = api::list_sub_departments_body(api::ROOT_DEPARTMENT);
    match post::<Vec<ApiDepartment>>(caller, api::LIST_SUB_DEPARTMENTS, &body).await {
        Ok(children) => report.checks.push(ConnectionCheck::passed(
            "department permission",
            format!(
                "listed the root department's {} sub-departments",
                children.len()
            ),
        )),
        Err(error) => {
            report.checks.push(ConnectionCheck::failed(
                "department permission",
                explain(&error, endpoint),
            ));
            return report;
        }
    }
    let body = api::list_users_body(api::ROOT_DEPARTMENT, 0, api::PAGE_SIZE);
    match post::<UserPage>(caller, api::LIST_USERS, &body).await {
        Ok(page) => {
            report.checks.push(ConnectionCheck::passed(
                "member permission",
                format!(
                    "read a page of {} members of the root department",
                    page.list.len()
                ),
            ));
            if let Some(note) = hidden_fields(&page.list) {
                report
                    .checks
                    .push(ConnectionCheck::passed("contact fields", note));
            }
        }
        Err(error) => report.checks.push(ConnectionCheck::failed(
            "member permission",
            explain(&error, endpoint),
        )),
    }
    report
}

/// A warning when every member read lacks a mobile number or e-mail: usually a missing field
/// scope, and a sync would then write empty values into IAM.
fn hidden_fields(members: &[crate::api::ApiUser]) -> Option<String> {
    if members.len() < 3 {
        return None;
    }
    let mut missing = Vec::new();
    if members.iter().all(|m| m.mobile.is_empty()) {
        missing.push("mobile numbers");
    }
    if members.iter().all(|m| m.email.is_empty()) {
        missing.push("e-mail addresses");
    }
    (!missing.is_empty()).then(|| {
        format!(
            "{} are empty for all {} members read: if that is unexpected, grant the app the matching contact field permissions (developer console → Permissions / 权限管理), or the sync writes empty values into IAM",
            missing.join(" and "),
            members.len()
        )
    })
}

/// One plain sentence for the operator (the endpoint's userinfo, a proxy password, masked).
fn explain(error: &DingTalkError, endpoint: &str) -> String {
    match (error.class(), error) {
        (Some(ErrorClass::OutsideContactRange), _) => error.to_string(),
        (Some(ErrorClass::NoPermission), _) => format!(
            "{error}. If the permission is granted, the root department may be outside the app's contact range (通讯录范围): set it to the whole organization"
        ),
        (None, CallError::Network { .. } | CallError::RetriesExhausted { .. }) => {
            format!("{error} (endpoint {})", mask_url_credentials(endpoint))
        }
        _ => error.to_string(),
    }
}
