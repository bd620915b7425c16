//! The full directory read: walk the department tree from the root `0` (each department's
//! children listed as soon as it is known) and page every department's people at the same time,
//! all through the client's limiter. Calls: one token, one department get (the root's name), and
//! per department ⌈children/50⌉ children pages and ⌈people/50⌉ people pages (at least one each).
//! A department that fails after retries is listed as a failure, so the snapshot says honestly
//! that it is incomplete.

use futures::future::BoxFuture;
use futures::stream::{FuturesUnordered, StreamExt};
use serde::de::DeserializeOwned;
use syncer_core::{Department, FetchError, FetchFailure, FetchProgress, Snapshot};

use crate::api::{self, ApiDepartment, ApiUser, DepartmentAnswer, Page};
use crate::client::LarkClient;
use crate::error::{ErrorClass, LarkError};
use crate::records::MemberSet;

/// The root department's name when Lark does not give one.
pub const ROOT_NAME_FALLBACK: &str = "Lark";

/// The outcome of one unit of work of the walk.
enum Step {
    /// Every children page of a department (or the failure).
    Children(String, Result<Vec<ApiDepartment>, LarkError>),
    /// Every people page of a department (those read before a failure, and the failure).
    Members(String, Vec<ApiUser>, Option<LarkError>),
    /// The root department, for its name.
    Root(Result<DepartmentAnswer, LarkError>),
}

/// Reads the whole directory.
pub async fn fetch_directory(
    client: &LarkClient,
    progress: &dyn FetchProgress,
) -> Result<Snapshot, FetchError> {
    client.access_token().await.map_err(|error| FetchError {
        api: Some(error.api().to_owned()),
        message: error.to_string(),
    })?;

    let root = api::ROOT_DEPARTMENT;
    let mut departments = vec![Department {
        id: root.to_owned(),
        name: ROOT_NAME_FALLBACK.to_owned(),
        parent_id: None,
    }];
    let mut members = MemberSet::default();
    let mut failures = Vec::new();
    let mut pending: FuturesUnordered<BoxFuture<'_, Step>> = FuturesUnordered::new();
    pending.push(Box::pin(list_children(client, root.to_owned())));
    pending.push(Box::pin(list_members(client, root.to_owned())));
    pending.push(Box::pin(get_root(client)));

    while let Some(step) = pending.next().await {
        match step {
            Step::Children(parent, Ok(children)) => {
                for child in children {
                    let id = child.open_department_id;
                    if id.is_empty() || departments.iter().any(|d| d.id == id) {
                        continue;
                    }
                    pending.push(Box::pin(list_children(client, id.clone())));
                    pending.push(Box::pin(list_members(client, id.clone())));
                    let parent_id = Some(child.parent_department_id)
                        .filter(|p| !p.is_empty())
                        .unwrap_or_else(|| parent.clone());
                    departments.push(Department {
                        id,
                        name: child.name,
                        parent_id: Some(parent_id),
                    });
                }
                progress.department_listed(departments.len());
            }
            Step::Children(department, Err(error)) => {
                if department == root && is_fatal(&error) {
                    return Err(fatal(error));
                }
                failures.push(failure(&department, "its sub-departments", &error));
            }
            Step::Members(department, users, error) => {
                if let Some(error) = error {
                    if department == root && is_fatal(&error) {
                        return Err(fatal(error));
                    }
                    failures.push(failure(&department, "its people", &error));
                }
                progress.users_fetched(users.len());
                for user in users {
                    members.add(user, &department);
                }
            }
            Step::Root(Ok(answer)) if !answer.department.name.is_empty() => {
                departments[0].name = answer.department.name;
            }
            Step::Root(Ok(_)) => {}
            Step::Root(Err(error)) => {
                // Only the root group's display name depends on it: not worth an incomplete run.
                tracing::warn!(%error, "could not read the root department's name");
            }
        }
    }

    if members.without_user_id() > 0 {
        failures.push(FetchFailure {
            scope: format!("{} listings of people without user_id", members.without_user_id()),
            api: api::USERS_BY_DEPARTMENT.to_owned(),
            message: "Lark returned people without user_id, so they cannot be matched: grant the app the scope contact:user.employee_id:readonly in the Lark developer console (your app → Permissions & Scopes) and publish a new version".to_owned(),
        });
    }

    Ok(Snapshot {
        users: members.into_records(),
        departments,
        failures,
        api_calls: client.api_calls(),
    })
}

/// Failures at the root that mean the app cannot read the directory at all.
fn is_fatal(error: &LarkError) -> bool {
    matches!(
        error.class(),
        Some(
            ErrorClass::BadCredentials
                | ErrorClass::AppUnavailable
                | ErrorClass::IpDenied
                | ErrorClass::MissingScope
                | ErrorClass::OutsideContactRange
                | ErrorClass::QuotaExceeded
        )
    )
}

fn fatal(error: LarkError) -> FetchError {
    FetchError {
        api: Some(error.api().to_owned()),
        message: format!("cannot read the root department: {error}"),
    }
}

fn failure(department: &str, what: &str, error: &LarkError) -> FetchFailure {
    FetchFailure {
        scope: format!("department {department} ({what})"),
        api: error.api().to_owned(),
        message: error.to_string(),
    }
}

async fn list_children(client: &LarkClient, department: String) -> Step {
    let path = api::children_path(&department);
    let (children, error) = all_pages(client, api::DEPARTMENT_CHILDREN, &path, |token| {
        api::children_query(token)
    })
    .await;
    match error {
        None => Step::Children(department, Ok(children)),
        Some(error) => Step::Children(department, Err(error)),
    }
}

async fn list_members(client: &LarkClient, department: String) -> Step {
    let (users, error) = all_pages(
        client,
        api::USERS_BY_DEPARTMENT,
        api::USERS_BY_DEPARTMENT,
        |token| api::users_query(&department, token),
    )
    .await;
    Step::Members(department, users, error)
}

async fn get_root(client: &LarkClient) -> Step {
    let path = api::department_path(api::ROOT_DEPARTMENT);
    Step::Root(
        client
            .get(api::DEPARTMENT_GET, &path, &api::department_query())
            .await,
    )
}

/// Every page of a list, following `page_token` while `has_more`: the items read, and the error
/// that stopped the walk early.
pub(crate) async fn all_pages<T: DeserializeOwned>(
    client: &LarkClient,
    api: &'static str,
    path: &str,
    query: impl Fn(Option<&str>) -> Vec<(&'static str, String)>,
) -> (Vec<T>, Option<LarkError>) {
    let mut items = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let page: Page<T> = match client.get(api, path, &query(token.as_deref())).await {
            Ok(page) => page,
            Err(error) => return (items, Some(error)),
        };
        items.extend(page.items);
        if !page.has_more {
            return (items, None);
        }
        match page.page_token.filter(|next| !next.is_empty()) {
            Some(next) if token.as_deref() != Some(next.as_str()) => token = Some(next),
            _ => {
                let error = LarkError::InvalidResponse {
                    api: api.to_owned(),
                    message: "has_more is true but no new page_token was given".to_owned(),
                };
                return (items, Some(error));
            }
        }
    }
}
