//! The whole directory through the shared read: the app type says where the tree starts and how
//! to read one department's children and members; the shared walk does the tree, the
//! concurrency and the failures (a failure at the root whose class means nothing can be read
//! stops the fetch), and every person is kept once.

use syncer_core::SourceRecord;
use syncer_remote::{
    Caller, Child, DirectoryReader, Listed, Members, PageBound, MAX_MEMBERS_PER_DEPARTMENT,
};

use crate::api::{self, ApiDepartment, ApiUser, List};
use crate::records::to_record;
use crate::remote::{get, ExampleApp};

impl DirectoryReader for ExampleApp {
    type Id = String;
    type User = ApiUser;
    const MEMBERS: &'static str = "people";
    /// Listings are not paged: one answer holds every member of a department.
    const PAGE_SIZE: usize = MAX_MEMBERS_PER_DEPARTMENT;
    const ROOT_NAME_FALLBACK: &'static str = "Example";

    fn root() -> String {
        api::ROOT.to_owned()
    }

    async fn children(caller: &Caller<Self>, dept: String) -> Listed<Vec<Child<String>>, Self> {
        let list: List<ApiDepartment> = get(caller, api::CHILDREN, &dept).await?;
        let child = |d: ApiDepartment| Child {
            id: d.id,
            name: d.name,
            parent: None,
        };
        Ok(list.items.into_iter().map(child).collect())
    }

    async fn members(caller: &Caller<Self>, dept: String, _: PageBound) -> Members<Self> {
        match get::<List<ApiUser>>(caller, api::MEMBERS, &dept).await {
            Ok(list) => (list.items, None),
            Err(error) => (Vec::new(), Some(error)),
        }
    }

    fn to_record(user: ApiUser) -> SourceRecord {
        to_record(user)
    }
}
