//! The full directory read: the shared walk of `syncer-remote` over DingTalk's tree from the
//! root, every department's `listsub` as soon as it is known and its members paged at the same
//! time, all through the app's call loop. Calls: one token, one `user/count` (the organization's
//! size, which bounds every department's pages), one `department/get` of the root (its name),
//! one `listsub` per department and ⌈members/100⌉ `user/list` pages per department (at least
//! one). A department that fails after retries is listed as a failure, so the snapshot says
//! honestly that it is incomplete; failures at the root that mean the app can read nothing
//! (credentials, IP whitelist, permission, contact range, quota) fail the fetch.

use futures::future::BoxFuture;
use futures::FutureExt;
use syncer_core::{FetchError, FetchProgress, Snapshot};
use syncer_remote::{
    read_directory, token_first, Child, DepartmentOrder, DirectoryReader, Listed, PageBound,
};

use crate::api::{self, ApiDepartment, ApiUser, UserPage};
use crate::error::{ApiFailure, DingTalkError, DINGTALK};
use crate::records::to_record;
use crate::remote::{post, DingTalkCaller};

/// The most members one department can hold as far as this syncer believes (DingTalk's
/// largest editions stay well below it in a single department).
pub const MAX_MEMBERS_PER_DEPARTMENT: usize = 100_000;
/// Pages of one department read at most, whatever the organization's count says:
/// [`MAX_MEMBERS_PER_DEPARTMENT`] in pages of [`api::PAGE_SIZE`] (1,000 pages). Below it, the
/// organization's `user/count` in pages bounds each department (see [`PageBound`]); a server
/// that keeps saying `has_more` past the bound cannot hold the fetch: the department is
/// incomplete.
pub const MAX_PAGES_PER_DEPARTMENT: usize =
    MAX_MEMBERS_PER_DEPARTMENT.div_ceil(api::PAGE_SIZE as usize);

/// Reads the whole directory.
pub async fn fetch_directory(
    caller: &DingTalkCaller,
    progress: &dyn FetchProgress,
) -> Result<Snapshot, FetchError> {
    token_first(caller).await?;
    let (bound, notice) = page_bound(caller).await;
    let reader = Reader { caller, bound };
    let mut snapshot = read_directory(
        caller,
        &reader,
        api::ROOT_DEPARTMENT,
        "",
        progress,
        to_record,
    )
    .await?;
    snapshot.notices.extend(notice);
    Ok(snapshot)
}

/// The bound of every department's pages: the organization's `user/count` in pages, or the
/// absolute cap (with a notice saying why) when the count cannot be read. Never a failure.
async fn page_bound(caller: &DingTalkCaller) -> (PageBound, Option<String>) {
    let page_size = api::PAGE_SIZE as usize;
    let body = api::user_count_body();
    match post::<api::UserCount>(caller, api::USER_COUNT, &body).await {
        Ok(answer) => (
            PageBound::from_members(answer.count, page_size, MAX_PAGES_PER_DEPARTMENT),
            None,
        ),
        Err(error) => {
            let bound = PageBound::absolute(MAX_PAGES_PER_DEPARTMENT, page_size);
            let why = format!("{}: {error}", api::USER_COUNT);
            (bound, Some(bound.fallback_notice(DINGTALK, &why)))
        }
    }
}

/// DingTalk's departments as the shared walk reads them.
struct Reader<'a> {
    caller: &'a DingTalkCaller,
    bound: PageBound,
}

impl DirectoryReader for Reader<'_> {
    type Id = i64;
    type User = ApiUser;
    type Failure = ApiFailure;
    const MEMBERS: &'static str = "members";
    const DEPARTMENT_ORDER: DepartmentOrder = DepartmentOrder::Numeric;

    fn children(&self, dept: i64) -> BoxFuture<'_, Listed<Vec<Child<i64>>, Self>> {
        async move {
            let body = api::list_sub_departments_body(dept);
            let children: Vec<ApiDepartment> =
                post(self.caller, api::LIST_SUB_DEPARTMENTS, &body).await?;
            Ok(children
                .into_iter()
                .map(|child| Child {
                    id: child.dept_id,
                    name: child.name,
                    parent: child.parent_id,
                })
                .collect())
        }
        .boxed()
    }

    fn members(&self, dept: i64) -> BoxFuture<'_, (Vec<ApiUser>, Option<DingTalkError>)> {
        list_members(self.caller, dept, self.bound).boxed()
    }

    fn root_name(&self) -> BoxFuture<'_, Listed<String, Self>> {
        async move {
            let body = api::get_department_body(api::ROOT_DEPARTMENT);
            let root: ApiDepartment = post(self.caller, api::GET_DEPARTMENT, &body).await?;
            Ok(root.name)
        }
        .boxed()
    }
}

/// Every page of a department's members: those read, and the error that cut the read short. A
/// member without a `userid` cannot be matched to anyone, so it is not dropped quietly: the
/// department counts as incomplete (naming how many), and nobody is deprovisioned on it.
async fn list_members(
    caller: &DingTalkCaller,
    dept: i64,
    bound: PageBound,
) -> (Vec<ApiUser>, Option<DingTalkError>) {
    let mut users = Vec::new();
    let mut unidentified = 0usize;
    let mut cursor = 0;
    let mut cut_short = None;
    for page_number in 0.. {
        if bound.reached(page_number) {
            cut_short = Some(bound.exceeded(DINGTALK));
            break;
        }
        let body = api::list_users_body(dept, cursor, api::PAGE_SIZE);
        let page = match post::<UserPage>(caller, api::LIST_USERS, &body).await {
            Ok(page) => page,
            Err(error) => return (users, Some(error)),
        };
        for user in page.list {
            if user.userid.trim().is_empty() {
                unidentified += 1;
            } else {
                users.push(user);
            }
        }
        if !page.has_more {
            break;
        }
        // More pages, but no way forward: the listing is cut short, and a short listing must
        // never pass for a complete one (its missing members would be deprovisioned).
        match page.next_cursor {
            Some(next) if next > cursor => cursor = next,
            other => {
                cut_short = Some(format!(
                    "has_more is true but next_cursor is {} after cursor {cursor}; the department's listing is incomplete",
                    other.map_or("missing".to_owned(), |next| next.to_string())
                ));
                break;
            }
        }
    }
    let unidentified = (unidentified > 0).then(|| {
        format!(
            "{unidentified} member(s) without a userid (null or empty) cannot be matched to anyone; the department's listing is incomplete, so nobody is deprovisioned"
        )
    });
    let message = match (cut_short, unidentified) {
        (Some(cut), Some(unnamed)) => Some(format!("{cut}; also {unnamed}")),
        (cut, unnamed) => cut.or(unnamed),
    };
    (users, message.map(invalid_page))
}

fn invalid_page(message: String) -> DingTalkError {
    DingTalkError::invalid(DINGTALK, api::LIST_USERS, message)
}
