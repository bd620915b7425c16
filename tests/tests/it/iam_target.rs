//! The Hanzo IAM target against what real IAM servers do and our simpler fake configuration
//! hides: a default user order without a tiebreaker (pages that skip and repeat users), an
//! organization's account-item rules that silently drop a change to `is_forbidden`, and groups
//! stored exactly as sent.

use crate::common::{fake_iam, org, IamWorld};
use serde_json::Value;
use syncer_dingtalk_sim::SimUser;
use syncer_iam_sim::{FakeIam, FakeIamConfig, Flavor};

const ORG: &str = "acme";

fn summary(report: &Value) -> String {
    format!(
        "status {} counts {} errors {}",
        report["status"], report["counts"], report["errors"]
    )
}

async fn fake_iam_with(config: FakeIamConfig) -> FakeIam {
    FakeIam::start(config).await.expect("start fake IAM")
}

/// 20 DingTalk members synced into a fake IAM of `flavor` whose organization makes the account
/// item "Is forbidden" admin-only.
async fn world_where_is_forbidden_is_admin_only(flavor: Flavor) -> IamWorld {
    let iam = fake_iam_with(FakeIamConfig {
        flavor,
        admin_only_items: vec!["Is forbidden".to_owned()],
        ..FakeIamConfig::default()
    })
    .await;
    IamWorld::start(org(20), iam, "").await
}

/// A member who may sign in (their leaving is a disable).
fn active_member(world: &IamWorld) -> SimUser {
    world
        .dingtalk
        .org()
        .users
        .into_iter()
        .find(|user| user.active && !user.unionid.is_empty())
        .expect("an active member with a unionid")
}

/// A first sync (which must succeed), then an active member leaves the source and the world
/// syncs again: that sync's outcome and report, and who left.
async fn sync_after_a_member_left(world: &IamWorld) -> (crate::common::Outcome, Value, SimUser) {
    let (outcome, _) = world.sync(&[]).await;
    assert_eq!(outcome.code, 0, "{}", outcome.all());
    let leaver = active_member(world);
    world.dingtalk.update_org(|org| {
        org.remove_user(&leaver.userid);
    });
    let (outcome, report) = world.sync(&[]).await;
    (outcome, report, leaver)
}

#[tokio::test]
async fn users_created_in_the_same_second_are_all_listed_when_iam_orders_ties_unstably() {
    // Three pages of users created within a few seconds: in IAM's default order
    // (created_time DESC, no tiebreaker) each page request may order them differently.
    let iam = fake_iam_with(FakeIamConfig {
        unstable_ties: true,
        ..FakeIamConfig::default()
    })
    .await;
    let world = IamWorld::start(org(1_300), iam, "").await;
    let (outcome, report) = world.sync(&[]).await;
    assert_eq!(outcome.code, 0, "{}", outcome.all());
    assert_eq!(report["counts"]["created"], 1_300, "{}", summary(&report));

    world.iam.reset_stats();
    let (outcome, report) = world.sync(&[]).await;
    assert_eq!(outcome.code, 0, "{}", outcome.all());
    assert_eq!(report["counts"]["unchanged"], 1_300, "{}", summary(&report));
    assert_eq!(
        world.iam.stats().total_writes,
        0,
        "every user was listed once: {}",
        summary(&report)
    );
}

#[tokio::test]
async fn a_disable_that_iam_silently_drops_is_a_failure_not_a_disabled_leaver() {
    let world = world_where_is_forbidden_is_admin_only(Flavor::Hanzo).await;

    let (outcome, report, leaver) = sync_after_a_member_left(&world).await;

    assert_eq!(outcome.code, 1, "{}", outcome.all());
    assert_eq!(report["status"], "partial", "{}", summary(&report));
    assert_eq!(report["counts"]["disabled"], 0, "{}", summary(&report));
    assert_eq!(report["counts"]["failed"], 1, "{}", summary(&report));
    let stored = world.iam.user(ORG, &leaver.unionid).expect("still there");
    assert_eq!(stored["isForbidden"], false, "IAM kept the old value");
    let errors = report["errors"].to_string();
    assert!(errors.contains("Is forbidden"), "{errors}");
    assert!(errors.contains("Account items"), "{errors}");

    let test = world.run(&["test", "acme-dt", "--json"]).await;
    assert_eq!(test.code, 1, "{}", test.all());
    let checks = test.json()["checks"].to_string();
    assert!(checks.contains("IAM field rules"), "{checks}");
    assert!(checks.contains("Is forbidden"), "{checks}");
}

#[tokio::test]
async fn groups_are_created_enabled_and_dated() {
    let world = IamWorld::start(org(20), fake_iam(Flavor::Hanzo).await, "").await;
    let (outcome, _) = world.sync(&[]).await;
    assert_eq!(outcome.code, 0, "{}", outcome.all());
    let groups = world.iam.groups(ORG);
    assert!(!groups.is_empty());
    for group in &groups {
        assert_eq!(group["isEnabled"], true, "{group}");
        assert!(
            group["createdTime"].as_str().is_some_and(|t| !t.is_empty()),
            "{group}"
        );
    }
}

#[tokio::test]
async fn casdoor_applications_are_administrators_so_admin_only_items_do_not_fail_the_test() {
    let world = world_where_is_forbidden_is_admin_only(Flavor::Casdoor).await;
    let test = world.run(&["test", "acme-dt", "--json"]).await;
    assert_eq!(test.code, 0, "{}", test.all());
    let checks = test.json()["checks"].to_string();
    assert!(checks.contains("Is forbidden"), "{checks}");

    let (outcome, report, _) = sync_after_a_member_left(&world).await;
    assert_eq!(outcome.code, 0, "{}", outcome.all());
    assert_eq!(report["counts"]["disabled"], 1, "{}", summary(&report));
}
