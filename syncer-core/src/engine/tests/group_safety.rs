//! Groups: a nameless department keeps its group's name, leavers leave the syncer's groups,
//! and a group that could not be created holds back its children and memberships.

use super::*;

async fn sync_tree_with(
    store: &Store,
    users: Vec<SourceRecord>,
    departments: Vec<Department>,
    options: &SyncOptions,
) -> SyncReport {
    run_sync(SyncInputs::new(
        &source_with(users, departments),
        &mapping(),
        &store.mock(),
        options,
    ))
    .await
}

#[tokio::test]
async fn a_department_without_a_name_keeps_its_groups_display_name() {
    let store = Store::default();
    sync_tree(&store, vec![in_depts("a", &["3"])], tree()).await;
    let mut nameless = tree();
    nameless[0].name = String::new();
    nameless.push(dept("5", "", Some("1")));
    store.clear_writes();
    let report = sync_tree(&store, vec![in_depts("a", &["3"])], nameless).await;
    assert_eq!(report.counts.groups_updated, 0, "{report:?}");
    assert_eq!(store.group("1").expect("root").display_name, "艾克米");
    assert_eq!(store.group("5").expect("new group").display_name, "5");
}

#[tokio::test]
async fn a_disabled_leaver_leaves_the_syncers_groups_and_a_returning_one_rejoins() {
    let store = Store::default();
    sync_tree(
        &store,
        vec![in_depts("a", &["3"]), in_depts("b", &["4"])],
        tree(),
    )
    .await;
    store.edit_user("ua", |user| user.groups.push("acme/admins".into()));
    // a leaves and department 3 is gone.
    let without_3: Vec<Department> = tree().into_iter().filter(|d| d.id != "3").collect();
    let report = sync_tree(&store, vec![in_depts("b", &["4"])], without_3.clone()).await;
    assert_eq!(report.counts.disabled, 1);
    let leaver = store.user("ua");
    assert!(leaver.is_forbidden);
    assert_eq!(leaver.groups, vec!["acme/admins"]);
    assert!(store.group("3").is_none(), "the emptied group is deleted");
    assert_eq!(report.counts.groups_deleted, 1);

    let report = sync_tree(
        &store,
        vec![in_depts("a", &["4"]), in_depts("b", &["4"])],
        without_3,
    )
    .await;
    assert_eq!(report.counts.updated, 1);
    let back = store.user("ua");
    assert!(!back.is_forbidden);
    assert_eq!(back.groups, vec!["acme/admins", "acme/4"]);
}

#[tokio::test]
async fn leavers_disabled_before_lose_their_memberships_once() {
    let store = Store::default();
    sync_tree(
        &store,
        vec![in_depts("a", &["3"]), in_depts("b", &["4"])],
        tree(),
    )
    .await;
    {
        let mut users = store.users.lock().expect("lock");
        let a = users.iter_mut().find(|u| u.name == "ua").expect("a");
        a.is_forbidden = true;
        a.properties.insert(ownership::DEPROVISIONED, "left source");
    }
    store.clear_writes();
    let report = sync_tree(&store, vec![in_depts("b", &["4"])], tree()).await;
    assert_eq!(
        store.writes(),
        vec![("update".into(), "ua".into(), vec![IamField::Groups])]
    );
    assert_eq!(report.counts.disabled, 0);
    assert!(store.user("ua").groups.is_empty());
    store.clear_writes();
    sync_tree(&store, vec![in_depts("b", &["4"])], tree()).await;
    assert_eq!(store.writes(), vec![]);
}

#[tokio::test]
async fn leavers_keep_their_groups_when_groups_are_not_synced() {
    let store = Store::default();
    sync_tree(
        &store,
        vec![in_depts("a", &["3"]), in_depts("b", &["4"])],
        tree(),
    )
    .await;
    let no_groups = SyncOptions {
        sync_groups: false,
        ..options()
    };
    sync_tree_with(&store, vec![in_depts("b", &["4"])], tree(), &no_groups).await;
    let leaver = store.user("ua");
    assert!(leaver.is_forbidden);
    assert_eq!(leaver.groups, vec!["acme/3"]);
}

#[tokio::test]
async fn a_group_that_cannot_be_created_holds_back_its_children_and_memberships() {
    let store = Store::default();
    store.failing_groups.lock().expect("lock").push("2".into());
    let people = || {
        vec![
            in_depts("a", &["3", "4"]),
            in_depts("c", &["2"]),
            in_depts("d", &["1"]),
        ]
    };
    let report = sync_tree(&store, people(), tree()).await;
    let tried: Vec<String> = store
        .writes()
        .into_iter()
        .filter(|w| w.0 == "add-group")
        .map(|w| w.1)
        .collect();
    assert!(
        !tried.contains(&"3".to_owned()),
        "child not tried: {tried:?}"
    );
    assert_eq!(report.counts.groups_created, 2, "{report:?}");
    assert_eq!(report.counts.groups_failed, 2, "{report:?}");
    assert_eq!(report.status, RunStatus::Partial);
    assert_eq!(store.user("ua").groups, vec!["acme/4"]);
    assert!(store.user("uc").groups.is_empty());
    assert_eq!(store.user("ud").groups, vec!["acme/1"]);

    store.failing_groups.lock().expect("lock").clear();
    let report = sync_tree(&store, people(), tree()).await;
    assert_eq!(report.status, RunStatus::Succeeded, "{report:?}");
    assert_eq!(store.user("ua").groups, vec!["acme/3", "acme/4"]);
    assert_eq!(store.user("uc").groups, vec!["acme/2"]);
}

#[tokio::test]
async fn a_soft_deleted_user_does_not_keep_a_vanished_departments_group() {
    let store = Store::default();
    sync_tree(
        &store,
        vec![in_depts("a", &["3"]), in_depts("b", &["4"])],
        tree(),
    )
    .await;
    // IAM soft-deleted a (its body still lists acme/3, its membership records are gone).
    store.edit_user("ua", |user| user.is_deleted = true);
    let without_3: Vec<Department> = tree().into_iter().filter(|d| d.id != "3").collect();
    let report = sync_tree(&store, vec![in_depts("b", &["4"])], without_3).await;
    assert!(store.group("3").is_none(), "{report:?}");
    assert_eq!(report.counts.groups_deleted, 1);
}
