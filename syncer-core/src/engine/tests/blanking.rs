//! A field that comes back empty for everyone is a lost permission, not a mass blanking.

use super::*;

fn without_phones(people: Vec<SourceRecord>) -> Vec<SourceRecord> {
    people.into_iter().map(|p| p.with("mobile", "")).collect()
}

#[tokio::test]
async fn phones_missing_for_everyone_are_not_blanked_and_the_scope_is_named() {
    let store = Store::default();
    sync(&store, people(20), &options()).await;
    store.clear_writes();
    let report = sync(&store, without_phones(people(20)), &options()).await;
    assert_eq!(store.writes(), vec![], "{report:?}");
    assert!(store.user("uuser003").phone.starts_with("139"));
    let notice = report
        .notices
        .iter()
        .find(|n| n.contains("Phone"))
        .unwrap_or_else(|| panic!("a notice names Phone: {:?}", report.notices));
    assert!(notice.contains("Contact.User.mobile"), "{notice}");
    // Other changes still flow.
    let mut changed = without_phones(people(20));
    changed[0] = changed[0].clone().with("title", "经理");
    sync(&store, changed, &options()).await;
    assert_eq!(
        store.writes(),
        vec![("update".into(), "uuser000".into(), vec![IamField::Title])]
    );
}

#[tokio::test]
async fn phones_really_removed_in_a_small_org_or_for_some_are_blanked() {
    let store = Store::default();
    sync(&store, people(5), &options()).await;
    let report = sync(&store, without_phones(people(5)), &options()).await;
    assert_eq!(report.counts.updated, 5, "below the threshold: {report:?}");
    assert_eq!(store.user("uuser000").phone, "");

    let store = Store::default();
    sync(&store, people(20), &options()).await;
    let mut some = people(20);
    some[0] = some[0].clone().with("mobile", "");
    let report = sync(&store, some, &options()).await;
    assert_eq!(report.counts.updated, 1);
    assert_eq!(store.user("uuser000").phone, "");
    assert!(report.notices.is_empty(), "{:?}", report.notices);
}

#[tokio::test]
async fn the_notice_names_the_permission_the_plugin_declares_and_no_other_backend() {
    let store = Store::default();
    sync(&store, people(20), &options()).await;
    let without_contacts = people(20)
        .into_iter()
        .map(|p| p.with("mobile", "").with("email", ""))
        .collect();
    let report = sync(&store, without_contacts, &options()).await;
    let notice = |field: &str| {
        report
            .notices
            .iter()
            .find(|n| n.starts_with(field))
            .unwrap_or_else(|| panic!("a notice names {field}: {:?}", report.notices))
            .clone()
    };
    // The test plugin declares a permission for `mobile` only.
    assert!(notice("Phone").contains("grant the app the Contact.User.mobile scope"));
    let email = notice("Email");
    assert!(
        email.contains("check the field permissions of the app"),
        "{email}"
    );
    for backend in ["DingTalk", "Lark", "Contact.User", "contact:user"] {
        assert!(!email.contains(backend), "{email}");
    }
}
