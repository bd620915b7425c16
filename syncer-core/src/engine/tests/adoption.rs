//! Adoption: existing IAM users matched by Id or Name become the syncer's, never renamed;
//! users of other syncers and local administrators are left alone.

use super::*;

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
