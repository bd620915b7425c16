//! Identity matching decided for everyone at once, and the adoption safety checks.

use super::*;

fn with_unionid(userid: &str, unionid: &str) -> SourceRecord {
    person(userid).with("unionid", unionid.to_owned())
}

fn marked(mut user: IamUser, source_id: &str) -> IamUser {
    ownership::mark_managed(&mut user, "dt", source_id);
    user
}

fn rejection<'r>(report: &'r SyncReport, user: &str) -> Option<&'r str> {
    report
        .errors
        .iter()
        .find(|e| e.user.as_deref() == Some(user))
        .map(|e| e.message.as_str())
}

#[tokio::test]
async fn id_match_of_one_person_beats_name_match_of_another() {
    // Person a's Name is the name of the account whose Id is person b's.
    let store = Store::with(vec![local_user("ub", "b")]);
    let people = vec![with_unionid("a", "ub"), with_unionid("b", "other")];
    let report = sync(&store, people, &options()).await;
    assert_eq!(store.user("ub").properties[ownership::SOURCE_ID], "b");
    assert!(rejection(&report, "b").is_none(), "{report:?}");
    let reason = rejection(&report, "a").expect("a is refused");
    assert!(
        reason.contains("`ub`") && reason.contains("source user b"),
        "{reason}"
    );
}

#[tokio::test]
async fn id_and_name_pointing_at_two_accounts_take_the_id_one() {
    let store = Store::with(vec![local_user("legacy", "a"), local_user("ua", "x")]);
    let untouched = store.user("ua");
    let report = sync(&store, vec![person("a")], &options()).await;
    assert_eq!(report.counts.updated, 1, "{report:?}");
    assert_eq!(store.user("legacy").properties[ownership::SOURCE_ID], "a");
    assert_eq!(store.user("ua"), untouched);
}

#[tokio::test]
async fn two_people_with_one_name_adopt_nobody() {
    let store = Store::with(vec![local_user("dup", "iam-uuid")]);
    let before = store.user("dup");
    let people = vec![with_unionid("a", "dup"), with_unionid("b", "dup")];
    let report = sync(&store, people, &options()).await;
    assert_eq!(store.user("dup"), before, "nobody adopted the account");
    for userid in ["a", "b"] {
        let reason = rejection(&report, userid).expect("refused");
        assert!(reason.contains("`dup`"), "{reason}");
    }
    assert_eq!(report.status, RunStatus::Partial);
}

#[tokio::test]
async fn a_name_never_takes_over_the_account_of_another_source_person() {
    // The syncer's account of "old" (gone from the source) has the Name of a new person.
    let store = Store::with(vec![marked(local_user("ux", "old"), "old")]);
    let report = sync(&store, vec![with_unionid("new", "ux")], &options()).await;
    let account = store.user("ux");
    assert_eq!(account.properties[ownership::SOURCE_ID], "old");
    assert!(account.is_forbidden, "the old person's account is a leaver");
    let reason = rejection(&report, "new").expect("refused");
    assert!(reason.contains("source user old"), "{reason}");
}

#[tokio::test]
async fn own_mark_beats_a_foreign_account_with_the_same_id() {
    let store = Store::default();
    sync(&store, vec![person("a")], &options()).await;
    // IAM gave the syncer's account another id; a local account has the userid as id.
    store.users.lock().expect("lock")[0].id = "iam-uuid".into();
    store
        .users
        .lock()
        .expect("lock")
        .push(local_user("foreign", "a"));
    let foreign = store.user("foreign");
    store.clear_writes();
    let report = sync(&store, vec![person("a")], &options()).await;
    assert_eq!(store.writes(), vec![], "{report:?}");
    assert!(!store.user("ua").is_forbidden);
    assert_eq!(store.user("foreign"), foreign);
}

#[tokio::test]
async fn unsafe_accounts_are_not_adopted() {
    let mut deleted = local_user("la", "a");
    deleted.is_deleted = true;
    let mut forbidden = local_user("lb", "b");
    forbidden.is_forbidden = true;
    let mut linked = local_user("lc", "c");
    linked.dingtalk = "someone-else".into();
    let mut same_link = local_user("ud", "iam-uuid");
    same_link.dingtalk = "d".into();
    let store = Store::with(vec![deleted, forbidden, linked, same_link]);
    let before: Vec<IamUser> = ["la", "lb", "lc"].map(|n| store.user(n)).into();
    let report = sync(
        &store,
        vec![person("a"), person("b"), person("c"), person("d")],
        &options(),
    )
    .await;
    assert_eq!(
        (
            report.counts.skipped,
            report.counts.created,
            report.counts.updated
        ),
        (3, 0, 1),
        "{report:?}"
    );
    for user in before {
        assert_eq!(store.user(&user.name), user, "{} untouched", user.name);
    }
    assert_eq!(store.user("ud").properties[ownership::SOURCE_ID], "d");
    for (user, why) in [("a", "deleted"), ("b", "forbidden"), ("c", "someone-else")] {
        assert!(
            report
                .notices
                .iter()
                .any(|n| n.contains(&format!("user {user} skipped")) && n.contains(why)),
            "{user}: {:?}",
            report.notices
        );
    }
}
