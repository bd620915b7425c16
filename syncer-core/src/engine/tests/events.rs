//! Change events: the people and departments an event names are read again and applied with
//! the full sync's semantics, nobody else is touched, a read that fails touches nobody, and
//! event deprovisions count against the guard over a window.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::Mutex;

use super::*;
use crate::account_index::{AccountIndex, NoIndex};
use crate::events::{DepartmentLookup, PersonLookup};
use crate::journal::NoJournal;

/// A directory that answers one-person and one-department reads, and counts them.
#[derive(Default)]
pub(super) struct Directory {
    people: HashMap<String, SourceRecord>,
    departments: HashMap<String, Department>,
    broken: HashSet<String>,
    calls: Mutex<Vec<String>>,
}

impl Directory {
    pub(super) fn of(people: Vec<SourceRecord>, departments: Vec<Department>) -> Self {
        Self {
            people: people.into_iter().map(|p| (p.id.clone(), p)).collect(),
            departments: departments.into_iter().map(|d| (d.id.clone(), d)).collect(),
            ..Self::default()
        }
    }

    fn calls(&self) -> Vec<String> {
        self.calls.lock().expect("lock").clone()
    }
}

#[async_trait]
impl Syncer for Directory {
    async fn test_connection(&self) -> ConnectionReport {
        ConnectionReport::default()
    }
    async fn fetch(&self, _: &dyn FetchProgress) -> Result<Snapshot, FetchError> {
        panic!("an event never reads the whole directory")
    }
    async fn fetch_person(&self, id: &str) -> Result<PersonLookup, FetchError> {
        self.calls.lock().expect("lock").push(format!("user {id}"));
        if self.broken.contains(id) {
            return Err(FetchError {
                api: Some("topapi/v2/user/get".into()),
                message: "timed out".into(),
            });
        }
        Ok(match self.people.get(id) {
            Some(person) => PersonLookup::Found(person.clone()),
            None => PersonLookup::Gone,
        })
    }
    async fn fetch_department(&self, id: &str) -> Result<DepartmentLookup, FetchError> {
        self.calls.lock().expect("lock").push(format!("dept {id}"));
        Ok(match self.departments.get(id) {
            Some(department) => DepartmentLookup::Found(department.clone()),
            None => DepartmentLookup::Gone,
        })
    }
}

pub(super) fn people_set(ids: &[&str]) -> ChangeSet {
    ChangeSet {
        people: ids.iter().map(|id| id.to_string()).collect(),
        ..ChangeSet::default()
    }
}

pub(super) fn leaving(ids: &[&str]) -> ChangeSet {
    ChangeSet {
        leaving: ids.iter().map(|id| id.to_string()).collect(),
        ..ChangeSet::default()
    }
}

pub(super) async fn apply_to(
    store: &Store,
    directory: &Directory,
    changes: &ChangeSet,
    options: &SyncOptions,
    recent: usize,
) -> ChangeReport {
    apply_indexed(store, directory, changes, options, recent, &NoIndex).await
}

/// [`apply_to`] with the account index `index`.
pub(super) async fn apply_indexed(
    store: &Store,
    directory: &Directory,
    changes: &ChangeSet,
    options: &SyncOptions,
    recent: usize,
    index: &dyn AccountIndex,
) -> ChangeReport {
    apply_changes(ChangeInputs {
        source: directory,
        mapping: &mapping(),
        target: &store.mock(),
        options,
        changes,
        recent_deprovisions: recent,
        journal: &NoJournal,
        index,
    })
    .await
}

/// Three people synced in the tree, writes cleared.
pub(super) async fn synced() -> (Store, Vec<SourceRecord>) {
    let store = Store::default();
    let users = vec![
        in_depts("a", &["3"]),
        in_depts("b", &["4"]),
        in_depts("c", &["4"]),
    ];
    sync_tree(&store, users.clone(), tree()).await;
    store.clear_writes();
    (store, users)
}

#[tokio::test]
async fn a_hire_is_created_with_the_groups_of_new_departments_parents_first() {
    let (store, mut users) = synced().await;
    users.push(in_depts("new", &["6"]));
    let mut departments = tree();
    departments.push(dept("5", "设计部", Some("1")));
    departments.push(dept("6", "视觉组", Some("5")));
    let directory = Directory::of(users, departments);
    let report = apply_to(&store, &directory, &people_set(&["new"]), &options(), 0).await;
    assert_eq!(report.outcome, ChangeOutcome::Applied, "{report:?}");
    let writes: Vec<(String, String)> = store.writes().into_iter().map(|w| (w.0, w.1)).collect();
    assert_eq!(
        writes,
        vec![
            ("add-group".to_owned(), "5".to_owned()),
            ("add-group".to_owned(), "6".to_owned()),
            ("create".to_owned(), "unew".to_owned()),
        ]
    );
    assert_eq!(store.user("unew").groups, vec!["acme/6"]);
    assert_eq!(directory.calls(), vec!["user new", "dept 6", "dept 5"]);
    assert_eq!(report.report.api_calls, 3);
}

#[tokio::test]
async fn a_change_writes_only_the_changed_field_of_that_person() {
    let (store, mut users) = synced().await;
    users[0] = users[0].clone().with("title", "CTO");
    users[1] = users[1].clone().with("title", "ignored: no event names b");
    let directory = Directory::of(users, tree());
    let report = apply_to(&store, &directory, &people_set(&["a"]), &options(), 0).await;
    assert_eq!(report.outcome, ChangeOutcome::Applied);
    assert_eq!(
        store.writes(),
        vec![("update".into(), "ua".into(), vec![IamField::Title])]
    );
    assert_eq!(
        directory.calls(),
        vec!["user a"],
        "existing groups are not read"
    );
}

#[tokio::test]
async fn an_event_for_a_person_already_in_line_writes_nothing() {
    let (store, users) = synced().await;
    let directory = Directory::of(users, tree());
    let report = apply_to(&store, &directory, &people_set(&["a", "b"]), &options(), 0).await;
    assert_eq!(report.outcome, ChangeOutcome::Unchanged, "{report:?}");
    assert_eq!(store.writes(), vec![]);
}

#[tokio::test]
async fn a_mover_changes_groups_only() {
    let (store, mut users) = synced().await;
    users[0].departments = vec!["4".into()];
    let directory = Directory::of(users, tree());
    apply_to(&store, &directory, &people_set(&["a"]), &options(), 0).await;
    assert_eq!(
        store.writes(),
        vec![("update".into(), "ua".into(), vec![IamField::Groups])]
    );
    assert_eq!(store.user("ua").groups, vec!["acme/4"]);
}

#[tokio::test]
async fn a_confirmed_leaver_is_disabled_and_nobody_else_is_touched() {
    let (store, users) = synced().await;
    // c is missing from this directory too, but no event names c.
    let directory = Directory::of(users[1..2].to_vec(), tree());
    let report = apply_to(&store, &directory, &leaving(&["a"]), &options(), 0).await;
    assert_eq!(report.outcome, ChangeOutcome::Applied, "{report:?}");
    assert_eq!(report.deprovisioned, 1);
    assert!(store.user("ua").is_forbidden);
    assert!(store.user("ua").groups.is_empty());
    assert!(!store.user("uc").is_forbidden);
    assert_eq!(store.writes().len(), 1);
}

#[tokio::test]
async fn a_stale_leave_event_touches_nobody() {
    let (store, mut users) = synced().await;
    users[0] = users[0]
        .clone()
        .with("title", "changed, but the event is a leave");
    let directory = Directory::of(users, tree());
    let report = apply_to(&store, &directory, &leaving(&["a"]), &options(), 0).await;
    assert_eq!(report.outcome, ChangeOutcome::Unchanged);
    assert_eq!(report.still_listed, vec!["a"]);
    assert_eq!(store.writes(), vec![]);
}

#[tokio::test]
async fn a_returner_is_enabled_again() {
    let (store, users) = synced().await;
    let directory = Directory::of(users[1..].to_vec(), tree());
    apply_to(&store, &directory, &leaving(&["a"]), &options(), 0).await;
    assert!(store.user("ua").is_forbidden);
    let directory = Directory::of(users, tree());
    let report = apply_to(&store, &directory, &people_set(&["a"]), &options(), 0).await;
    assert_eq!(report.outcome, ChangeOutcome::Applied);
    let user = store.user("ua");
    assert!(!user.is_forbidden);
    assert_eq!(user.groups, vec!["acme/3"]);
}

#[tokio::test]
async fn a_read_that_fails_touches_nobody_and_fails() {
    let (store, mut users) = synced().await;
    users[0] = users[0].clone().with("title", "CTO");
    let mut directory = Directory::of(users, tree());
    directory.broken.insert("b".into());
    let report = apply_to(&store, &directory, &people_set(&["a", "b"]), &options(), 0).await;
    assert_eq!(report.outcome, ChangeOutcome::Failed);
    assert!(!report.retry, "the source failed, not the target");
    assert!(report.error().expect("error").contains("person b"));
    assert_eq!(store.writes(), vec![]);
}

#[tokio::test]
async fn an_unreachable_target_asks_for_the_event_again() {
    let (_, users) = synced().await;
    let mut target = MockTarget::new();
    let refused = || TargetError::Unavailable {
        api: "get-users".into(),
        message: "connection refused".into(),
    };
    target
        .expect_users_for()
        .returning(move |_, _| Err(refused()));
    target
        .expect_list_users()
        .returning(move |_| Err(refused()));
    let directory = Directory::of(users, tree());
    let report = apply_changes(ChangeInputs {
        source: &directory,
        mapping: &mapping(),
        target: &target,
        options: &options(),
        changes: &people_set(&["a"]),
        recent_deprovisions: 0,
        journal: &NoJournal,
        index: &NoIndex,
    })
    .await;
    assert_eq!(report.outcome, ChangeOutcome::Failed);
    assert!(report.retry);
}

#[tokio::test]
async fn event_deprovisions_past_the_guard_window_are_held_back() {
    let store = Store::default();
    sync(&store, people(20), &options()).await;
    store.clear_writes();
    let mut options = options();
    options.guard = DeprovisionGuard {
        max_percent: 10.0,
        min_users: 2,
    };
    let directory = Directory::of(people(20)[1..].to_vec(), vec![]);
    // Two events already deprovisioned within the window: a third trips the guard (3 > 2 and
    // 3 > 10% of 20).
    let report = apply_to(&store, &directory, &leaving(&["user000"]), &options, 2).await;
    assert_eq!(report.outcome, ChangeOutcome::HeldBack, "{report:?}");
    let held = report.report.held_back.expect("held back");
    assert_eq!(held.users[0].user, "user000");
    assert!(held.reason.contains("full sync"), "{}", held.reason);
    assert_eq!(store.writes(), vec![]);
    // Within the window's allowance it goes through.
    let report = apply_to(&store, &directory, &leaving(&["user000"]), &options, 1).await;
    assert_eq!(report.outcome, ChangeOutcome::Applied);
}

#[tokio::test]
async fn a_renamed_department_updates_its_group_only() {
    let (store, users) = synced().await;
    let mut departments = tree();
    departments[3].name = "市场部".into();
    let directory = Directory::of(users, departments);
    let changes = ChangeSet {
        departments: BTreeSet::from(["4".to_owned()]),
        ..ChangeSet::default()
    };
    let report = apply_to(&store, &directory, &changes, &options(), 0).await;
    assert_eq!(report.outcome, ChangeOutcome::Applied);
    assert_eq!(
        store.writes(),
        vec![("update-group".into(), "4".into(), vec![])]
    );
    assert_eq!(store.group("4").expect("group").display_name, "市场部");
}

#[tokio::test]
async fn a_removed_department_goes_once_empty_and_is_kept_while_not() {
    let (store, users) = synced().await;
    let directory = Directory::of(users, tree()[..3].to_vec());
    let removed = ChangeSet {
        removed_departments: BTreeSet::from(["4".to_owned()]),
        ..ChangeSet::default()
    };
    let report = apply_to(&store, &directory, &removed, &options(), 0).await;
    assert!(store.group("4").is_some(), "b and c are still in it");
    assert!(
        report
            .report
            .notices
            .iter()
            .any(|n| n.contains("still in it")),
        "{:?}",
        report.report.notices
    );
    // b and c moved away (their events came); then the department goes.
    let mut moved = vec![
        in_depts("a", &["3"]),
        in_depts("b", &["1"]),
        in_depts("c", &["1"]),
    ];
    let directory = Directory::of(std::mem::take(&mut moved), tree()[..3].to_vec());
    apply_to(&store, &directory, &people_set(&["b", "c"]), &options(), 0).await;
    store.clear_writes();
    let report = apply_to(&store, &directory, &removed, &options(), 0).await;
    assert_eq!(report.outcome, ChangeOutcome::Applied, "{report:?}");
    assert_eq!(
        store.writes(),
        vec![("delete-group".into(), "4".into(), vec![])]
    );
    assert!(store.group("3").is_some(), "no other group goes");
}

#[tokio::test]
async fn a_hire_with_another_users_email_is_screened_like_in_a_full_sync() {
    let (store, mut users) = synced().await;
    users.push(in_depts("new", &["4"]).with("email", "a@acme.example"));
    let directory = Directory::of(users, tree());
    let report = apply_to(&store, &directory, &people_set(&["new"]), &options(), 0).await;
    assert_eq!(report.outcome, ChangeOutcome::Failed, "{report:?}");
    assert!(
        store.user("unew").email.is_empty(),
        "created without the e-mail a holds"
    );
    assert_eq!(store.user("ua").email, "a@acme.example");
}
