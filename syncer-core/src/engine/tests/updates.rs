//! Creates and minimal updates: mapped fields and marks on create, only the changed fields
//! on update, and values IAM spells differently recognised as unchanged.

use super::*;

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
