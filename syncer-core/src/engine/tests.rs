//! Unit tests of the engine's semantics (SPEC §5) with a mocked target and a static source.
//! The submodules hold the tests of one rule each, on the helpers defined here.

mod blanking;
mod conflicts;
mod group_safety;
mod guard;
mod matching;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;

use super::*;
use crate::field::IamField;
use crate::group::IamGroup;
use crate::mapping::{FieldMapping, MappingSpec, Transform};
use crate::plugin::{PluginConfig, PluginConfigError, PluginDescriptor, SourceField};
use crate::snapshot::Department;
use crate::snapshot::{FetchFailure, FetchProgress, NoProgress, Snapshot, SourceRecord};
use crate::syncer::{ConnectionReport, FetchError, Syncer};
use crate::target::{MockTarget, TargetError};
use crate::user::IamUser;

const FIELDS: &[SourceField] = &[
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

const MAPPING: &[MappingSpec] = &[
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

fn never_built(_: &PluginConfig) -> Result<Box<dyn Syncer>, PluginConfigError> {
    Err(PluginConfigError::InvalidValue {
        key: "x".into(),
        problem: "test plugin".into(),
    })
}

static PLUGIN: PluginDescriptor = PluginDescriptor {
    type_name: "Static",
    description: "test source",
    config_fields: &[],
    source_fields: FIELDS,
    default_mapping: MAPPING,
    build: never_built,
};

fn mapping() -> FieldMapping {
    FieldMapping::build(&PLUGIN, &BTreeMap::new()).expect("valid mapping")
}

fn person(userid: &str) -> SourceRecord {
    SourceRecord::new(userid)
        .with("userid", userid)
        .with("unionid", format!("u{userid}"))
        .with("name", format!("姓名{userid}"))
        .with("email", format!("{userid}@acme.example"))
        .with("mobile", phone_of(userid))
        .with("active", true)
}

fn phone_of(userid: &str) -> String {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    userid.hash(&mut hasher);
    format!("139{:08}", hasher.finish() % 100_000_000)
}

struct StaticSource {
    snapshot: Snapshot,
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

fn source(users: Vec<SourceRecord>) -> StaticSource {
    StaticSource {
        snapshot: Snapshot {
            users,
            ..Snapshot::default()
        },
    }
}

/// One write the mock saw: the call, the user or group name, the columns.
type Write = (String, String, Vec<IamField>);

/// A target mock backed by a shared list of users, recording every write. Like IAM, it refuses
/// a write that would give two users one e-mail or phone.
#[derive(Clone, Default)]
struct Store {
    users: Arc<Mutex<Vec<IamUser>>>,
    groups: Arc<Mutex<Vec<IamGroup>>>,
    writes: Arc<Mutex<Vec<Write>>>,
    /// Names of groups whose creation the mock refuses.
    failing_groups: Arc<Mutex<Vec<String>>>,
}

/// IAM's refusal of a user whose e-mail or phone another user of `users` has.
fn duplicate_contact(users: &[IamUser], user: &IamUser, api: &str) -> Result<(), TargetError> {
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
    fn with(users: Vec<IamUser>) -> Self {
        let store = Store::default();
        *store.users.lock().expect("lock") = users;
        store
    }

    fn mock(&self) -> MockTarget {
        let mut mock = MockTarget::new();
        let users = self.users.clone();
        mock.expect_list_users().returning(move |org| {
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

    fn group(&self, name: &str) -> Option<IamGroup> {
        self.groups
            .lock()
            .expect("lock")
            .iter()
            .find(|g| g.name == name)
            .cloned()
    }

    fn writes(&self) -> Vec<Write> {
        self.writes.lock().expect("lock").clone()
    }

    fn user(&self, name: &str) -> IamUser {
        self.users
            .lock()
            .expect("lock")
            .iter()
            .find(|u| u.name == name)
            .cloned()
            .expect("user exists")
    }

    fn clear_writes(&self) {
        self.writes.lock().expect("lock").clear();
    }
}

fn options() -> SyncOptions {
    SyncOptions::new("dt", "acme")
}

async fn sync(store: &Store, people: Vec<SourceRecord>, options: &SyncOptions) -> SyncReport {
    run_sync(
        &source(people),
        &mapping(),
        &store.mock(),
        options,
        &NoProgress,
    )
    .await
}

fn people(n: usize) -> Vec<SourceRecord> {
    (0..n).map(|i| person(&format!("user{i:03}"))).collect()
}

#[tokio::test]
async fn new_people_are_created_with_mapped_fields_and_ownership_marks() {
    let store = Store::default();
    let report = sync(&store, people(3), &options()).await;
    assert_eq!(report.status, RunStatus::Succeeded);
    assert_eq!(report.counts.created, 3);
    let user = store.user("uuser001");
    assert_eq!(user.id, "user001");
    assert_eq!(user.display_name, "姓名user001");
    assert_eq!(user.dingtalk, "user001");
    assert!(!user.is_forbidden);
    assert_eq!(user.properties[ownership::MANAGED_BY], "dt");
    assert_eq!(user.properties[ownership::SOURCE_ID], "user001");
}

#[tokio::test]
async fn second_sync_without_source_change_writes_nothing() {
    let store = Store::default();
    sync(&store, people(20), &options()).await;
    store.clear_writes();
    let report = sync(&store, people(20), &options()).await;
    assert_eq!(store.writes(), vec![]);
    assert_eq!(report.counts.unchanged, 20);
    assert_eq!(report.target_writes, 0);
}

#[tokio::test]
async fn update_sends_only_the_changed_field() {
    let store = Store::default();
    sync(&store, people(2), &options()).await;
    store.clear_writes();
    let mut changed = people(2);
    changed[1] = changed[1].clone().with("title", "总监");
    let report = sync(&store, changed, &options()).await;
    assert_eq!(report.counts.updated, 1);
    assert_eq!(
        store.writes(),
        vec![("update".into(), "uuser001".into(), vec![IamField::Title])]
    );
}

#[tokio::test]
async fn phones_are_compared_normalized() {
    let store = Store::default();
    sync(
        &store,
        vec![person("a").with("mobile", "13800138000")],
        &options(),
    )
    .await;
    store.users.lock().expect("lock")[0].phone = "+86 138 0013 8000".into();
    store.clear_writes();
    sync(
        &store,
        vec![person("a").with("mobile", "13800138000")],
        &options(),
    )
    .await;
    assert_eq!(store.writes(), vec![]);
}

#[tokio::test]
async fn a_phone_iam_keeps_in_e164_and_an_email_it_keeps_lowercased_are_not_rewritten() {
    let store = Store::default();
    let wanted = || {
        vec![person("a")
            .with("mobile", "4155550100")
            .with("email", "Ann.Lee@Acme.example")]
    };
    sync(&store, wanted(), &options()).await;
    {
        let mut users = store.users.lock().expect("lock");
        users[0].phone = "+14155550100".into();
        users[0].email = "ann.lee@acme.example".into();
    }
    store.clear_writes();
    sync(&store, wanted(), &options()).await;
    assert_eq!(store.writes(), vec![]);
}

fn local_user(name: &str, id: &str) -> IamUser {
    IamUser {
        owner: "acme".into(),
        name: name.into(),
        id: id.into(),
        display_name: "Local".into(),
        ..IamUser::default()
    }
}

#[tokio::test]
async fn existing_user_matched_by_id_is_adopted_and_never_renamed() {
    let mut existing = local_user("old-name", "a");
    existing.extra.insert("password".into(), "hash".into());
    let store = Store::with(vec![existing]);
    let report = sync(&store, vec![person("a")], &options()).await;
    assert_eq!(report.counts.created, 0);
    assert_eq!(report.counts.updated, 1);
    let user = store.user("old-name");
    assert_eq!(user.display_name, "姓名a");
    assert_eq!(user.properties[ownership::MANAGED_BY], "dt");
    assert_eq!(user.extra["password"], "hash");
    let (_, _, columns) = &store.writes()[0];
    assert!(!columns.contains(&IamField::Name) && !columns.contains(&IamField::Id));
    assert!(columns.contains(&IamField::Properties));
}

#[tokio::test]
async fn existing_user_matched_by_name_when_id_differs() {
    let store = Store::with(vec![local_user("ua", "some-uuid")]);
    let report = sync(&store, vec![person("a")], &options()).await;
    assert_eq!((report.counts.created, report.counts.updated), (0, 1));
    assert_eq!(store.users.lock().expect("lock").len(), 1);
    // Next time it is found by the syncer's own source-id mark.
    store.clear_writes();
    sync(&store, vec![person("a")], &options()).await;
    assert_eq!(store.writes(), vec![]);
}

#[tokio::test]
async fn users_of_other_syncers_and_local_admins_are_left_alone() {
    let mut theirs = local_user("ua", "a");
    theirs.properties.insert(ownership::MANAGED_BY, "ldap");
    let mut admin = local_user("ub", "b");
    admin.is_admin = true;
    let store = Store::with(vec![theirs.clone(), admin.clone()]);
    let report = sync(&store, vec![person("a"), person("b")], &options()).await;
    assert_eq!(report.counts.skipped, 2);
    assert_eq!(store.writes(), vec![]);
    assert_eq!(store.user("ua"), theirs);
}

#[tokio::test]
async fn leaver_is_disabled_not_deleted_by_default_and_reenabled_on_return() {
    let store = Store::default();
    sync(&store, people(3), &options()).await;
    let report = sync(&store, people(2), &options()).await;
    assert_eq!(report.counts.disabled, 1);
    assert!(store.user("uuser002").is_forbidden);
    store.clear_writes();
    // Still gone: nothing more to do.
    sync(&store, people(2), &options()).await;
    assert_eq!(store.writes(), vec![]);
    // Back: enabled again.
    let report = sync(&store, people(3), &options()).await;
    assert_eq!(report.counts.updated, 1);
    let user = store.user("uuser002");
    assert!(!user.is_forbidden);
    assert!(!user.properties.contains_key(ownership::DEPROVISIONED));
}

#[tokio::test]
async fn returning_leaver_is_reenabled_even_when_is_forbidden_is_not_mapped() {
    let mut overrides = BTreeMap::new();
    overrides.insert("active".to_owned(), String::new());
    let mapping = FieldMapping::build(&PLUGIN, &overrides).expect("valid");
    let store = Store::default();
    let opts = options();
    run_sync(
        &source(people(2)),
        &mapping,
        &store.mock(),
        &opts,
        &NoProgress,
    )
    .await;
    run_sync(
        &source(people(1)),
        &mapping,
        &store.mock(),
        &opts,
        &NoProgress,
    )
    .await;
    assert!(store.user("uuser001").is_forbidden);
    run_sync(
        &source(people(2)),
        &mapping,
        &store.mock(),
        &opts,
        &NoProgress,
    )
    .await;
    assert!(!store.user("uuser001").is_forbidden);
}

#[tokio::test]
async fn leaver_policies_delete_and_keep() {
    let store = Store::default();
    sync(&store, people(3), &options()).await;
    let keep = SyncOptions {
        leavers: LeaverPolicy::Keep,
        ..options()
    };
    store.clear_writes();
    sync(&store, people(2), &keep).await;
    assert_eq!(store.writes(), vec![]);
    let delete = SyncOptions {
        leavers: LeaverPolicy::Delete,
        ..options()
    };
    let report = sync(&store, people(2), &delete).await;
    assert_eq!(report.counts.deleted, 1);
    assert_eq!(store.users.lock().expect("lock").len(), 2);
}

#[tokio::test]
async fn incomplete_fetch_deprovisions_nobody() {
    let store = Store::default();
    sync(&store, people(5), &options()).await;
    let mut partial = source(people(3));
    partial.snapshot.failures.push(FetchFailure {
        scope: "department 7".into(),
        api: "/topapi/v2/user/list".into(),
        message: "busy".into(),
    });
    store.clear_writes();
    let report = run_sync(&partial, &mapping(), &store.mock(), &options(), &NoProgress).await;
    assert_eq!(report.status, RunStatus::Partial);
    assert_eq!(report.exit_code(), 1);
    assert_eq!(report.counts.disabled, 0);
    assert_eq!(store.writes(), vec![]);
    assert_eq!(report.held_back.as_ref().map(|h| h.count), Some(2));
}

#[tokio::test]
async fn mass_deprovision_guard_holds_back_and_can_be_overridden() {
    let store = Store::default();
    sync(&store, people(100), &options()).await;
    store.clear_writes();
    let report = sync(&store, people(89), &options()).await;
    assert_eq!(report.status, RunStatus::Partial);
    assert_eq!(report.counts.disabled, 0);
    assert!(report
        .held_back
        .as_ref()
        .expect("held")
        .reason
        .contains("--allow-mass-deprovision"));
    assert_eq!(store.writes(), vec![]);
    // 10 of 100 is within the guard.
    let report = sync(&store, people(90), &options()).await;
    assert_eq!(report.counts.disabled, 10);
    let allow = SyncOptions {
        allow_mass_deprovision: true,
        ..options()
    };
    let report = sync(&store, people(50), &allow).await;
    assert_eq!(report.counts.disabled, 40);
}

#[tokio::test]
async fn empty_snapshot_never_deprovisions_without_override() {
    let store = Store::default();
    sync(&store, people(5), &options()).await;
    let report = sync(&store, vec![], &options()).await;
    assert_eq!(report.counts.disabled, 0);
    assert!(report.held_back.is_some());
}

#[tokio::test]
async fn one_rejected_user_does_not_stop_the_others() {
    let store = Store::default();
    let mut mock = store.mock();
    mock.checkpoint();
    let inner = store.clone();
    mock.expect_list_users().returning(|_| Ok(vec![]));
    mock.expect_list_groups().returning(|_| Ok(vec![]));
    mock.expect_create_user().returning(move |user| {
        if user.name == "uuser001" {
            return Err(TargetError::Rejected {
                api: "add-user".into(),
                message: "quota".into(),
            });
        }
        inner.users.lock().expect("lock").push(user.clone());
        Ok(())
    });
    let report = run_sync(
        &source(people(3)),
        &mapping(),
        &mock,
        &options(),
        &NoProgress,
    )
    .await;
    assert_eq!(report.status, RunStatus::Partial);
    assert_eq!((report.counts.created, report.counts.failed), (2, 1));
    let error = report
        .errors
        .iter()
        .find(|e| e.user.is_some())
        .expect("per-user error");
    assert_eq!(error.user.as_deref(), Some("user001"));
    assert!(error.message.contains("quota"));
}

#[tokio::test]
async fn dry_run_plans_everything_and_writes_nothing() {
    let store = Store::default();
    sync(&store, people(3), &options()).await;
    let mut changed = people(2);
    changed.push(person("new"));
    changed[0] = changed[0].clone().with("title", "经理");
    let mut mock = MockTarget::new();
    let users = store.users.clone();
    mock.expect_list_users()
        .returning(move |_| Ok(users.lock().expect("lock").clone()));
    mock.expect_list_groups().returning(|_| Ok(vec![]));
    mock.expect_create_user().never();
    mock.expect_update_user().never();
    mock.expect_delete_user().never();
    let dry = SyncOptions {
        dry_run: true,
        ..options()
    };
    let report = run_sync(&source(changed), &mapping(), &mock, &dry, &NoProgress).await;
    assert!(report.dry_run);
    assert_eq!(
        (
            report.counts.created,
            report.counts.updated,
            report.counts.disabled
        ),
        (1, 1, 1)
    );
    let plan = report.plan.expect("plan listed");
    assert_eq!(plan.create[0].user, "new");
    assert_eq!(plan.update[0].fields, vec!["Title"]);
    assert_eq!(plan.disable[0].user, "user002");
}

#[tokio::test]
async fn names_iam_refuses_and_duplicate_emails_are_reported_not_sent() {
    let store = Store::default();
    let bad_name = person("x").with("unionid", "张 三");
    let twin = person("y").with("email", "x@acme.example");
    let report = sync(&store, vec![bad_name, twin, person("z")], &options()).await;
    assert_eq!((report.counts.created, report.counts.failed), (2, 1));
    assert!(report
        .errors
        .iter()
        .any(|e| e.user.as_deref() == Some("x") && e.message.contains("user name")));
    let report = sync(
        &store,
        vec![person("w").with("email", "z@acme.example")],
        &options(),
    )
    .await;
    assert!(report
        .errors
        .iter()
        .any(|e| e.user.as_deref() == Some("w") && e.message.contains("already used")));
}

#[tokio::test]
async fn fetch_failure_is_a_failed_run() {
    struct Broken;
    #[async_trait]
    impl Syncer for Broken {
        async fn test_connection(&self) -> ConnectionReport {
            ConnectionReport::default()
        }
        async fn fetch(&self, _: &dyn FetchProgress) -> Result<Snapshot, FetchError> {
            Err(FetchError {
                api: Some("/gettoken".into()),
                message: "bad key".into(),
            })
        }
    }
    let mut mock = MockTarget::new();
    mock.expect_list_users().never();
    let report = run_sync(&Broken, &mapping(), &mock, &options(), &NoProgress).await;
    assert_eq!(report.status, RunStatus::Failed);
    assert_eq!(report.errors[0].api.as_deref(), Some("/gettoken"));
}

#[test]
fn mapping_overrides_replace_defaults_and_unknown_fields_are_named() {
    let mut overrides = BTreeMap::new();
    overrides.insert("job_number".to_owned(), "Title".to_owned());
    let mapping = FieldMapping::build(&PLUGIN, &overrides).expect("valid");
    let rule = mapping
        .rules()
        .iter()
        .find(|r| r.target == IamField::Title)
        .expect("title rule");
    assert_eq!(rule.source, "job_number");
    assert_eq!(
        mapping
            .targets()
            .iter()
            .filter(|t| **t == IamField::Title)
            .count(),
        1
    );

    overrides.insert("nickname".to_owned(), "Title".to_owned());
    let error = FieldMapping::build(&PLUGIN, &overrides).expect_err("unknown source");
    assert!(error.to_string().contains("`nickname`"), "{error}");

    let mut bad_target = BTreeMap::new();
    bad_target.insert("job_number".to_owned(), "Nickname".to_owned());
    let error = FieldMapping::build(&PLUGIN, &bad_target).expect_err("unknown IAM field");
    assert!(error.to_string().contains("`Nickname`"), "{error}");
}

#[test]
fn name_falls_back_to_userid_and_active_is_inverted() {
    let record = SourceRecord::new("u1")
        .with("userid", "u1")
        .with("active", false);
    let values = mapping().apply(&record);
    assert_eq!(values[&IamField::Name], "u1".into());
    assert_eq!(values[&IamField::IsForbidden], true.into());
}

fn dept(id: &str, name: &str, parent: Option<&str>) -> Department {
    Department {
        id: id.into(),
        name: name.into(),
        parent_id: parent.map(str::to_owned),
    }
}

fn tree() -> Vec<Department> {
    vec![
        dept("1", "艾克米", None),
        dept("2", "研发中心", Some("1")),
        dept("3", "前端组", Some("2")),
        dept("4", "销售部", Some("1")),
    ]
}

fn source_with(users: Vec<SourceRecord>, departments: Vec<Department>) -> StaticSource {
    StaticSource {
        snapshot: Snapshot {
            users,
            departments,
            ..Snapshot::default()
        },
    }
}

fn in_depts(userid: &str, depts: &[&str]) -> SourceRecord {
    let mut record = person(userid);
    record.departments = depts.iter().map(|d| d.to_string()).collect();
    record
}

async fn sync_tree(
    store: &Store,
    users: Vec<SourceRecord>,
    departments: Vec<Department>,
) -> SyncReport {
    run_sync(
        &source_with(users, departments),
        &mapping(),
        &store.mock(),
        &options(),
        &NoProgress,
    )
    .await
}

#[tokio::test]
async fn departments_become_groups_under_their_parents_and_users_join_them() {
    let store = Store::default();
    let report = sync_tree(
        &store,
        vec![in_depts("a", &["3", "4"]), in_depts("b", &["1"])],
        tree(),
    )
    .await;
    assert_eq!(report.counts.groups_created, 4, "{report:?}");
    let root = store.group("1").expect("root group");
    assert_eq!(
        (
            root.display_name.as_str(),
            root.parent_id.as_str(),
            root.is_top_group
        ),
        ("艾克米", "acme", true)
    );
    let team = store.group("3").expect("team group");
    assert_eq!(
        (team.display_name.as_str(), team.parent_id.as_str()),
        ("前端组", "2")
    );
    assert!(team.is_managed_by("dt"));
    assert_eq!(store.user("ua").groups, vec!["acme/3", "acme/4"]);
    assert_eq!(store.user("ub").groups, vec!["acme/1"]);
}

#[tokio::test]
async fn resync_of_unchanged_tree_writes_nothing() {
    let store = Store::default();
    let users = || vec![in_depts("a", &["3", "4"]), in_depts("b", &["1"])];
    sync_tree(&store, users(), tree()).await;
    store.clear_writes();
    let report = sync_tree(&store, users(), tree()).await;
    assert_eq!(store.writes(), vec![]);
    assert_eq!(report.target_writes, 0);
}

#[tokio::test]
async fn mover_rename_and_reparent_are_carried_over() {
    let store = Store::default();
    sync_tree(&store, vec![in_depts("a", &["3"])], tree()).await;
    let mut moved = tree();
    moved[1].name = "研发部".into();
    moved[2].parent_id = Some("4".into());
    store.clear_writes();
    let report = sync_tree(&store, vec![in_depts("a", &["4"])], moved).await;
    assert_eq!(report.counts.groups_updated, 2);
    assert_eq!(store.group("2").expect("group").display_name, "研发部");
    assert_eq!(store.group("3").expect("group").parent_id, "4");
    assert_eq!(store.user("ua").groups, vec!["acme/4"]);
    let (_, _, columns) = store
        .writes()
        .into_iter()
        .find(|w| w.0 == "update")
        .expect("user update");
    assert_eq!(columns, vec![IamField::Groups]);
}

#[tokio::test]
async fn memberships_the_syncer_does_not_own_are_kept() {
    let store = Store::default();
    sync_tree(&store, vec![in_depts("a", &["3"])], tree()).await;
    store.users.lock().expect("lock")[0]
        .groups
        .push("acme/admins".into());
    store.clear_writes();
    sync_tree(&store, vec![in_depts("a", &["4"])], tree()).await;
    assert_eq!(store.user("ua").groups, vec!["acme/admins", "acme/4"]);
}

#[tokio::test]
async fn vanished_department_group_is_deleted_once_empty_and_kept_while_not() {
    let store = Store::default();
    sync_tree(
        &store,
        vec![in_depts("a", &["3"]), in_depts("b", &["1"])],
        tree(),
    )
    .await;
    let mut local = local_user("local", "l");
    local.groups = vec!["acme/4".into()];
    store.users.lock().expect("lock").push(local);
    let shrunk: Vec<Department> = tree().into_iter().filter(|d| d.id == "1").collect();
    let report = sync_tree(
        &store,
        vec![in_depts("a", &["1"]), in_depts("b", &["1"])],
        shrunk.clone(),
    )
    .await;
    assert_eq!(report.counts.groups_deleted, 2, "{report:?}");
    assert!(store.group("3").is_none() && store.group("2").is_none());
    assert!(
        store.group("4").is_some(),
        "kept: a local user is still in it"
    );
    assert!(
        report.notices.iter().any(|n| n.contains("acme/4")),
        "{:?}",
        report.notices
    );
    store
        .users
        .lock()
        .expect("lock")
        .retain(|u| u.name != "local");
    let report = sync_tree(
        &store,
        vec![in_depts("a", &["1"]), in_depts("b", &["1"])],
        shrunk,
    )
    .await;
    assert_eq!(report.counts.groups_deleted, 1);
}

#[tokio::test]
async fn incomplete_fetch_deletes_no_group_and_keeps_unread_memberships() {
    let store = Store::default();
    sync_tree(&store, vec![in_depts("a", &["3", "4"])], tree()).await;
    let mut partial = source_with(
        vec![in_depts("a", &["3", "4"])],
        tree().into_iter().filter(|d| d.id != "4").collect(),
    );
    partial.snapshot.failures.push(FetchFailure {
        scope: "department 4".into(),
        api: "listsub".into(),
        message: "busy".into(),
    });
    store.clear_writes();
    let report = run_sync(&partial, &mapping(), &store.mock(), &options(), &NoProgress).await;
    assert_eq!(report.counts.groups_deleted, 0);
    assert!(store.group("4").is_some());
    assert_eq!(store.user("ua").groups, vec!["acme/3", "acme/4"]);
    assert_eq!(store.writes(), vec![]);
}

#[tokio::test]
async fn dry_run_lists_group_writes_without_sending_them() {
    let store = Store::default();
    let mock = {
        let mut mock = MockTarget::new();
        mock.expect_list_users().returning(|_| Ok(vec![]));
        mock.expect_list_groups().returning(|_| Ok(vec![]));
        mock.expect_create_group().never();
        mock.expect_create_user().never();
        mock
    };
    let dry = SyncOptions {
        dry_run: true,
        ..options()
    };
    let report = run_sync(
        &source_with(vec![in_depts("a", &["3"])], tree()),
        &mapping(),
        &mock,
        &dry,
        &NoProgress,
    )
    .await;
    assert_eq!(report.counts.groups_created, 4);
    assert_eq!(report.plan.expect("plan").groups.create.len(), 4);
    assert!(store.writes().is_empty());
}

#[tokio::test]
async fn raised_stop_signal_starts_no_write_and_reports_partial() {
    let store = Store::default();
    let stopping = options();
    stopping.stop.raise();
    let report = sync(&store, people(5), &stopping).await;
    assert_eq!(store.writes(), vec![]);
    assert_eq!(report.status, RunStatus::Partial);
    assert!(report
        .errors
        .iter()
        .any(|e| e.message.contains("stopped by shutdown")));
}
