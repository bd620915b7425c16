//! The full directory read: the shared walk of `syncer-remote` over Lark's tree from the root
//! `0`, each department's children listed as soon as it is known and its people paged at the
//! same time, all through the app's call loop. Calls: one token, one department get of the root
//! before the walk (its name, and its `member_count`, which bounds every department's people
//! pages), and per department ⌈children/50⌉ children pages and ⌈people/50⌉ people pages (at
//! least one each). A department that fails after retries is listed as a failure, so the
//! snapshot says honestly that it is incomplete; so is one listing people without `user_id`.

use futures::future::BoxFuture;
use futures::FutureExt;
use serde::de::DeserializeOwned;
use syncer_core::{FetchError, FetchFailure, FetchProgress, Snapshot};
use syncer_remote::{read_directory, token_first, Child, DirectoryReader, Listed, PageBound};

use crate::api::{self, ApiDepartment, ApiUser, DepartmentAnswer, Page};
use crate::error::{ApiFailure, LarkError, LARK};
use crate::records::to_record;
use crate::remote::{get, LarkCaller};

/// The most people (or sub-departments) one department can hold as far as this syncer believes.
pub const MAX_ITEMS_PER_LIST: usize = 100_000;
/// Pages of one list read at most: [`MAX_ITEMS_PER_LIST`] in pages of [`api::PAGE_SIZE`]
/// (2,000 pages). Below it, the root's `member_count` in pages bounds each department's people
/// (see [`PageBound`]). A server that keeps saying `has_more` past the bound cannot hold the
/// fetch: the department is incomplete.
pub const MAX_PAGES_PER_LIST: usize = MAX_ITEMS_PER_LIST.div_ceil(api::PAGE_SIZE as usize);

/// The root department's name when Lark does not give one.
pub const ROOT_NAME_FALLBACK: &str = "Lark";

/// Reads the whole directory.
pub async fn fetch_directory(
    caller: &LarkCaller,
    progress: &dyn FetchProgress,
) -> Result<Snapshot, FetchError> {
    token_first(caller).await?;
    let root = read_root(caller).await;
    let reader = Reader {
        caller,
        root_name: root.name,
        people_bound: root.bound,
    };
    let mut snapshot = read_directory(
        caller,
        &reader,
        api::ROOT_DEPARTMENT.to_owned(),
        ROOT_NAME_FALLBACK,
        progress,
        to_record,
    )
    .await?;
    snapshot.notices.extend(root.notice);
    Ok(snapshot)
}

/// What the root department says before the walk: its name and the bound of every
/// department's people pages, with a notice when the bound fell back to the absolute cap.
struct Root {
    name: String,
    bound: PageBound,
    notice: Option<String>,
}

/// Reads the root department once: its name, and its `member_count` (everyone in the tenant)
/// as the bound of every department's people pages. Never a failure: without the count the
/// absolute cap holds, and the notice says why.
async fn read_root(caller: &LarkCaller) -> Root {
    let page_size = api::PAGE_SIZE as usize;
    let absolute = PageBound::absolute(MAX_PAGES_PER_LIST, page_size);
    let path = api::department_path(api::ROOT_DEPARTMENT);
    let query = api::department_query();
    match get::<DepartmentAnswer>(caller, api::DEPARTMENT_GET, &path, &query).await {
        Ok(answer) => match answer.department.member_count.filter(|&count| count > 0) {
            Some(count) => Root {
                name: answer.department.name,
                bound: PageBound::from_members(count, page_size, MAX_PAGES_PER_LIST),
                notice: None,
            },
            None => Root {
                name: answer.department.name,
                bound: absolute,
                notice: Some(absolute.fallback_notice(
                    LARK,
                    "the root department came without member_count: grant the app the scope contact:department.organize:readonly",
                )),
            },
        },
        Err(error) => {
            // Only the root group's display name and the bound depend on it.
            tracing::warn!(%error, "could not read the root department");
            let why = format!("{}: {error}", api::DEPARTMENT_GET);
            Root {
                name: String::new(),
                bound: absolute,
                notice: Some(absolute.fallback_notice(LARK, &why)),
            }
        }
    }
}

/// Lark's departments as the shared walk reads them.
struct Reader<'a> {
    caller: &'a LarkCaller,
    /// The root's name as read before the walk (empty when it could not be read).
    root_name: String,
    /// The bound of every department's people pages.
    people_bound: PageBound,
}

impl DirectoryReader for Reader<'_> {
    type Id = String;
    type User = ApiUser;
    type Failure = ApiFailure;
    const MEMBERS: &'static str = "people";

    fn children(&self, department: String) -> BoxFuture<'_, Listed<Vec<Child<String>>, Self>> {
        async move {
            let path = api::children_path(&department);
            let bound = PageBound::absolute(MAX_PAGES_PER_LIST, api::PAGE_SIZE as usize);
            let (children, error) = all_pages::<ApiDepartment>(
                self.caller,
                api::DEPARTMENT_CHILDREN,
                &path,
                bound,
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
            let (people, error) = all_pages(self.caller, api, api, self.people_bound, |token| {
                api::users_query(&department, token)
            })
            .await;
            identified(people, error)
        }
        .boxed()
    }

    /// The name read before the walk (no call of its own).
    fn root_name(&self) -> BoxFuture<'_, Listed<String, Self>> {
        let name = self.root_name.clone();
        async move { Ok(name) }.boxed()
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
    bound: PageBound,
    query: impl Fn(Option<&str>) -> Vec<(&'static str, String)>,
) -> (Vec<T>, Option<LarkError>) {
    let mut items = Vec::new();
    let mut token: Option<String> = None;
    for _ in 0..bound.pages {
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
    let message = bound.exceeded(LARK);
    (items, Some(LarkError::invalid(LARK, api, message)))
}

/// A department's people without those Lark gave no `user_id` (they cannot be matched to
/// anyone): when there are such people, the department is incomplete, naming how many, so
/// nobody is deprovisioned on it.
fn identified(people: Vec<ApiUser>, error: Option<LarkError>) -> (Vec<ApiUser>, Option<LarkError>) {
    let listed = people.len();
    let people: Vec<ApiUser> = people
        .into_iter()
        .filter(|person| !person.user_id.trim().is_empty())
        .collect();
    let unnamed = listed - people.len();
    if unnamed == 0 {
        return (people, error);
    }
    let message = format!(
        "{unnamed} person(s) without a user_id cannot be matched to anyone, so the department's listing is incomplete and nobody is deprovisioned: grant the app the scope contact:user.employee_id:readonly in the Lark developer console (your app → Permissions & Scopes) and publish a new version"
    );
    let message = match error {
        Some(error) => format!("{error}; also {message}"),
        None => message,
    };
    let api = api::USERS_BY_DEPARTMENT;
    (people, Some(LarkError::invalid(LARK, api, message)))
}
