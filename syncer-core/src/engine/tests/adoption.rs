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

/// A person whose `unionid` is empty: their Name falls back to the `userid`.
fn without_unionid(userid: &str) -> SourceRecord {
    person(userid).with("unionid", String::new())
}

#[tokio::test]
async fn a_local_account_named_like_a_fallback_userid_is_reported_not_adopted() {
    let mut local = local_user("contractor1", "local-uuid");
    local.extra.insert("password".into(), "hash".into());
    let store = Store::with(vec![local.clone()]);
    let report = sync(&store, vec![without_unionid("contractor1")], &options()).await;
    assert_eq!(store.user("contractor1"), local, "the account is untouched");
    assert_eq!(store.writes(), vec![]);
    let error = report
        .errors
        .iter()
        .find(|e| e.user.as_deref() == Some("contractor1"))
        .expect("the collision is reported for the person");
    assert!(
        error.message.contains("acme/contractor1") && error.message.contains("adopt_by_name"),
        "{}",
        error.message
    );
    assert_eq!(report.status, RunStatus::Partial);
}

#[tokio::test]
async fn a_fallback_name_adopts_an_account_already_linked_to_the_userid() {
    let mut linked = local_user("contractor1", "local-uuid");
    linked.dingtalk = "contractor1".into();
    let store = Store::with(vec![linked]);
    let report = sync(&store, vec![without_unionid("contractor1")], &options()).await;
    assert_eq!(report.counts.updated, 1, "{report:?}");
    assert_eq!(
        store.user("contractor1").properties[ownership::SOURCE_ID],
        "contractor1"
    );
}

#[tokio::test]
async fn adopt_by_name_any_adopts_a_fallback_name_match() {
    let store = Store::with(vec![local_user("contractor1", "local-uuid")]);
    let options = SyncOptions {
        adopt_by_name: AdoptByName::Any,
        ..options()
    };
    let report = sync(&store, vec![without_unionid("contractor1")], &options).await;
    assert_eq!(report.counts.updated, 1, "{report:?}");
    assert_eq!(
        store.user("contractor1").properties[ownership::MANAGED_BY],
        "dt"
    );
}

#[tokio::test]
async fn a_remapped_name_is_no_evidence_either() {
    // Name mapped from the e-mail: chosen by an administrator, like a fallback userid.
    let mapping = FieldMapping::build(
        &PLUGIN,
        &BTreeMap::from([("email".to_owned(), "Name".to_owned())]),
    )
    .expect("valid mapping");
    let store = Store::with(vec![local_user("a@acme.example", "local-uuid")]);
    let before = store.user("a@acme.example");
    let report = run_sync(SyncInputs::new(
        &source(vec![person("a")]),
        &mapping,
        &store.mock(),
        &options(),
    ))
    .await;
    assert_eq!(store.user("a@acme.example"), before);
    assert!(
        report.errors.iter().any(|e| e.user.as_deref() == Some("a")),
        "{report:?}"
    );
}
