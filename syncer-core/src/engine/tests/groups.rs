//! Departments as groups: created under their parents, users joined, moves and renames
//! carried over, foreign memberships kept, vanished groups deleted only once empty.

use super::*;

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
    let report = sync_from(&store, &partial, &options()).await;
    assert_eq!(report.counts.groups_deleted, 0);
    assert!(store.group("4").is_some());
    assert_eq!(store.user("ua").groups, vec!["acme/3", "acme/4"]);
    assert_eq!(store.writes(), vec![]);
}
