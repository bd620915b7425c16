//! [`DirectoryReader`]: what a backend says of its directory, implemented on its app type (the
//! [`Remote`]), so that one shared read ([`crate::read_directory`]) fetches every backend: where
//! the tree starts, what to read once before the walk ([`Survey`]: the root's name, the
//! organization's member count), and how to read one department's children and members through
//! the app's [`Caller`]. The bound of member pages is derived here from the count, once for
//! every backend. Knows no API.

use std::fmt;
use std::future::Future;
use std::hash::Hash;

use futures::future::BoxFuture;
use syncer_core::{FetchFailure, SourceRecord};

use crate::caller::{Caller, Remote};
use crate::class::FailureClass;
use crate::error::CallError;
use crate::page_bound::PageBound;
use crate::records::DepartmentOrder;
use crate::walk::{Child, ReadMembers, TreeReader, WalkLimits};

/// The most members one department is believed to hold: far above any real department, so a
/// listing that goes on past it is a remote answering without end.
pub const MAX_MEMBERS_PER_DEPARTMENT: usize = 100_000;

/// The result of one read of app `A`.
pub type Listed<T, A> = Result<T, CallError<<A as Remote>::Failure>>;

/// The members of a department app `A` read, and the error that cut the read short.
pub type Members<A> = (
    Vec<<A as DirectoryReader>::User>,
    Option<CallError<<A as Remote>::Failure>>,
);

/// How many people the whole organization holds, as the survey found it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MemberCount {
    /// The remote said so: every department's member pages are bounded by it.
    Counted(u64),
    /// The remote offers a count but it could not be read, for this reason (the API, and the
    /// fix when there is one): the absolute cap bounds every department, and the snapshot's
    /// notices say why.
    Unread(String),
    /// The remote offers no count: the absolute cap bounds every department.
    NotOffered,
}

/// What a backend reads once before the walk. Never a failure: what cannot be read falls back
/// (the root's name to [`DirectoryReader::ROOT_NAME_FALLBACK`], the count to the cap).
#[derive(Clone, Debug)]
pub struct Survey {
    /// The root department's name (the organization's); empty when the remote gave none.
    pub root_name: String,
    /// The organization's member count.
    pub members: MemberCount,
}

impl Default for Survey {
    fn default() -> Self {
        Self {
            root_name: String::new(),
            members: MemberCount::NotOffered,
        }
    }
}

/// How a backend's directory is read, said by its app type: the calls go through the app's
/// [`Caller`], so the backend writes no loop, retry or rate limit.
pub trait DirectoryReader: Remote + Sized + 'static {
    /// A department id.
    type Id: Clone + Eq + Hash + fmt::Display + Send + Sync;
    /// A member as the API lists it.
    type User: Send;
    /// What the members of a department are called in messages (`members`, `people`).
    const MEMBERS: &'static str;
    /// Members one page of a department's listing holds.
    const PAGE_SIZE: usize;
    /// How department ids sort in a person's record ([`DepartmentOrder::Text`] by default).
    const DEPARTMENT_ORDER: DepartmentOrder = DepartmentOrder::Text;
    /// The root department's name when the remote gives none.
    const ROOT_NAME_FALLBACK: &'static str = "";

    /// The root department's id.
    fn root() -> Self::Id;
    /// What is read once before the walk; by default nothing (no name, no count).
    fn survey(caller: &Caller<Self>) -> impl Future<Output = Survey> + Send {
        let _ = caller;
        async { Survey::default() }
    }
    /// Every direct sub-department of `department`.
    fn children(
        caller: &Caller<Self>,
        department: Self::Id,
    ) -> impl Future<Output = Listed<Vec<Child<Self::Id>>, Self>> + Send;
    /// Every member directly in `department`, at most `bound` pages: those read, and the error
    /// that cut the read short.
    fn members(
        caller: &Caller<Self>,
        department: Self::Id,
        bound: PageBound,
    ) -> impl Future<Output = Members<Self>> + Send;
    /// A listed member as a source record (the department it was listed in is added).
    fn to_record(user: Self::User) -> SourceRecord;
    /// Whether `error`, reading the root, means the app can read nothing at all (credentials,
    /// permissions, contact range, quota): the fetch stops with it instead of going on. By
    /// default, what [`FailureClass::is_fatal_at_root`] says of the failure's class.
    fn is_fatal(error: &CallError<Self::Failure>) -> bool {
        error.class().is_some_and(FailureClass::is_fatal_at_root)
    }
    /// The bounds of the walk ([`WalkLimits::default`] unless the backend says otherwise).
    fn limits() -> WalkLimits {
        WalkLimits::default()
    }
    /// The failure that says `count` listings of people came without an id (so nobody can be
    /// deprovisioned on the snapshot); a backend that knows why says the fix.
    fn unidentified(count: usize) -> FetchFailure {
        FetchFailure {
            scope: format!("{count} listings of {} without an id", Self::MEMBERS),
            api: String::new(),
            message: format!(
                "the remote listed {} without an id, so they cannot be matched to anyone; the snapshot is incomplete",
                Self::MEMBERS
            ),
        }
    }
}

/// The absolute bound of member pages of `page_size`: [`MAX_MEMBERS_PER_DEPARTMENT`] in pages.
pub fn absolute_bound(page_size: usize) -> PageBound {
    let page_size = page_size.max(1);
    PageBound::absolute(MAX_MEMBERS_PER_DEPARTMENT.div_ceil(page_size), page_size)
}

/// The bound of member pages of `page_size` for the survey's `count` of `remote`, and the notice
/// to give when only the absolute cap holds because the count could not be read.
pub(crate) fn page_bound(
    count: &MemberCount,
    page_size: usize,
    remote: &str,
) -> (PageBound, Option<String>) {
    let absolute = absolute_bound(page_size);
    match count {
        MemberCount::Counted(members) => (
            PageBound::from_members(*members, absolute.page_size, absolute.cap),
            None,
        ),
        MemberCount::Unread(why) => (absolute, Some(absolute.fallback_notice(remote, why))),
        MemberCount::NotOffered => (absolute, None),
    }
}

/// A backend's reader bound to its caller and its bound of member pages, as the walk reads it.
pub(crate) struct Reading<'a, A: Remote> {
    /// The app's call loop.
    pub(crate) caller: &'a Caller<A>,
    /// The bound of every department's member pages.
    pub(crate) bound: PageBound,
}

impl<A: DirectoryReader> TreeReader for Reading<'_, A> {
    type Id = A::Id;
    type User = A::User;
    type Failure = A::Failure;
    const MEMBERS: &'static str = A::MEMBERS;

    fn children(&self, department: A::Id) -> BoxFuture<'_, Listed<Vec<Child<A::Id>>, A>> {
        Box::pin(A::children(self.caller, department))
    }

    fn members(&self, department: A::Id) -> BoxFuture<'_, ReadMembers<Self>> {
        Box::pin(A::members(self.caller, department, self.bound))
    }

    fn is_fatal(&self, error: &CallError<A::Failure>) -> bool {
        A::is_fatal(error)
    }

    fn limits(&self) -> WalkLimits {
        A::limits()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_count_bounds_the_pages_and_only_an_unread_one_gives_a_notice() {
        let (bound, notice) = page_bound(&MemberCount::Counted(1_000), 50, "X");
        assert_eq!(bound.pages, 20 + crate::PAGE_SLACK);
        assert_eq!(
            (bound.cap, bound.members, notice),
            (2_000, Some(1_000), None)
        );
        let (bound, notice) = page_bound(&MemberCount::Unread("no scope".to_owned()), 50, "X");
        assert_eq!((bound.pages, bound.members), (2_000, None));
        assert!(notice.is_some_and(|text| text.contains("X") && text.contains("no scope")));
        let (silent, notice) = page_bound(&MemberCount::NotOffered, 50, "X");
        assert_eq!((silent, notice), (bound, None));
    }
}
