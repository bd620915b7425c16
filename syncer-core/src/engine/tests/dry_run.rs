//! Dry runs: everything planned and listed, users and groups, nothing written.

use super::*;

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
    let report = run_sync(SyncInputs::new(&source(changed), &mapping(), &mock, &dry)).await;
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
    let report = run_sync(SyncInputs::new(
        &source_with(vec![in_depts("a", &["3"])], tree()),
        &mapping(),
        &mock,
        &dry,
    ))
    .await;
    assert_eq!(report.counts.groups_created, 4);
    assert_eq!(report.plan.expect("plan").groups.create.len(), 4);
    assert!(store.writes().is_empty());
}
