//! The whole directory through the shared walk: the backend says how to read one department's
//! children and members; the walk does the tree, the concurrency and the failures (a failure at
//! the root whose class means nothing can be read stops the fetch), and every person is kept once.

use futures::future::BoxFuture;
use futures::FutureExt;
use syncer_core::{FetchError, FetchProgress, Snapshot};
use syncer_remote::{read_directory, Caller, Child, DirectoryReader, Listed};

use crate::api::{self, ApiDepartment, ApiUser, List};
use crate::error::{ApiFailure, ExampleError};
use crate::records::to_record;
use crate::remote::{get, ExampleApp};

/// Reads every department and person: a token first, then the shared walk, everyone once.
pub async fn fetch(
    caller: &Caller<ExampleApp>,
    progress: &dyn FetchProgress,
) -> Result<Snapshot, FetchError> {
    let reader = Reader { caller };
    let root = api::ROOT.to_owned();
    read_directory(caller, &reader, root, "Example", progress, to_record).await
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
}
