//! A contested e-mail or phone costs only that column, never the whole write.

use super::*;

fn holding(name: &str, email: &str, phone: &str) -> IamUser {
    IamUser {
        email: email.into(),
        phone: phone.into(),
        ..local_user(name, &format!("id-{name}"))
    }
}

fn error_of<'r>(report: &'r SyncReport, user: &str) -> &'r str {
    report
        .errors
        .iter()
        .find(|e| e.user.as_deref() == Some(user))
        .map(|e| e.message.as_str())
        .unwrap_or_else(|| panic!("an error for {user}: {:?}", report.errors))
}

#[tokio::test]
async fn a_returning_leaver_is_reenabled_although_their_new_email_is_taken() {
    let store = Store::default();
    sync(&store, people(2), &options()).await;
    sync(&store, people(1), &options()).await;
    assert!(store.user("uuser001").is_forbidden);
    let old_email = store.user("uuser001").email;
    store
        .users
        .lock()
        .expect("lock")
        .push(holding("x", "new@acme.example", ""));
    store.clear_writes();
    let mut back = people(2);
    back[1] = back[1]
        .clone()
        .with("email", "new@acme.example")
        .with("title", "经理");
    let report = sync(&store, back, &options()).await;
    let user = store.user("uuser001");
    assert!(!user.is_forbidden, "re-enabled");
    assert_eq!(user.title, "经理");
    assert_eq!(user.email, old_email, "the contested e-mail is not written");
    assert_eq!(report.status, RunStatus::Partial);
    assert_eq!(report.counts.updated, 1);
    let error = error_of(&report, "user001");
    assert!(
        error.contains("new@acme.example") && error.contains("already used"),
        "{error}"
    );
    let (_, _, columns) = &store.writes()[0];
    assert!(!columns.contains(&IamField::Email), "{columns:?}");
    assert!(columns.contains(&IamField::IsForbidden), "{columns:?}");
}

#[tokio::test]
async fn a_new_hire_with_a_recycled_phone_is_created_without_it() {
    let store = Store::with(vec![holding("x", "", "13800000001")]);
    let hire = person("n").with("mobile", "13800000001");
    let report = sync(&store, vec![hire], &options()).await;
    assert_eq!(report.counts.created, 1, "{report:?}");
    let user = store.user("un");
    assert_eq!(user.phone, "");
    assert_eq!(user.email, "n@acme.example");
    assert_eq!(report.status, RunStatus::Partial);
    let error = error_of(&report, "n");
    assert!(
        error.contains("13800000001") && error.contains("created without"),
        "{error}"
    );
    // Once the number is free, the next run sets it.
    store.users.lock().expect("lock").retain(|u| u.name != "x");
    let report = sync(
        &store,
        vec![person("n").with("mobile", "13800000001")],
        &options(),
    )
    .await;
    assert_eq!(store.user("un").phone, "13800000001");
    assert_eq!(report.status, RunStatus::Succeeded);
}

#[tokio::test]
async fn a_phone_handed_from_one_person_to_another_in_one_run_is_written() {
    let store = Store::default();
    let first = vec![
        person("a").with("mobile", "13800000001"),
        person("b").with("mobile", "13800000002"),
    ];
    sync(&store, first, &options()).await;
    store.clear_writes();
    // b (listed first) takes a's number; a gets a new one.
    let handed = vec![
        person("b").with("mobile", "13800000001"),
        person("a").with("mobile", "13800000003"),
    ];
    let report = sync(&store, handed, &options()).await;
    assert_eq!(report.status, RunStatus::Succeeded, "{report:?}");
    assert_eq!(store.user("ua").phone, "13800000003");
    assert_eq!(store.user("ub").phone, "13800000001");
    let order: Vec<String> = store.writes().into_iter().map(|w| w.1).collect();
    assert_eq!(order, vec!["ua", "ub"], "the giver is written first");
}

#[tokio::test]
async fn swapped_phones_are_reported_and_the_rest_is_written() {
    let store = Store::default();
    let first = vec![
        person("a").with("mobile", "13800000001"),
        person("b").with("mobile", "13800000002"),
    ];
    sync(&store, first, &options()).await;
    let swapped = vec![
        person("a").with("mobile", "13800000002").with("title", "A"),
        person("b").with("mobile", "13800000001").with("title", "B"),
    ];
    let report = sync(&store, swapped, &options()).await;
    assert_eq!(report.status, RunStatus::Partial);
    assert_eq!(report.counts.updated, 2, "{report:?}");
    assert_eq!(
        (
            store.user("ua").title.as_str(),
            store.user("ub").title.as_str()
        ),
        ("A", "B")
    );
    assert!(error_of(&report, "a").contains("already used"));
    assert!(error_of(&report, "b").contains("already used"));
}

#[tokio::test]
async fn an_update_of_only_a_contested_email_sends_nothing_and_says_why() {
    let store = Store::default();
    sync(&store, people(1), &options()).await;
    store
        .users
        .lock()
        .expect("lock")
        .push(holding("x", "taken@acme.example", ""));
    store.clear_writes();
    let report = sync(
        &store,
        vec![person("user000").with("email", "taken@acme.example")],
        &options(),
    )
    .await;
    assert_eq!(store.writes(), vec![]);
    assert_eq!(report.counts.updated, 0);
    assert!(error_of(&report, "user000").contains("left as it is"));
}
