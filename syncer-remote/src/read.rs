//! [`read_directory`]: a backend's whole fetch, given its [`DirectoryReader`]. A token first (so
//! wrong credentials fail the fetch with their fix, before anything else), the survey (the
//! root's name, the bound of member pages), then the shared walk, every person met once ([`RecordSet`]), and the snapshot with the calls made. People
//! listed without an id make the snapshot incomplete. Knows no API.

use syncer_core::{FetchError, FetchProgress, Snapshot};

use crate::caller::{Caller, Remote};
use crate::reader::{page_bound, DirectoryReader, Reading};
use crate::records::RecordSet;
use crate::walk::walk_departments;

/// Takes the app's token before anything else a fetch does, so that wrong credentials fail the
/// fetch with their fix (rather than as some earlier read's failure). [`read_directory`] does it
/// before the survey.
pub async fn token_first<R: Remote>(caller: &Caller<R>) -> Result<(), FetchError> {
    caller
        .access_token()
        .await
        .map(|_| ())
        .map_err(|error| error.to_fetch_error())
}

/// Reads app `A`'s whole directory through `caller`: the token, the survey, the walk from
/// [`DirectoryReader::root`] (every department's member pages bounded by the survey's count),
/// every person once.
pub async fn read_directory<A: DirectoryReader>(
    caller: &Caller<A>,
    progress: &dyn FetchProgress,
) -> Result<Snapshot, FetchError> {
    token_first(caller).await?;
    let survey = A::survey(caller).await;
    let (bound, notice) = page_bound(&survey.members, A::PAGE_SIZE, A::NAME);
    let root_name = match survey.root_name.as_str() {
        "" => A::ROOT_NAME_FALLBACK,
        name => name,
    };
    let reader = Reading { caller, bound };
    let mut people = RecordSet::default();
    let walked = walk_departments(
        &reader,
        A::root(),
        root_name,
        progress,
        |department, users| {
            let department = department.to_string();
            for user in users {
                people.add(A::to_record(user), &department);
            }
        },
    )
    .await?;
    let mut failures = walked.failures;
    if people.without_id() > 0 {
        failures.push(A::unidentified(people.without_id()));
    }
    Ok(Snapshot {
        users: people.into_records(A::DEPARTMENT_ORDER),
        departments: walked.departments,
        failures,
        api_calls: caller.api_calls(),
        notices: notice.into_iter().collect(),
    })
}
