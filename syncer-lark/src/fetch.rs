//! Lark's directory as the shared read of `syncer-remote` walks it: from the root `0`, each
//! department's children listed as soon as it is known and its people paged at the same time,
//! all through the app's call loop. Calls: one token, one department get of the root
//! before the walk (its name, and its `member_count`, which bounds every department's people
//! pages), and per department ⌈children/50⌉ children pages and ⌈people/50⌉ people pages (at
//! least one each). A department that fails after retries is listed as a failure, so the
//! snapshot says honestly that it is incomplete; so is one listing people without `user_id`.

use serde::de::DeserializeOwned;
use syncer_core::{FetchFailure, SourceRecord};
use syncer_remote::{
    absolute_bound, Child, DirectoryReader, Listed, MemberCount, Members, PageBound, Survey,
};

use crate::api::{self, ApiDepartment, ApiUser, DepartmentAnswer, Page};
use crate::error::{LarkError, LARK};
use crate::records::to_record;
use crate::remote::{get, LarkApp, LarkCaller};

/// The root department's name when Lark does not give one.
pub const ROOT_NAME_FALLBACK: &str = "Lark";

impl DirectoryReader for LarkApp {
    type Id = String;
    type User = ApiUser;
    const MEMBERS: &'static str = "people";
    const PAGE_SIZE: usize = api::PAGE_SIZE as usize;
    const ROOT_NAME_FALLBACK: &'static str = ROOT_NAME_FALLBACK;

    fn root() -> String {
        api::ROOT_DEPARTMENT.to_owned()
    }

    /// The root department, read once: its name, and its `member_count` (everyone in the
    /// tenant) as the bound of every department's people pages. Without the count the absolute
    /// cap holds, and the notice says why.
    async fn survey(caller: &LarkCaller) -> Survey {
        let path = api::department_path(api::ROOT_DEPARTMENT);
        let query = api::department_query();
        match get::<DepartmentAnswer>(caller, api::DEPARTMENT_GET, &path, &query).await {
            Ok(answer) => Survey {
                members: match answer.department.member_count.filter(|&count| count > 0) {
                    Some(count) => MemberCount::Counted(count),
                    None => MemberCount::Unread(
                        "the root department came without member_count: grant the app the scope contact:department.organize:readonly".to_owned(),
                    ),
                },
                root_name: answer.department.name,
            },
            Err(error) => {
                // Only the root group's display name and the bound depend on it.
                tracing::warn!(%error, "could not read the root department");
                let why = format!("{}: {error}", api::DEPARTMENT_GET);
                Survey {
                    root_name: String::new(),
                    members: MemberCount::Unread(why),
                }
            }
        }
    }

    async fn children(caller: &LarkCaller, department: String) -> Listed<Vec<Child<String>>, Self> {
        let path = api::children_path(&department);
        let (children, error) = all_pages::<ApiDepartment>(
            caller,
            api::DEPARTMENT_CHILDREN,
            &path,
            absolute_bound(api::PAGE_SIZE as usize),
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

    async fn members(caller: &LarkCaller, department: String, bound: PageBound) -> Members<Self> {
        let api = api::USERS_BY_DEPARTMENT;
        let (people, error) = all_pages(caller, api, api, bound, |token| {
            api::users_query(&department, token)
        })
        .await;
        identified(people, error)
    }

    fn to_record(user: ApiUser) -> SourceRecord {
        to_record(user)
    }

    /// People listed without `user_id`: the app lacks the scope that reveals it.
    fn unidentified(count: usize) -> FetchFailure {
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
