//! The engine tests' shared fixtures: a static source, a test plugin and its mapping, and a
//! target mock backed by a shared store that records every write and refuses, like IAM, two
//! users with one e-mail or phone.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;

use crate::engine::{run_revert, run_sync, RevertOptions, SyncInputs, SyncOptions, SyncReport};
use crate::field::IamField;
use crate::group::IamGroup;
use crate::journal::{JournalEntry, MemoryJournal};
use crate::mapping::FieldMapping;
use crate::plugin::{
    MappingSpec, PluginConfig, PluginConfigError, PluginDescriptor, SourceField, Transform,
};
use crate::snapshot::{Department, FetchProgress, NoProgress, Snapshot, SourceRecord};
use crate::syncer::{ConnectionReport, FetchError, Syncer};
use crate::target::{MockTarget, TargetError};
use crate::user::IamUser;

pub(super) const FIELDS: &[SourceField] = &[
    SourceField {
        name: "userid",
        description: "",
        permission: None,
    },
    SourceField {
        name: "unionid",
        description: "",
        permission: None,
    },
    SourceField {
        name: "name",
        description: "",
        permission: None,
    },
    SourceField {
        name: "email",
        description: "",
        permission: None,
    },
    SourceField {
        name: "mobile",
        description: "",
        permission: Some("the Contact.User.mobile scope"),
    },
    SourceField {
        name: "active",
        description: "",
        permission: None,
    },
    SourceField {
        name: "title",
        description: "",
        permission: None,
    },
    SourceField {
        name: "job_number",
        description: "",
        permission: None,
    },
];

pub(super) const MAPPING: &[MappingSpec] = &[
    MappingSpec {
        source: "userid",
        target: "Id",
        transform: Transform::Copy,
    },
    MappingSpec {
        source: "unionid",
        target: "Name",
        transform: Transform::FallbackTo("userid"),
    },
    MappingSpec {
        source: "name",
        target: "DisplayName",
        transform: Transform::Copy,
    },
    MappingSpec {
        source: "email",
        target: "Email",
        transform: Transform::Copy,
    },
    MappingSpec {
        source: "mobile",
        target: "Phone",
        transform: Transform::Copy,
    },
    MappingSpec {
        source: "title",
        target: "Title",
        transform: Transform::Copy,
    },
    MappingSpec {
        source: "active",
        target: "IsForbidden",
        transform: Transform::Invert,
    },
    MappingSpec {
        source: "userid",
        target: "DingTalk",
        transform: Transform::Copy,
    },
];

pub(super) fn never_built(_: &PluginConfig) -> Result<Box<dyn Syncer>, PluginConfigError> {
    Err(PluginConfigError::InvalidValue {
        key: "x".into(),
        problem: "test plugin".into(),
    })
}

pub(super) static PLUGIN: PluginDescriptor = PluginDescriptor {
    type_name: "Static",
    description: "test source",
    config_fields: &[],
    source_fields: FIELDS,
    default_mapping: MAPPING,
    schedule: crate::ScheduleDefaults::UNMETERED,
    build: never_built,
};

pub(super) fn mapping() -> FieldMapping {
    FieldMapping::build(&PLUGIN, &BTreeMap::new()).expect("valid mapping")
}

pub(super) fn person(userid: &str) -> SourceRecord {
    SourceRecord::new(userid)
        .with("userid", userid)
        .with("unionid", format!("u{userid}"))
        .with("name", format!("姓名{userid}"))
        .with("email", format!("{userid}@acme.example"))
        .with("mobile", phone_of(userid))
        .with("active", true)
}

pub(super) fn phone_of(userid: &str) -> String {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    userid.hash(&mut hasher);
    format!("139{:08}", hasher.finish() % 100_000_000)
}

pub(super) struct StaticSource {
    pub(super) snapshot: Snapshot,
}

#[async_trait]
impl Syncer for StaticSource {
    async fn test_connection(&self) -> ConnectionReport {
        ConnectionReport::default()
    }
    async fn fetch(&self, _: &dyn FetchProgress) -> Result<Snapshot, FetchError> {
        Ok(self.snapshot.clone())
    }
}

pub(super) fn source(users: Vec<SourceRecord>) -> StaticSource {
    StaticSource {
        snapshot: Snapshot {
            users,
            ..Snapshot::default()
        },
    }
}

/// One write the mock saw: the call, the user or group name, the columns.
pub(super) type Write = (String, String, Vec<IamField>);

/// A target mock backed by a shared list of users, recording every write. Like IAM, it refuses
/// a write that would give two users one e-mail or phone.
#[derive(Clone, Default)]
pub(super) struct Store {
    pub(super) users: Arc<Mutex<Vec<IamUser>>>,
    pub(super) groups: Arc<Mutex<Vec<IamGroup>>>,
    pub(super) writes: Arc<Mutex<Vec<Write>>>,
    /// Names of groups whose creation the mock refuses.
    pub(super) failing_groups: Arc<Mutex<Vec<String>>>,
    /// Every read of users: `list` for the whole listing, `lookup` for a scoped read.
    pub(super) user_reads: Arc<Mutex<Vec<&'static str>>>,
}

/// IAM's refusal of a user whose e-mail or phone another user of `users` has.
pub(super) fn duplicate_contact(
    users: &[IamUser],
    user: &IamUser,
    api: &str,
) -> Result<(), TargetError> {
    let taken = users.iter().any(|other| {
        other.name != user.name
            && ((!user.email.is_empty() && other.email == user.email)
                || (!user.phone.is_empty() && other.phone == user.phone))
    });
    if taken {
        return Err(TargetError::Rejected {
            api: api.into(),
            message: format!("duplicate e-mail or phone of {}", user.name),
        });
    }
    Ok(())
}

impl Store {
    pub(super) fn with(users: Vec<IamUser>) -> Self {
        let store = Store::default();
        *store.users.lock().expect("lock") = users;
        store
    }

    pub(super) fn mock(&self) -> MockTarget {
        let mut mock = MockTarget::new();
        let (users, reads) = (self.users.clone(), self.user_reads.clone());
        mock.expect_users_for().returning(move |org, keys| {
            reads.lock().expect("lock").push("lookup");
            Ok(users
                .lock()
                .expect("lock")
                .iter()
                .filter(|u| u.owner == org && keys.wants(u))
                .cloned()
                .collect())
        });
        let (users, reads) = (self.users.clone(), self.user_reads.clone());
        mock.expect_list_users().returning(move |org| {
            reads.lock().expect("lock").push("list");
            Ok(users
                .lock()
                .expect("lock")
                .iter()
                .filter(|u| u.owner == org)
                .cloned()
                .collect())
        });
        let (users, writes) = (self.users.clone(), self.writes.clone());
        mock.expect_create_user().returning(move |user| {
            writes
                .lock()
                .expect("lock")
                .push(("create".into(), user.name.to_string(), vec![]));
            let mut users = users.lock().expect("lock");
            duplicate_contact(&users, user, "add-user")?;
            users.push(user.clone());
            Ok(())
        });
        let (users, writes) = (self.users.clone(), self.writes.clone());
        mock.expect_update_user().returning(move |user, columns| {
            writes.lock().expect("lock").push((
                "update".into(),
                user.name.to_string(),
                columns.to_vec(),
            ));
            let mut users = users.lock().expect("lock");
            let mut after = users
                .iter()
                .find(|u| u.name == user.name)
                .expect("updated user exists")
                .clone();
            after.copy_columns(user, columns);
            duplicate_contact(&users, &after, "update-user")?;
            let stored = users
                .iter_mut()
                .find(|u| u.name == user.name)
                .expect("updated user exists");
            *stored = after;
            Ok(())
        });
        let users = self.users.clone();
        mock.expect_full_user().returning(move |user| {
            Ok(users
                .lock()
                .expect("lock")
                .iter()
                .find(|u| u.owner == user.owner && u.name == user.name)
                .cloned())
        });
        let (users, writes) = (self.users.clone(), self.writes.clone());
        mock.expect_delete_user().returning(move |user| {
            writes
                .lock()
                .expect("lock")
                .push(("delete".into(), user.name.to_string(), vec![]));
            users.lock().expect("lock").retain(|u| u.name != user.name);
            Ok(())
        });
        let groups = self.groups.clone();
        mock.expect_list_groups().returning(move |org| {
            Ok(groups
                .lock()
                .expect("lock")
                .iter()
                .filter(|g| g.owner == org)
                .cloned()
                .collect())
        });
        let (groups, writes) = (self.groups.clone(), self.writes.clone());
        let failing = self.failing_groups.clone();
        mock.expect_create_group().returning(move |group| {
            writes
                .lock()
                .expect("lock")
                .push(("add-group".into(), group.name.clone(), vec![]));
            if failing.lock().expect("lock").contains(&group.name) {
                return Err(TargetError::Rejected {
                    api: "add-group".into(),
                    message: format!("group name {} is taken (injected)", group.name),
                });
            }
            let mut groups = groups.lock().expect("lock");
            assert!(
                group.is_top_group || groups.iter().any(|g| g.name == group.parent_id),
                "parent {} of {} exists first",
                group.parent_id,
                group.name
            );
            groups.push(group.clone());
            Ok(())
        });
        let (groups, writes) = (self.groups.clone(), self.writes.clone());
        mock.expect_update_group().returning(move |group| {
            writes
                .lock()
                .expect("lock")
                .push(("update-group".into(), group.name.clone(), vec![]));
            let mut groups = groups.lock().expect("lock");
            let stored = groups
                .iter_mut()
                .find(|g| g.name == group.name)
                .expect("group exists");
            *stored = group.clone();
            Ok(())
        });
        let (groups, writes, users) =
            (self.groups.clone(), self.writes.clone(), self.users.clone());
        mock.expect_delete_group().returning(move |group| {
            writes
                .lock()
                .expect("lock")
                .push(("delete-group".into(), group.name.clone(), vec![]));
            let id = group.qualified_name();
            assert!(
                !users
                    .lock()
                    .expect("lock")
                    .iter()
                    .any(|u| !u.is_deleted && u.groups.iter().any(|g| *g == id)),
                "{id} is empty (IAM does not count soft-deleted users)"
            );
            let mut groups = groups.lock().expect("lock");
            assert!(
                !groups.iter().any(|g| g.parent_id == group.name),
                "{id} has no children"
            );
            groups.retain(|g| g.name != group.name);
            Ok(())
        });
        mock.expect_describe().returning(|| "mock".into());
        mock
    }

    pub(super) fn group(&self, name: &str) -> Option<IamGroup> {
        self.groups
            .lock()
            .expect("lock")
            .iter()
            .find(|g| g.name == name)
            .cloned()
    }

    pub(super) fn writes(&self) -> Vec<Write> {
        self.writes.lock().expect("lock").clone()
    }

    /// Changes the stored user `name` by hand, as someone editing IAM between two runs would.
    pub(super) fn edit_user(&self, name: &str, edit: impl FnOnce(&mut IamUser)) {
        let mut users = self.users.lock().expect("lock");
        edit(users.iter_mut().find(|u| u.name == name).expect("user"));
    }

    pub(super) fn user(&self, name: &str) -> IamUser {
        self.users
            .lock()
            .expect("lock")
            .iter()
            .find(|u| u.name == name)
            .cloned()
            .expect("user exists")
    }

    pub(super) fn clear_writes(&self) {
        self.writes.lock().expect("lock").clear();
    }
}

pub(super) fn options() -> SyncOptions {
    SyncOptions::new("dt", "acme")
}

pub(super) async fn sync(
    store: &Store,
    people: Vec<SourceRecord>,
    options: &SyncOptions,
) -> SyncReport {
    sync_from(store, &source(people), options).await
}

/// A sync of `source` into `store` with the default mapping.
pub(super) async fn sync_from(
    store: &Store,
    source: &StaticSource,
    options: &SyncOptions,
) -> SyncReport {
    run_sync(SyncInputs::new(source, &mapping(), &store.mock(), options)).await
}

pub(super) fn people(n: usize) -> Vec<SourceRecord> {
    (0..n).map(|i| person(&format!("user{i:03}"))).collect()
}

pub(super) fn local_user(name: &str, id: &str) -> IamUser {
    IamUser {
        owner: "acme".into(),
        name: name.into(),
        id: id.into(),
        display_name: "Local".into(),
        ..IamUser::default()
    }
}

pub(super) fn dept(id: &str, name: &str, parent: Option<&str>) -> Department {
    Department {
        id: id.into(),
        name: name.into(),
        parent_id: parent.map(str::to_owned),
    }
}

pub(super) fn tree() -> Vec<Department> {
    vec![
        dept("1", "艾克米", None),
        dept("2", "研发中心", Some("1")),
        dept("3", "前端组", Some("2")),
        dept("4", "销售部", Some("1")),
    ]
}

pub(super) fn source_with(users: Vec<SourceRecord>, departments: Vec<Department>) -> StaticSource {
    StaticSource {
        snapshot: Snapshot {
            users,
            departments,
            ..Snapshot::default()
        },
    }
}

pub(super) fn in_depts(userid: &str, depts: &[&str]) -> SourceRecord {
    let mut record = person(userid);
    record.departments = depts.iter().map(|d| d.to_string()).collect();
    record
}

pub(super) async fn sync_tree(
    store: &Store,
    users: Vec<SourceRecord>,
    departments: Vec<Department>,
) -> SyncReport {
    sync_from(store, &source_with(users, departments), &options()).await
}

/// A sync of `people` in `departments` with `mapping`, journaled: the report and the journal.
pub(super) async fn journaled_sync(
    store: &Store,
    people: Vec<SourceRecord>,
    departments: Vec<Department>,
    mapping: &FieldMapping,
    options: &SyncOptions,
) -> (SyncReport, Vec<JournalEntry>) {
    let journal = MemoryJournal::new();
    let report = run_sync(
        SyncInputs::new(
            &source_with(people, departments),
            mapping,
            &store.mock(),
            options,
        )
        .journal(&journal),
    )
    .await;
    (report, journal.entries())
}

/// A revert of the run journaled as `entries`, itself journaled: the report and its journal.
pub(super) async fn revert(
    store: &Store,
    entries: &[JournalEntry],
    options: &SyncOptions,
    revert: &RevertOptions,
) -> (SyncReport, Vec<JournalEntry>) {
    let journal = MemoryJournal::new();
    let report = run_revert(
        entries,
        &store.mock(),
        options,
        revert,
        &NoProgress,
        &journal,
    )
    .await;
    (report, journal.entries())
}

/// Every user and group of the store, sorted by name: what "identical" compares.
pub(super) fn state(store: &Store) -> (Vec<IamUser>, Vec<IamGroup>) {
    let mut users = store.users.lock().expect("lock").clone();
    users.sort_by(|a, b| a.name.cmp(&b.name));
    let mut groups = store.groups.lock().expect("lock").clone();
    groups.sort_by(|a, b| a.name.cmp(&b.name));
    (users, groups)
}
