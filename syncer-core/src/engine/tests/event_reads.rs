//! What a batch of change events reads from the target: only the users its people can match
//! or collide with, and the whole listing where the plan weighs the organization or the
//! lookups cannot be sure. Either way each person is decided as a full sync decides.

use super::events::{apply_to, people_set, synced, Directory};
use super::*;
use crate::engine::ownership;

pub(super) fn reads(store: &Store) -> Vec<&'static str> {
    store.user_reads.lock().expect("lock").clone()
}

/// The same organization twice: one store for the event, one for a full sync to compare with.
async fn twins() -> (Store, Store, Vec<SourceRecord>) {
    let (events, users) = synced().await;
    let (full, _) = synced().await;
    events.user_reads.lock().expect("lock").clear();
    (events, full, users)
}

/// Edits IAM's copy of `name` in both stores, as an administrator would.
pub(super) fn edit_both(stores: [&Store; 2], name: &str, edit: impl Fn(&mut IamUser)) {
    for store in stores {
        let mut users = store.users.lock().expect("lock");
        let user = users
            .iter_mut()
            .find(|user| user.name == name)
            .expect("the user exists");
        edit(user);
    }
}

pub(super) fn add_both(stores: [&Store; 2], user: IamUser) {
    for store in stores {
        store.users.lock().expect("lock").push(user.clone());
    }
}

/// Applies an event for `a` on `events` and a full sync on `full`, both with `users`, and
/// checks they wrote the same and reported the same per-user problems.
async fn same_as_a_full_sync(
    events: &Store,
    full: &Store,
    users: Vec<SourceRecord>,
) -> ChangeReport {
    let directory = Directory::of(users.clone(), tree());
    let report = apply_to(events, &directory, &people_set(&["a"]), &options(), 0).await;
    let full_report = sync_tree(full, users, tree()).await;
    assert_eq!(events.writes(), full.writes(), "{report:?}");
    assert_eq!(report.report.errors, full_report.errors);
    report
}

#[tokio::test]
async fn a_change_reads_only_the_users_it_concerns() {
    let (store, full, mut users) = twins().await;
    users[0] = users[0].clone().with("title", "CTO");
    same_as_a_full_sync(&store, &full, users).await;
    assert_eq!(
        reads(&store),
        vec!["lookup"],
        "no listing of the organization"
    );
    assert_eq!(
        store.writes(),
        vec![("update".into(), "ua".into(), vec![IamField::Title])]
    );
}

#[tokio::test]
async fn a_change_to_an_email_another_user_holds_is_screened_like_a_full_sync() {
    let (store, full, mut users) = twins().await;
    users[0] = users[0]
        .clone()
        .with("email", "B@acme.example")
        .with("title", "CTO");
    let report = same_as_a_full_sync(&store, &full, users).await;
    assert_eq!(reads(&store), vec!["lookup"]);
    assert_eq!(
        store.writes(),
        vec![("update".into(), "ua".into(), vec![IamField::Title])],
        "the e-mail b holds is not sent"
    );
    assert_eq!(store.user("ua").email, "a@acme.example");
    let error = report.error().expect("the lost e-mail is reported");
    assert!(error.contains("ub"), "{error}");
}

#[tokio::test]
async fn a_phone_another_user_holds_in_another_spelling_is_screened_like_a_full_sync() {
    let (store, full, mut users) = twins().await;
    let mut local = local_user("local", "local-1");
    local.phone = "+86 139 1234 5678".into();
    add_both([&store, &full], local);
    users[0] = users[0].clone().with("mobile", "13912345678");
    let report = same_as_a_full_sync(&store, &full, users).await;
    assert_eq!(reads(&store), vec!["lookup"]);
    assert_eq!(
        store.writes(),
        vec![],
        "only the phone changed, and it is taken"
    );
    let error = report.error().expect("the lost phone is reported");
    assert!(error.contains("IAM user local"), "{error}");
}

#[tokio::test]
async fn a_person_whose_account_iam_renamed_is_found_by_id_not_created_again() {
    let (store, full, mut users) = twins().await;
    edit_both([&store, &full], "ua", |user| user.name = "li.na".into());
    users[0] = users[0].clone().with("title", "CTO");
    same_as_a_full_sync(&store, &full, users).await;
    assert_eq!(reads(&store), vec!["lookup"]);
    assert_eq!(
        store.writes(),
        vec![("update".into(), "li.na".into(), vec![IamField::Title])]
    );
}

#[tokio::test]
async fn an_account_found_by_the_syncers_mark_alone_is_updated_from_the_whole_listing() {
    // An adopted account keeps its own id; renamed in IAM and with the person's e-mail and
    // phone changing, no lookup of the person finds it.
    let (store, full, mut users) = twins().await;
    edit_both([&store, &full], "ua", |user| {
        user.name = "li.na".into();
        user.id = "7c1e-uuid".into();
    });
    assert_eq!(
        store.user("li.na").properties.get(ownership::SOURCE_ID),
        Some("a")
    );
    users[0] = users[0]
        .clone()
        .with("email", "a.new@acme.example")
        .with("mobile", "13900000001");
    same_as_a_full_sync(&store, &full, users).await;
    assert_eq!(reads(&store), vec!["lookup", "list"]);
    assert_contact_updated(&store, "li.na");
}

#[tokio::test]
async fn a_field_empty_for_everyone_read_is_weighed_on_the_whole_listing() {
    let store = Store::default();
    sync(&store, people(12), &options()).await;
    store.clear_writes();
    let mut users = people(12);
    users[0] = users[0].clone().with("email", "");
    let directory = Directory::of(users, vec![]);
    let report = apply_to(&store, &directory, &people_set(&["user000"]), &options(), 0).await;
    assert_eq!(reads(&store).last(), Some(&"list"));
    assert_eq!(
        store.user("uuser000").email,
        "user000@acme.example",
        "kept, as when the whole organization is weighed: {report:?}"
    );
    assert!(
        report
            .report
            .notices
            .iter()
            .any(|notice| notice.contains("came back empty")),
        "{:?}",
        report.report.notices
    );
}

/// Asserts that `store`'s only write updated the e-mail and phone of the account `name`: the
/// person's account was found, not created a second time.
pub(super) fn assert_contact_updated(store: &Store, name: &str) {
    assert_eq!(
        store.writes(),
        vec![(
            "update".into(),
            name.into(),
            vec![IamField::Email, IamField::Phone]
        )],
        "updated, not created a second time"
    );
}
