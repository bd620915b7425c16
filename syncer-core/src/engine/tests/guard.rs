//! The deprovisioning guards: the mass-deprovision guard's base and thresholds, the empty
//! source, and what a dry run shows of withheld deprovisioning.

use super::*;

fn allow() -> SyncOptions {
    SyncOptions {
        allow_mass_deprovision: true,
        ..options()
    }
}

#[test]
fn guard_trips_only_above_both_the_share_and_the_count() {
    let guard = DeprovisionGuard::default();
    assert!(!guard.trips(5, 20), "25% but only 5 users");
    assert!(!guard.trips(11, 200), "11 users but only 5.5%");
    assert!(guard.trips(11, 100), "11 users and 11%");
    assert!(!guard.trips(10, 50), "10 users is not more than 10");
}

#[tokio::test]
async fn five_of_twenty_leavers_are_deprovisioned_despite_25_percent() {
    let store = Store::default();
    sync(&store, people(20), &options()).await;
    let report = sync(&store, people(15), &options()).await;
    assert_eq!(report.counts.disabled, 5, "{report:?}");
    assert!(report.held_back.is_none());
}

#[tokio::test]
async fn eleven_of_two_hundred_leavers_are_deprovisioned_despite_more_than_ten() {
    let store = Store::default();
    sync(&store, people(200), &options()).await;
    let report = sync(&store, people(189), &options()).await;
    assert_eq!(report.counts.disabled, 11, "{report:?}");
    assert!(report.held_back.is_none());
}

#[tokio::test]
async fn eleven_of_one_hundred_leavers_trip_the_guard() {
    let store = Store::default();
    sync(&store, people(100), &options()).await;
    let report = sync(&store, people(89), &options()).await;
    assert_eq!(report.counts.disabled, 0);
    let held = report.held_back.expect("held back");
    assert_eq!(held.count, 11);
    assert!(held.reason.contains("11 of 100"), "{}", held.reason);
}

#[tokio::test]
async fn guard_base_leaves_out_users_who_are_disabled_already() {
    let store = Store::default();
    sync(&store, people(300), &options()).await;
    // 200 left long ago and are disabled; 100 remain.
    let report = sync(&store, people(100), &allow()).await;
    assert_eq!(report.counts.disabled, 200);
    // 11 of the 100 who may sign in is more than 10%, however many old leavers there are.
    let report = sync(&store, people(89), &options()).await;
    assert_eq!(report.counts.disabled, 0, "{report:?}");
    let held = report.held_back.expect("held back");
    assert!(held.reason.contains("11 of 100"), "{}", held.reason);
}

#[tokio::test]
async fn an_empty_source_deprovisions_nobody_even_with_the_override() {
    let store = Store::default();
    sync(&store, people(5), &options()).await;
    store.clear_writes();
    let report = sync(&store, vec![], &allow()).await;
    assert_eq!(report.counts.disabled, 0);
    assert_eq!(store.writes(), vec![]);
    assert_eq!(report.status, RunStatus::Partial);
    let held = report.held_back.expect("held back");
    assert!(held.reason.contains("no users"), "{}", held.reason);
    assert!(held.reason.contains("does not lift"), "{}", held.reason);
}

#[tokio::test]
async fn a_dry_run_lists_who_the_guard_withheld() {
    let store = Store::default();
    sync(&store, people(100), &options()).await;
    store.clear_writes();
    let dry = SyncOptions {
        dry_run: true,
        ..options()
    };
    let report = sync(&store, people(80), &dry).await;
    assert_eq!(store.writes(), vec![]);
    let held = report.held_back.as_ref().expect("held back");
    assert_eq!(held.count, 20);
    assert_eq!(held.users.len(), 20);
    let last = held
        .users
        .iter()
        .find(|u| u.user == "user099")
        .expect("listed");
    assert_eq!(last.iam_user, "acme/uuser099");
    assert_eq!(last.action, OperationKind::Disable);
    let json = serde_json::to_value(&report).expect("serializes");
    assert_eq!(json["held_back"]["users"][0]["action"], "disable");

    // A real run says why but does not store the list in every report.
    let report = sync(&store, people(80), &options()).await;
    assert!(report.held_back.expect("held back").users.is_empty());
}

#[tokio::test]
async fn mass_deprovision_guard_holds_back_and_can_be_overridden() {
    let store = Store::default();
    sync(&store, people(100), &options()).await;
    store.clear_writes();
    let report = sync(&store, people(89), &options()).await;
    assert_eq!(report.status, RunStatus::Partial);
    assert_eq!(report.counts.disabled, 0);
    assert!(report
        .held_back
        .as_ref()
        .expect("held")
        .reason
        .contains("--allow-mass-deprovision"));
    assert_eq!(store.writes(), vec![]);
    // 10 of 100 is within the guard.
    let report = sync(&store, people(90), &options()).await;
    assert_eq!(report.counts.disabled, 10);
    let allow = SyncOptions {
        allow_mass_deprovision: true,
        ..options()
    };
    let report = sync(&store, people(50), &allow).await;
    assert_eq!(report.counts.disabled, 40);
}

#[tokio::test]
async fn empty_snapshot_never_deprovisions_without_override() {
    let store = Store::default();
    sync(&store, people(5), &options()).await;
    let report = sync(&store, vec![], &options()).await;
    assert_eq!(report.counts.disabled, 0);
    assert!(report.held_back.is_some());
}
