//! Leavers: disabled by default, deleted or kept by policy, re-enabled on return, and never
//! deprovisioned after an incomplete fetch.

use super::*;

#[tokio::test]
async fn leaver_is_disabled_not_deleted_by_default_and_reenabled_on_return() {
    let store = Store::default();
    sync(&store, people(3), &options()).await;
    let report = sync(&store, people(2), &options()).await;
    assert_eq!(report.counts.disabled, 1);
    assert!(store.user("uuser002").is_forbidden);
    store.clear_writes();
    // Still gone: nothing more to do.
    sync(&store, people(2), &options()).await;
    assert_eq!(store.writes(), vec![]);
    // Back: enabled again.
    let report = sync(&store, people(3), &options()).await;
    assert_eq!(report.counts.updated, 1);
    let user = store.user("uuser002");
    assert!(!user.is_forbidden);
    assert!(!user.properties.contains_key(ownership::DEPROVISIONED));
}

#[tokio::test]
async fn returning_leaver_is_reenabled_even_when_is_forbidden_is_not_mapped() {
    let mut overrides = BTreeMap::new();
    overrides.insert("active".to_owned(), String::new());
    let mapping = FieldMapping::build(&PLUGIN, &overrides).expect("valid");
    let store = Store::default();
    let opts = options();
    run_sync(SyncInputs::new(
        &source(people(2)),
        &mapping,
        &store.mock(),
        &opts,
    ))
    .await;
    run_sync(SyncInputs::new(
        &source(people(1)),
        &mapping,
        &store.mock(),
        &opts,
    ))
    .await;
    assert!(store.user("uuser001").is_forbidden);
    run_sync(SyncInputs::new(
        &source(people(2)),
        &mapping,
        &store.mock(),
        &opts,
    ))
    .await;
    assert!(!store.user("uuser001").is_forbidden);
}

#[tokio::test]
async fn leaver_policies_delete_and_keep() {
    let store = Store::default();
    sync(&store, people(3), &options()).await;
    let keep = SyncOptions {
        leavers: LeaverPolicy::Keep,
        ..options()
    };
    store.clear_writes();
    sync(&store, people(2), &keep).await;
    assert_eq!(store.writes(), vec![]);
    let delete = SyncOptions {
        leavers: LeaverPolicy::Delete,
        ..options()
    };
    let report = sync(&store, people(2), &delete).await;
    assert_eq!(report.counts.deleted, 1);
    assert_eq!(store.users.lock().expect("lock").len(), 2);
}

#[tokio::test]
async fn incomplete_fetch_deprovisions_nobody() {
    let store = Store::default();
    sync(&store, people(5), &options()).await;
    let mut partial = source(people(3));
    partial.snapshot.failures.push(FetchFailure {
        scope: "department 7".into(),
        api: "/topapi/v2/user/list".into(),
        message: "busy".into(),
    });
    store.clear_writes();
    let report = sync_from(&store, &partial, &options()).await;
    assert_eq!(report.status, RunStatus::Partial);
    assert_eq!(report.exit_code(), 1);
    assert_eq!(report.counts.disabled, 0);
    assert_eq!(store.writes(), vec![]);
    assert_eq!(report.held_back.as_ref().map(|h| h.count), Some(2));
}

/// `person` as a source that left its `active` out (unknown).
fn without_active(userid: &str) -> SourceRecord {
    let mut record = person(userid);
    record.fields = person(userid)
        .fields
        .iter()
        .filter(|(name, _)| *name != "active")
        .fold(SourceRecord::new(userid), |kept, (name, value)| {
            kept.with(static_name(name), value.clone())
        })
        .fields;
    record
}

fn static_name(name: &str) -> &'static str {
    ["userid", "unionid", "name", "email", "mobile"]
        .into_iter()
        .find(|known| *known == name)
        .unwrap_or_else(|| panic!("unexpected field {name}"))
}

#[tokio::test]
async fn an_unknown_active_neither_enables_nor_disables_and_says_so() {
    let store = Store::default();
    let mut inactive = people(2);
    inactive[1] = person("user001").with("active", false);
    sync(&store, inactive, &options()).await;
    assert!(store.user("uuser001").is_forbidden, "inactive is forbidden");
    assert!(!store.user("uuser000").is_forbidden);
    store.clear_writes();

    let report = sync(
        &store,
        vec![without_active("user000"), without_active("user001")],
        &options(),
    )
    .await;

    assert_eq!(
        store.writes(),
        vec![],
        "nothing to write: active is unknown"
    );
    assert!(store.user("uuser001").is_forbidden, "not re-enabled");
    assert!(!store.user("uuser000").is_forbidden, "not disabled");
    let notice = report
        .notices
        .iter()
        .find(|notice| notice.contains("IsForbidden"))
        .unwrap_or_else(|| panic!("a notice naming IsForbidden: {:?}", report.notices));
    assert!(notice.contains("no `active` for 2 people"), "{notice}");
    assert!(notice.contains("user001"), "{notice}");
}

#[tokio::test]
async fn a_returning_leaver_whose_active_is_unknown_stays_disabled() {
    let store = Store::default();
    sync(&store, people(2), &options()).await;
    sync(&store, people(1), &options()).await;
    assert!(store.user("uuser001").is_forbidden);

    sync(
        &store,
        vec![person("user000"), without_active("user001")],
        &options(),
    )
    .await;

    let user = store.user("uuser001");
    assert!(user.is_forbidden, "active unknown: not re-enabled");
    assert!(!user.properties.contains_key(ownership::DEPROVISIONED));
}
