//! The whole directory through the shared walk: the backend says how to read one department's
//! children and members; the walk does the tree, the concurrency and the failures.

use futures::future::BoxFuture;
use futures::FutureExt;
use syncer_core::{FetchError, FetchProgress, Snapshot};
use syncer_remote::{walk_departments, Caller, Child, DirectoryReader, Listed};

use crate::api::{self, ApiDepartment, ApiUser, List};
use crate::error::{ApiFailure, ExampleError};
use crate::records::People;
use crate::remote::{get, ExampleApp};

/// Reads every department and person.
pub async fn fetch(
    caller: &Caller<ExampleApp>,
    progress: &dyn FetchProgress,
) -> Result<Snapshot, FetchError> {
    caller
        .access_token()
        .await
        .map_err(|error| error.to_fetch_error())?;
    let mut people = People::default();
    let reader = Reader { caller };
    let walked = walk_departments(
        &reader,
        api::ROOT.to_owned(),
        "Example",
        progress,
        |dept, users| people.add(dept, users),
    )
    .await?;
    Ok(Snapshot {
        users: people.into_records(),
        departments: walked.departments,
        failures: walked.failures,
        api_calls: caller.api_calls(),
        notices: Vec::new(),
    })
}

struct Reader<'a> {
    caller: &'a Caller<ExampleApp>,
}

impl DirectoryReader for Reader<'_> {
    type Id = String;
    type User = ApiUser;
    type Failure = ApiFailure;
    const MEMBERS: &'static str = "people";

    fn children(&self, dept: String) -> BoxFuture<'_, Listed<Vec<Child<String>>, Self>> {
        async move {
            let list: List<ApiDepartment> = get(self.caller, api::CHILDREN, &dept).await?;
            let child = |d: ApiDepartment| Child {
                id: d.id,
                name: d.name,
                parent: None,
            };
            Ok(list.items.into_iter().map(child).collect())
        }
        .boxed()
    }

    fn members(&self, dept: String) -> BoxFuture<'_, (Vec<ApiUser>, Option<ExampleError>)> {
        async move {
            match get::<List<ApiUser>>(self.caller, api::MEMBERS, &dept).await {
                Ok(list) => (list.items, None),
                Err(error) => (Vec::new(), Some(error)),
            }
        }
        .boxed()
    }

    fn root_name(&self) -> BoxFuture<'_, Listed<String, Self>> {
        async { Ok(String::new()) }.boxed()
    }

    /// Without the directory.read scope at the root, nothing can be read.
    fn is_fatal(&self, error: &ExampleError) -> bool {
        error
            .failure()
            .is_some_and(|failure| failure.code == "forbidden")
    }
}
