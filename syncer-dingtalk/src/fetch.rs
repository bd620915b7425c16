//! The full directory read: walk the department tree from the root (breadth-first, every
//! department's `listsub` as soon as it is known) and page every department's members at the
//! same time, all through the client's limiter. Calls: one token, one `department/get` of the
//! root (its name), one `listsub` per department and ⌈members/100⌉ `user/list` pages per
//! department (at least one). A department that fails after retries is listed
//! as a failure, so the snapshot says honestly that it is incomplete.

use std::collections::HashSet;

use futures::future::BoxFuture;
use futures::stream::{FuturesUnordered, StreamExt};
use syncer_core::{Department, FetchError, FetchFailure, FetchProgress, Snapshot};

use crate::api::{self, ApiDepartment, ApiUser, UserPage};
use crate::client::DingTalkClient;
use crate::error::{DingTalkError, ErrorClass};
use crate::records::MemberSet;

/// Pages of one department read at most (a million members): a server that keeps saying
/// `has_more` cannot hold the fetch forever.
const MAX_PAGES_PER_DEPARTMENT: usize = 10_000;

/// The outcome of one unit of work of the walk.
enum Step {
    /// `listsub` of a department.
    Children(i64, Result<Vec<ApiDepartment>, DingTalkError>),
    /// Every page of a department's members (those read before a failure, and the failure).
    Members(i64, Vec<ApiUser>, Option<DingTalkError>),
    /// `department/get` of the root, for its name (the organization's name).
    Root(Result<ApiDepartment, DingTalkError>),
}

/// Reads the whole directory.
pub async fn fetch_directory(
    client: &DingTalkClient,
    progress: &dyn FetchProgress,
) -> Result<Snapshot, FetchError> {
    client.access_token().await.map_err(|error| FetchError {
        api: Some(error.api().to_owned()),
        message: error.to_string(),
    })?;

    let root = api::ROOT_DEPARTMENT;
    let mut departments = vec![Department {
        id: root.to_string(),
        name: String::new(),
        parent_id: None,
    }];
    let mut seen = HashSet::from([root]);
    let mut members = MemberSet::default();
    let mut failures = Vec::new();
    let mut pending: FuturesUnordered<BoxFuture<'_, Step>> = FuturesUnordered::new();
    pending.push(Box::pin(list_children(client, root)));
    pending.push(Box::pin(list_members(client, root)));
    pending.push(Box::pin(get_root(client)));

    while let Some(step) = pending.next().await {
        match step {
            Step::Children(parent, Ok(children)) => {
                for child in children {
                    // A department listed twice (or a cycle) is walked once.
                    if !seen.insert(child.dept_id) {
                        tracing::warn!(
                            dept = child.dept_id,
                            parent,
                            "department listed again; walked once"
                        );
                        continue;
                    }
                    pending.push(Box::pin(list_children(client, child.dept_id)));
                    pending.push(Box::pin(list_members(client, child.dept_id)));
                    departments.push(Department {
                        id: child.dept_id.to_string(),
                        name: child.name,
                        parent_id: Some(child.parent_id.unwrap_or(parent).to_string()),
                    });
                }
                progress.department_listed(departments.len());
            }
            Step::Children(dept, Err(error)) => {
                if dept == root && is_fatal(&error) {
                    return Err(FetchError {
                        api: Some(error.api().to_owned()),
                        message: format!("cannot read the root department: {error}"),
                    });
                }
                failures.push(failure(dept, "its sub-departments", &error));
            }
            Step::Root(Ok(details)) => departments[0].name = details.name,
            Step::Root(Err(error)) => {
                // Only the root group's display name depends on it: not worth an incomplete run.
                tracing::warn!(%error, "could not read the root department's name");
            }
            Step::Members(dept, _, Some(error)) if dept == root && is_fatal(&error) => {
                return Err(FetchError {
                    api: Some(error.api().to_owned()),
                    message: format!("cannot read the members of the root department: {error}"),
                });
            }
            Step::Members(dept, users, error) => {
                progress.users_fetched(users.len());
                for user in users {
                    members.add(user, dept);
                }
                if let Some(error) = error {
                    failures.push(failure(dept, "its members", &error));
                }
            }
        }
    }

    Ok(Snapshot {
        users: members.into_records(),
        departments,
        failures,
        api_calls: client.api_calls(),
    })
}

/// Failures at the root (its sub-departments or its members) that mean the app cannot read the
/// directory at all: a fetch error naming the fix, rather than a snapshot missing everyone.
fn is_fatal(error: &DingTalkError) -> bool {
    matches!(
        error.class(),
        Some(
            ErrorClass::BadCredentials
                | ErrorClass::IpNotAllowed
                | ErrorClass::NoPermission
                | ErrorClass::OutsideContactRange
        )
    )
}

fn failure(dept: i64, what: &str, error: &DingTalkError) -> FetchFailure {
    FetchFailure {
        scope: format!("department {dept} ({what})"),
        api: error.api().to_owned(),
        message: error.to_string(),
    }
}

async fn list_children(client: &DingTalkClient, dept: i64) -> Step {
    let body = api::list_sub_departments_body(dept);
    Step::Children(dept, client.call(api::LIST_SUB_DEPARTMENTS, &body).await)
}

async fn get_root(client: &DingTalkClient) -> Step {
    let body = serde_json::json!({ "dept_id": api::ROOT_DEPARTMENT, "language": "zh_CN" });
    Step::Root(client.call(api::GET_DEPARTMENT, &body).await)
}

async fn list_members(client: &DingTalkClient, dept: i64) -> Step {
    let mut users = Vec::new();
    let mut cursor = 0;
    for _ in 0..MAX_PAGES_PER_DEPARTMENT {
        let body = api::list_users_body(dept, cursor, api::PAGE_SIZE);
        match client.call::<UserPage>(api::LIST_USERS, &body).await {
            Ok(page) => {
                users.extend(page.list);
                if !page.has_more {
                    return Step::Members(dept, users, None);
                }
                // More pages, but no way forward: the listing is cut short, and a short
                // listing must never pass for a complete one (its missing members would be
                // deprovisioned).
                match page.next_cursor {
                    Some(next) if next > cursor => cursor = next,
                    other => {
                        let message = format!(
                            "has_more is true but next_cursor is {} after cursor {cursor}; the department's listing is incomplete",
                            other.map_or("missing".to_owned(), |next| next.to_string())
                        );
                        return Step::Members(dept, users, Some(invalid_page(message)));
                    }
                }
            }
            Err(error) => return Step::Members(dept, users, Some(error)),
        }
    }
    let message = format!(
        "more than {MAX_PAGES_PER_DEPARTMENT} pages; the department's listing is incomplete"
    );
    Step::Members(dept, users, Some(invalid_page(message)))
}

fn invalid_page(message: String) -> DingTalkError {
    DingTalkError::InvalidResponse {
        api: api::LIST_USERS.to_owned(),
        message,
    }
}
