//! [`read_directory`]: a backend's whole fetch, given how it reads one department. A token
//! first (so wrong credentials fail the fetch with their fix, before any walk), then the shared
//! walk, every person met once ([`RecordSet`]), and the snapshot with the calls made. People
//! listed without an id make the snapshot incomplete. Knows no API.

use syncer_core::{FetchError, FetchProgress, Snapshot, SourceRecord};

use crate::caller::{Caller, Remote};
use crate::records::RecordSet;
use crate::walk::{walk_departments, DirectoryReader};

/// Takes the app's token before anything else a fetch does, so that wrong credentials fail the
/// fetch with their fix (rather than as some earlier read's failure). [`read_directory`] does it
/// itself; a backend that reads something before it (a bound, the root) calls this first, and
/// the read finds the token cached.
pub async fn token_first<R: Remote>(caller: &Caller<R>) -> Result<(), FetchError> {
    caller
        .access_token()
        .await
        .map(|_| ())
        .map_err(|error| error.to_fetch_error())
}

/// Reads the directory below `root` (named `root_name` unless the remote names it) with
/// `reader`, whose calls go through `caller`; `to_record` makes a listed member a record (the
/// department it was listed in is added).
pub async fn read_directory<R, D>(
    caller: &Caller<R>,
    reader: &D,
    root: D::Id,
    root_name: &str,
    progress: &dyn FetchProgress,
    to_record: fn(D::User) -> SourceRecord,
) -> Result<Snapshot, FetchError>
where
    R: Remote,
    D: DirectoryReader<Failure = R::Failure>,
{
    token_first(caller).await?;
    let mut people = RecordSet::default();
    let walked = walk_departments(reader, root, root_name, progress, |department, users| {
        let department = department.to_string();
        for user in users {
            people.add(to_record(user), &department);
        }
    })
    .await?;
    let mut failures = walked.failures;
    if people.without_id() > 0 {
        failures.push(reader.unidentified(people.without_id()));
    }
    Ok(Snapshot {
        users: people.into_records(D::DEPARTMENT_ORDER),
        departments: walked.departments,
        failures,
        api_calls: caller.api_calls(),
        notices: Vec::new(),
    })
}
