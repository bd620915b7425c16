//! The full directory read: the shared walk of `syncer-remote` over Lark's tree from the root
//! `0`, each department's children listed as soon as it is known and its people paged at the
//! same time, all through the app's call loop. Calls: one token, one department get (the root's
//! name), and per department ⌈children/50⌉ children pages and ⌈people/50⌉ people pages (at
//! least one each). A department that fails after retries is listed as a failure, so the
//! snapshot says honestly that it is incomplete.

use futures::future::BoxFuture;
use futures::FutureExt;
use serde::de::DeserializeOwned;
use syncer_core::{FetchError, FetchFailure, FetchProgress, Snapshot};
use syncer_remote::{read_directory, Child, DirectoryReader, Listed};

use crate::api::{self, ApiDepartment, ApiUser, DepartmentAnswer, Page};
use crate::error::{ApiFailure, LarkError, LARK};
use crate::records::to_record;
use crate::remote::{get, LarkCaller};

/// The most people (or sub-departments) one department can hold as far as this syncer believes.
pub const MAX_ITEMS_PER_LIST: usize = 100_000;
/// Pages of one list read at most: [`MAX_ITEMS_PER_LIST`] in pages of [`api::PAGE_SIZE`]
/// (2,000 pages). A server that keeps saying `has_more` past it cannot hold the fetch: the
/// department is incomplete.
pub const MAX_PAGES_PER_LIST: usize = MAX_ITEMS_PER_LIST.div_ceil(api::PAGE_SIZE as usize);

/// The root department's name when Lark does not give one.
pub const ROOT_NAME_FALLBACK: &str = "Lark";

/// Reads the whole directory.
pub async fn fetch_directory(
    caller: &LarkCaller,
    progress: &dyn FetchProgress,
) -> Result<Snapshot, FetchError> {
    let root = api::ROOT_DEPARTMENT.to_owned();
    let reader = Reader { caller };
    read_directory(
        caller,
        &reader,
        root,
        ROOT_NAME_FALLBACK,
        progress,
        to_record,
    )
    .await
}

/// Lark's departments as the shared walk reads them.
struct Reader<'a> {
    caller: &'a LarkCaller,
}

impl DirectoryReader for Reader<'_> {
    type Id = String;
    type User = ApiUser;
    type Failure = ApiFailure;
    const MEMBERS: &'static str = "people";

    fn children(&self, department: String) -> BoxFuture<'_, Listed<Vec<Child<String>>, Self>> {
        async move {
            let path = api::children_path(&department);
            let (children, error) = all_pages::<ApiDepartment>(
                self.caller,
                api::DEPARTMENT_CHILDREN,
                &path,
                api::children_query,
            )
            .await;
            if let Some(error) = error {
                return Err(error);
            }
            // A sub-department without an id cannot be walked: its people would be missing,
            // so the listing is incomplete rather than quietly shorter.
            let unnamed = children
                .iter()
                .filter(|child| child.open_department_id.is_empty())
                .count();
            if unnamed > 0 {
                let message = format!(
                    "{unnamed} sub-department(s) without open_department_id cannot be walked; the department's listing is incomplete"
                );
                return Err(LarkError::invalid(LARK, api::DEPARTMENT_CHILDREN, message));
            }
            Ok(children
                .into_iter()
                .map(|child| Child {
                    id: child.open_department_id,
                    name: child.name,
                    parent: Some(child.parent_department_id).filter(|p| !p.is_empty()),
                })
                .collect())
        }
        .boxed()
    }

    fn members(&self, department: String) -> BoxFuture<'_, (Vec<ApiUser>, Option<LarkError>)> {
        async move {
            let api = api::USERS_BY_DEPARTMENT;
            all_pages(self.caller, api, api, |token| {
                api::users_query(&department, token)
            })
            .await
        }
        .boxed()
    }

    fn root_name(&self) -> BoxFuture<'_, Listed<String, Self>> {
        async move {
            let path = api::department_path(api::ROOT_DEPARTMENT);
            let answer: DepartmentAnswer = get(
                self.caller,
                api::DEPARTMENT_GET,
                &path,
                &api::department_query(),
            )
            .await?;
            Ok(answer.department.name)
        }
        .boxed()
    }

    /// People listed without `user_id`: the app lacks the scope that reveals it.
    fn unidentified(&self, count: usize) -> FetchFailure {
        FetchFailure {
            scope: format!("{count} listings of people without user_id"),
            api: api::USERS_BY_DEPARTMENT.to_owned(),
            message: "Lark returned people without user_id, so they cannot be matched: grant the app the scope contact:user.employee_id:readonly in the Lark developer console (your app → Permissions & Scopes) and publish a new version".to_owned(),
        }
    }
}

/// Every page of a list, following `page_token` while `has_more`: the items read, and the error
/// that stopped the walk early.
async fn all_pages<T: DeserializeOwned + Send>(
    caller: &LarkCaller,
    api: &'static str,
    path: &str,
    query: impl Fn(Option<&str>) -> Vec<(&'static str, String)>,
) -> (Vec<T>, Option<LarkError>) {
    let mut items = Vec::new();
    let mut token: Option<String> = None;
    for _ in 0..MAX_PAGES_PER_LIST {
        let page: Page<T> = match get(caller, api, path, &query(token.as_deref())).await {
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
                let message = "has_more is true but no new page_token was given";
                return (items, Some(LarkError::invalid(LARK, api, message)));
            }
        }
    }
    let message = format!(
        "more than {MAX_PAGES_PER_LIST} pages ({MAX_ITEMS_PER_LIST} items, the most one department is believed to hold) and Lark still says has_more; the listing is incomplete"
    );
    (items, Some(LarkError::invalid(LARK, api, message)))
}
