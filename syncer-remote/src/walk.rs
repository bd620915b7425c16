//! The read of a whole department tree: from the root, breadth-first, each department's children
//! listed as soon as it is known and its members read at the same time, every step as soon as
//! the call loop lets it go. A department listed twice (or a cycle) is walked once, found in a
//! set (not by scanning the departments read so far). A failing department becomes a
//! [`FetchFailure`], so the snapshot says honestly that it is incomplete; a failure at the root
//! that means the app can read nothing stops the walk. The backend's reader makes the calls;
//! this module knows no API.

use std::collections::HashSet;
use std::fmt;
use std::hash::Hash;

use futures::future::BoxFuture;
use futures::stream::{FuturesUnordered, StreamExt};
use syncer_core::{Department, FetchError, FetchFailure, FetchProgress};

use crate::class::FailureClass;
use crate::error::{CallError, Failure};

/// Departments one walk reads at most, by default: far more than any real directory holds, so
/// only a remote that keeps inventing departments reaches it.
pub const MAX_DEPARTMENTS: usize = 100_000;
/// How deep below the root a walk goes at most, by default: real trees are a dozen levels deep.
pub const MAX_DEPTH: usize = 100;

/// The bounds of a walk: past either, the fetch fails with a sentence naming it (a remote that
/// answers a tree without end cannot hold the fetch, or its memory, forever).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WalkLimits {
    /// Departments read at most, the root included.
    pub max_departments: usize,
    /// Levels below the root read at most (the root's children are level 1).
    pub max_depth: usize,
}

impl Default for WalkLimits {
    fn default() -> Self {
        Self {
            max_departments: MAX_DEPARTMENTS,
            max_depth: MAX_DEPTH,
        }
    }
}

/// A sub-department as its parent's listing gives it.
#[derive(Clone, Debug)]
pub struct Child<Id> {
    /// Its id.
    pub id: Id,
    /// Its name.
    pub name: String,
    /// Its parent as the listing says (the listed parent when absent).
    pub parent: Option<Id>,
}

/// Which read of a department failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Part {
    /// Its sub-departments.
    Children,
    /// Its members.
    Members,
}

/// How the walk reads one department: what [`crate::DirectoryReader`] says of a backend, bound
/// to its caller and to what the survey before the walk found. Crate-internal, so that the walk
/// is tested without a remote.
pub(crate) trait TreeReader: Sync {
    /// A department id.
    type Id: Clone + Eq + Hash + fmt::Display + Send + Sync;
    /// A member as the backend reads it.
    type User: Send;
    /// The backend's failure of an answer with an error code.
    type Failure: Failure + fmt::Display + Send;
    /// What the members of a department are called in messages (`members`, `people`).
    const MEMBERS: &'static str;

    /// Every direct sub-department of `department`.
    fn children(&self, department: Self::Id) -> BoxFuture<'_, Read<Vec<Child<Self::Id>>, Self>>;
    /// Every member directly in `department`: those read, and the error that cut the read short.
    fn members(&self, department: Self::Id) -> BoxFuture<'_, ReadMembers<Self>>;
    /// Whether `error`, reading the root, means the app can read nothing at all.
    fn is_fatal(&self, error: &CallError<Self::Failure>) -> bool {
        error.class().is_some_and(FailureClass::is_fatal_at_root)
    }
    /// The bounds of the walk.
    fn limits(&self) -> WalkLimits {
        WalkLimits::default()
    }
}

/// The members of a department a tree reader `R` read, and the error that cut the read short.
pub(crate) type ReadMembers<R> = (
    Vec<<R as TreeReader>::User>,
    Option<CallError<<R as TreeReader>::Failure>>,
);

/// The result of one read of a tree reader `R`.
pub(crate) type Read<T, R> = Result<T, CallError<<R as TreeReader>::Failure>>;

/// The departments and failures of a walk (the members went to the walk's callback).
#[derive(Debug, Default)]
pub(crate) struct Walked {
    /// Every department read, the root first.
    pub(crate) departments: Vec<Department>,
    /// The departments that could not be read completely.
    pub(crate) failures: Vec<FetchFailure>,
}

/// The outcome of one unit of work of the walk.
enum Step<R: TreeReader + ?Sized> {
    /// A department's children, with the department's depth (the root is 0).
    Children(R::Id, usize, Read<Vec<Child<R::Id>>, R>),
    Members(R::Id, Vec<R::User>, Option<CallError<R::Failure>>),
}

/// Walks the tree below `root` (named `root_name`), handing every department's members to
/// `on_members`.
pub(crate) async fn walk_departments<R: TreeReader + ?Sized>(
    reader: &R,
    root: R::Id,
    root_name: &str,
    progress: &dyn FetchProgress,
    mut on_members: impl FnMut(&R::Id, Vec<R::User>),
) -> Result<Walked, FetchError> {
    let mut walked = Walked {
        departments: vec![Department {
            id: root.to_string(),
            name: root_name.to_owned(),
            parent_id: None,
        }],
        failures: Vec::new(),
    };
    let limits = reader.limits();
    let mut seen = HashSet::from([root.clone()]);
    let mut pending: FuturesUnordered<BoxFuture<'_, Step<R>>> = FuturesUnordered::new();
    pending.push(children(reader, root.clone(), 0));
    pending.push(members(reader, root.clone()));

    while let Some(step) = pending.next().await {
        match step {
            Step::Children(parent, depth, Ok(listed)) => {
                for child in listed {
                    if !seen.insert(child.id.clone()) {
                        tracing::warn!(department = %child.id, %parent, "department listed again; walked once");
                        continue;
                    }
                    if depth + 1 > limits.max_depth {
                        return Err(too_big(format!(
                            "department {} lies more than {} levels below the root (the walk's depth limit)",
                            child.id, limits.max_depth
                        )));
                    }
                    if walked.departments.len() >= limits.max_departments {
                        return Err(too_big(format!(
                            "the directory lists more than {} departments (the walk's limit)",
                            limits.max_departments
                        )));
                    }
                    pending.push(children(reader, child.id.clone(), depth + 1));
                    pending.push(members(reader, child.id.clone()));
                    walked.departments.push(Department {
                        id: child.id.to_string(),
                        name: child.name,
                        parent_id: Some(child.parent.unwrap_or_else(|| parent.clone()).to_string()),
                    });
                }
                progress.department_listed(walked.departments.len());
            }
            Step::Children(department, _, Err(error)) => {
                walked
                    .failures
                    .push(failure(reader, &root, &department, Part::Children, &error)?);
            }
            Step::Members(department, users, error) => {
                if let Some(error) = error {
                    let failure = failure(reader, &root, &department, Part::Members, &error)?;
                    walked.failures.push(failure);
                }
                progress.users_fetched(users.len());
                on_members(&department, users);
            }
        }
    }
    Ok(walked)
}

/// The error that stops a walk past one of its [`WalkLimits`], `what` saying which.
fn too_big(what: String) -> FetchError {
    FetchError {
        api: None,
        message: format!(
            "{what}: no real directory is that large, so the remote is answering a tree without end; the fetch stops and nobody is deprovisioned"
        ),
    }
}

/// The failure entry of `department`, or the fetch error when it is the root and fatal.
fn failure<R: TreeReader + ?Sized>(
    reader: &R,
    root: &R::Id,
    department: &R::Id,
    part: Part,
    error: &CallError<R::Failure>,
) -> Result<FetchFailure, FetchError> {
    if department == root && reader.is_fatal(error) {
        let what = match part {
            Part::Children => "the root department".to_owned(),
            Part::Members => format!("the {} of the root department", R::MEMBERS),
        };
        return Err(FetchError {
            api: Some(error.api().to_owned()),
            message: format!("cannot read {what}: {error}"),
        });
    }
    let what = match part {
        Part::Children => "its sub-departments".to_owned(),
        Part::Members => format!("its {}", R::MEMBERS),
    };
    Ok(FetchFailure {
        scope: format!("department {department} ({what})"),
        api: error.api().to_owned(),
        message: error.to_string(),
    })
}

fn children<R: TreeReader + ?Sized>(
    reader: &R,
    department: R::Id,
    depth: usize,
) -> BoxFuture<'_, Step<R>> {
    Box::pin(async move {
        let listed = reader.children(department.clone()).await;
        Step::Children(department, depth, listed)
    })
}

fn members<R: TreeReader + ?Sized>(reader: &R, department: R::Id) -> BoxFuture<'_, Step<R>> {
    Box::pin(async move {
        let (users, error) = reader.members(department.clone()).await;
        Step::Members(department, users, error)
    })
}

#[cfg(test)]
mod tests;
