//! DingTalk's directory as the shared read of `syncer-remote` walks it: from the root, every
//! department's `listsub` as soon as it is known and its members paged at the same time, all
//! through the app's call loop. Calls: one token, one `user/count` (the organization's size,
//! which bounds every department's pages) and one `department/get` of the root (its name) at
//! once before the walk,
//! one `listsub` per department and ⌈members/100⌉ `user/list` pages per department (at least
//! one). A department that fails after retries is listed as a failure, so the snapshot says
//! honestly that it is incomplete; failures at the root that mean the app can read nothing
//! (credentials, IP whitelist, permission, contact range, quota) fail the fetch.

use syncer_core::SourceRecord;
use syncer_remote::{
    Child, DepartmentOrder, DirectoryReader, Listed, MemberCount, Members, PageBound, Survey,
};

use crate::api::{self, ApiDepartment, ApiUser, UserPage};
use crate::error::{DingTalkError, DINGTALK};
use crate::records::to_record;
use crate::remote::{post, DingTalkApp, DingTalkCaller};

impl DirectoryReader for DingTalkApp {
    type Id = i64;
    type User = ApiUser;
    const MEMBERS: &'static str = "members";
    const PAGE_SIZE: usize = api::PAGE_SIZE as usize;
    const DEPARTMENT_ORDER: DepartmentOrder = DepartmentOrder::Numeric;

    fn root() -> i64 {
        api::ROOT_DEPARTMENT
    }

    /// Its two calls at once: the organization's `user/count` (which bounds every department's
    /// pages) and the root department's name. Neither failing fails the fetch: without the
    /// count the absolute cap holds (the notice says why), without the name the root is named
    /// by the fallback.
    async fn survey(caller: &DingTalkCaller) -> Survey {
        let count_body = api::user_count_body();
        let root_body = api::get_department_body(api::ROOT_DEPARTMENT);
        let (count, root) = futures::join!(
            post::<api::UserCount>(caller, api::USER_COUNT, &count_body),
            post::<ApiDepartment>(caller, api::GET_DEPARTMENT, &root_body),
        );
        let members = match count {
            Ok(answer) => MemberCount::Counted(answer.count),
            Err(error) => MemberCount::Unread(format!("{}: {error}", api::USER_COUNT)),
        };
        let root_name = root.map_or_else(
            |error| {
                // Only the root group's display name depends on it: not worth an incomplete run.
                tracing::warn!(%error, "could not read the root department's name");
                String::new()
            },
            |root| root.name,
        );
        Survey { root_name, members }
    }

    async fn children(caller: &DingTalkCaller, dept: i64) -> Listed<Vec<Child<i64>>, Self> {
        let body = api::list_sub_departments_body(dept);
        let children: Vec<ApiDepartment> = post(caller, api::LIST_SUB_DEPARTMENTS, &body).await?;
        Ok(children
            .into_iter()
            .map(|child| Child {
                id: child.dept_id,
                name: child.name,
                parent: child.parent_id,
            })
            .collect())
    }

    async fn members(caller: &DingTalkCaller, dept: i64, bound: PageBound) -> Members<Self> {
        list_members(caller, dept, bound).await
    }

    fn to_record(user: ApiUser) -> SourceRecord {
        to_record(user)
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
