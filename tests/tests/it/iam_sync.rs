//! Syncing into Hanzo IAM as an operator runs it (issue 4): the real `syncer-host` program against
//! the simulated DingTalk and the fake IAM over HTTP, in both flavours of the fake (Hanzo under
//! `/v1/iam`, Casdoor under `/api`), checking the semantics of SPEC §5 from the IAM side.

mod adoption;
mod safety;

use std::collections::BTreeSet;
use std::time::Duration;

use crate::common::{
    assert_everyone_mapped, assert_report_has_every_field, fake_iam, iam_config_for, iam_name, org,
    IamWorld, IAM_SECRET_VAR, SECRET_ENV,
};
use serde_json::{json, Value};
use syncer_dingtalk_sim::{DeptFault, Faults, Org, SimUser};
use syncer_iam_sim::{FakeIam, FakeIamConfig, Flavor, UpdateUserCall};

/// The IAM organization every test syncs into.
const ORG: &str = "acme";
/// The syncer's name in the generated configs: its ownership mark.
const SYNCER: &str = "acme-dt";

in_both_flavours!(
    update_user_sends_exactly_the_changed_snake_case_columns_and_a_full_body,
    a_phone_stored_in_another_spelling_is_not_rewritten,
    existing_users_are_matched_by_id_then_by_name_updated_in_place_and_never_renamed,
    local_admins_and_other_syncers_users_are_untouched_and_reported_as_skipped,
    leavers_are_disabled_by_default_and_re_enabled_when_they_return,
    leavers_are_deleted_with_policy_delete,
    leavers_are_left_alone_with_policy_keep,
    an_incomplete_fetch_deprovisions_nobody_and_is_partial,
    the_guard_withholds_mass_deprovisioning_until_overridden_once,
    a_user_iam_rejects_is_reported_by_userid_and_the_others_are_synced,
    users_iam_would_refuse_are_reported_and_never_sent,
    dry_run_reports_the_full_plan_and_writes_nothing,
    test_connection_checks_the_iam_side,
    test_connection_names_client_id_and_secret_when_iam_refuses_the_secret,
    test_connection_names_an_organization_iam_does_not_have,
);

/// Stored user `name` of the organization, or a panic naming it.
fn stored(iam: &FakeIam, name: &str) -> Value {
    iam.user(ORG, name)
        .unwrap_or_else(|| panic!("IAM holds user {ORG}/{name}"))
}

/// A copy of a stored user without the listed keys (and `updatedTime`, which every write bumps).
fn without(user: &Value, keys: &[&str]) -> Value {
    let mut user = user.clone();
    let object = user.as_object_mut().expect("a user is a JSON object");
    for key in keys.iter().chain(&["updatedTime"]) {
        object.remove(*key);
    }
    user
}

/// Status, counts, errors and held-back deprovisioning of a report, for assertion messages.
fn summary(report: &Value) -> String {
    format!(
        "status {} counts {} errors {} held_back {}",
        report["status"], report["counts"], report["errors"], report["held_back"]
    )
}

/// The update-user calls the fake saw, each with its columns sorted.
fn update_calls(iam: &FakeIam) -> Vec<UpdateUserCall> {
    iam.stats()
        .update_user_calls
        .into_iter()
        .map(|mut call| {
            call.columns.sort();
            call
        })
        .collect()
}

/// Active members with a unionid, the ones whose IAM name is their unionid.
fn active_with_unionid(org: &Org) -> Vec<SimUser> {
    org.users
        .iter()
        .filter(|user| user.active && !user.unionid.is_empty())
        .cloned()
        .collect()
}

/// Whether any report error concerns `user` and mentions `text`.
fn has_user_error(report: &Value, user: &str, text: &str) -> bool {
    report["errors"]
        .as_array()
        .expect("errors is a list")
        .iter()
        .any(|error| {
            error["user"] == user
                && error["message"]
                    .as_str()
                    .is_some_and(|message| message.contains(text))
        })
}

/// Polls `condition` until it holds (at most ~10 s), for waiting on another process.
async fn wait_until(what: &str, condition: impl Fn() -> bool) {
    for _ in 0..1000 {
        if condition() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("timed out waiting until {what}");
}

/// A first sync that must succeed, for tests about what happens next.
async fn initial_sync(world: &IamWorld) -> Value {
    let (outcome, report) = world.sync(&[]).await;
    assert_eq!(outcome.code, 0, "{}", outcome.all());
    assert_eq!(report["status"], "succeeded", "{}", summary(&report));
    report
}

#[tokio::test]
async fn three_thousand_users_are_written_mapped_and_a_resync_sends_no_write() {
    let world = IamWorld::start(org(3000), fake_iam(Flavor::Hanzo).await, "").await;
    let report = initial_sync(&world).await;
    assert_eq!(report["counts"]["fetched"], 3000, "{}", summary(&report));
    assert_eq!(report["counts"]["created"], 3000, "{}", summary(&report));

    let source = world.dingtalk.org();
    let users = world.iam.users(ORG);
    assert_eq!(users.len(), 3000);
    for (person, user) in assert_everyone_mapped(&users, &source) {
        assert_eq!(user["properties"]["syncer_managed_by"], SYNCER);
        assert_eq!(
            user["properties"]["syncer_source_id"],
            person.userid.as_str()
        );
    }
    assert!(source.users.iter().any(|p| p.unionid.is_empty()));
    assert!(source.users.iter().any(|p| !p.active));

    world.iam.reset_stats();
    let (second, report) = world.sync(&[]).await;
    assert_eq!(second.code, 0, "{}", second.all());
    assert_eq!(report["counts"]["unchanged"], 3000, "{}", summary(&report));
    assert_eq!(report["target_writes"], 0);
    let stats = world.iam.stats();
    assert_eq!(
        stats.total_writes, 0,
        "writes on a resync: {:?}",
        stats.writes
    );
    assert!(stats.update_user_calls.is_empty());
}

async fn update_user_sends_exactly_the_changed_snake_case_columns_and_a_full_body(flavor: Flavor) {
    let world = IamWorld::start(org(30), fake_iam(flavor).await, "").await;
    initial_sync(&world).await;
    let person = active_with_unionid(&world.dingtalk.org())
        .into_iter()
        .next()
        .expect("the org has an active member with a unionid");
    let name = person.unionid.clone();

    // What IAM holds beyond the syncer's fields: a password, a bio, a role-like local property.
    let mut local = stored(&world.iam, &name);
    local["password"] = json!("local-password-1");
    local["bio"] = json!("set by the IAM admin");
    local["location"] = json!("Hangzhou");
    local["properties"]["local_note"] = json!("kept");
    world.iam.insert_user(local);
    let before = stored(&world.iam, &name);

    world.dingtalk.update_org(|org| {
        org.user_mut(&person.userid).expect("member exists").title = "Chief Tester".to_owned();
    });
    world.iam.reset_stats();
    let (outcome, report) = world.sync(&[]).await;
    assert_eq!(outcome.code, 0, "{}", outcome.all());
    assert_eq!(report["counts"]["updated"], 1, "{}", summary(&report));
    assert_eq!(
        update_calls(&world.iam),
        vec![UpdateUserCall {
            id: format!("{ORG}/{name}"),
            columns: vec!["title".to_owned()],
        }]
    );
    let after = stored(&world.iam, &name);
    assert_eq!(after["title"], "Chief Tester");
    assert_eq!(after["password"], "local-password-1");
    assert_eq!(without(&after, &["title"]), without(&before, &["title"]));

    // A name change is the `display_name` column, never camelCase.
    world.dingtalk.update_org(|org| {
        org.user_mut(&person.userid).expect("member exists").name = "新名字".to_owned();
    });
    world.iam.reset_stats();
    let (outcome, _) = world.sync(&[]).await;
    assert_eq!(outcome.code, 0, "{}", outcome.all());
    assert_eq!(
        update_calls(&world.iam),
        vec![UpdateUserCall {
            id: format!("{ORG}/{name}"),
            columns: vec!["display_name".to_owned()],
        }]
    );
    let renamed = stored(&world.iam, &name);
    assert_eq!(renamed["displayName"], "新名字");
    assert_eq!(
        without(&renamed, &["displayName"]),
        without(&after, &["displayName"])
    );
}

async fn a_phone_stored_in_another_spelling_is_not_rewritten(flavor: Flavor) {
    let world = IamWorld::start(org(20), fake_iam(flavor).await, "").await;
    initial_sync(&world).await;
    let person = world
        .dingtalk
        .org()
        .users
        .into_iter()
        .find(|user| !user.mobile.is_empty())
        .expect("a member with a mobile number");
    let mut user = stored(&world.iam, iam_name(&person));
    user["phone"] = json!(format!("+86 {}", person.mobile));
    user["countryCode"] = json!("CN");
    world.iam.insert_user(user);

    world.iam.reset_stats();
    let (outcome, report) = world.sync(&[]).await;
    assert_eq!(outcome.code, 0, "{}", outcome.all());
    assert_eq!(report["counts"]["updated"], 0, "{}", summary(&report));
    assert_eq!(world.iam.stats().total_writes, 0);
}

async fn existing_users_are_matched_by_id_then_by_name_updated_in_place_and_never_renamed(
    flavor: Flavor,
) {
    let mut source = org(20);
    source.users[2].unionid.clear();
    let late_unionid = source.users[2].clone();
    let candidates = active_with_unionid(&source);
    let (by_id, by_name) = (&candidates[0], &candidates[1]);

    let iam = fake_iam(flavor).await;
    // Same id as the DingTalk userid, another name (e.g. created by OAuth sign-in).
    iam.insert_user(json!({
        "owner": ORG, "name": "legacy-name", "id": by_id.userid,
        "displayName": "Old Name", "password": "keep-me", "bio": "local bio",
    }));
    // Same name as the unionid, an id IAM generated.
    iam.insert_user(json!({
        "owner": ORG, "name": by_name.unionid, "id": "iam-generated-id",
        "displayName": "Old Name Too", "password": "keep-me-too",
    }));
    let world = IamWorld::start(source.clone(), iam, "").await;
    let report = initial_sync(&world).await;
    assert_eq!(report["counts"]["created"], 18, "{}", summary(&report));
    assert_eq!(report["counts"]["updated"], 2, "{}", summary(&report));
    assert_eq!(world.iam.users(ORG).len(), 20, "no duplicate was created");

    let adopted = stored(&world.iam, "legacy-name");
    assert_eq!(adopted["id"], by_id.userid.as_str());
    assert_eq!(adopted["displayName"], by_id.name.as_str());
    assert_eq!(adopted["password"], "keep-me");
    assert_eq!(adopted["bio"], "local bio");
    assert_eq!(adopted["properties"]["syncer_managed_by"], SYNCER);
    assert!(
        world.iam.user(ORG, &by_id.unionid).is_none(),
        "the user matched by id keeps its name"
    );

    let by_name_user = stored(&world.iam, &by_name.unionid);
    assert_eq!(by_name_user["displayName"], by_name.name.as_str());
    assert_eq!(by_name_user["password"], "keep-me-too");
    assert_eq!(
        by_name_user["properties"]["syncer_source_id"],
        by_name.userid.as_str()
    );

    // The userid-named member activates DingTalk and gets a unionid: no rename, no new user.
    world.dingtalk.update_org(|org| {
        org.user_mut(&late_unionid.userid)
            .expect("member exists")
            .unionid = "lateUnionId42".to_owned();
    });
    world.iam.reset_stats();
    let (outcome, report) = world.sync(&[]).await;
    assert_eq!(outcome.code, 0, "{}", outcome.all());
    assert_eq!(report["counts"]["unchanged"], 20, "{}", summary(&report));
    assert_eq!(world.iam.stats().total_writes, 0);
    assert!(world.iam.user(ORG, &late_unionid.userid).is_some());
    assert!(world.iam.user(ORG, "lateUnionId42").is_none());
    assert!(world.iam.user(ORG, "legacy-name").is_some());
}

async fn local_admins_and_other_syncers_users_are_untouched_and_reported_as_skipped(
    flavor: Flavor,
) {
    let source = org(20);
    let candidates = active_with_unionid(&source);
    let (admin_twin, other_twin) = (&candidates[0], &candidates[1]);
    let iam = fake_iam(flavor).await;
    iam.insert_user(json!({
        "owner": ORG, "name": admin_twin.unionid, "id": "local-admin-id", "isAdmin": true,
        "displayName": "Local Admin", "email": "admin@local.example", "password": "root",
    }));
    iam.insert_user(json!({
        "owner": ORG, "name": other_twin.unionid, "id": "other-id",
        "displayName": "Someone Else's", "title": "theirs",
        "properties": {"syncer_managed_by": "other", "syncer_source_id": other_twin.userid},
    }));
    iam.insert_user(json!({"owner": ORG, "name": "local-only", "displayName": "Local Person"}));
    let untouched = [
        "local-only",
        admin_twin.unionid.as_str(),
        other_twin.unionid.as_str(),
    ]
    .map(|name| stored(&iam, name));

    let world = IamWorld::start(source, iam, "").await;
    let report = initial_sync(&world).await;
    assert_eq!(report["counts"]["skipped"], 2, "{}", summary(&report));
    assert_eq!(report["counts"]["created"], 18, "{}", summary(&report));
    for before in &untouched {
        let name = before["name"].as_str().expect("name");
        assert_eq!(&stored(&world.iam, name), before, "{name} was touched");
    }

    // Still theirs on the next run, and the local-only user is never a leaver.
    world.iam.reset_stats();
    let (outcome, report) = world.sync(&[]).await;
    assert_eq!(outcome.code, 0, "{}", outcome.all());
    assert_eq!(report["counts"]["skipped"], 2, "{}", summary(&report));
    assert_eq!(report["counts"]["disabled"], 0, "{}", summary(&report));
    assert_eq!(world.iam.stats().total_writes, 0);
    for before in &untouched {
        let name = before["name"].as_str().expect("name");
        assert_eq!(&stored(&world.iam, name), before, "{name} was touched");
    }
}

async fn leavers_are_disabled_by_default_and_re_enabled_when_they_return(flavor: Flavor) {
    let world = IamWorld::start(org(30), fake_iam(flavor).await, "").await;
    initial_sync(&world).await;
    let leaver = active_with_unionid(&world.dingtalk.org())[0].clone();
    let name = leaver.unionid.clone();
    let before = stored(&world.iam, &name);

    world.dingtalk.update_org(|org| {
        org.remove_user(&leaver.userid);
    });
    world.iam.reset_stats();
    let (outcome, report) = world.sync(&[]).await;
    assert_eq!(outcome.code, 0, "{}", outcome.all());
    assert_eq!(report["counts"]["disabled"], 1, "{}", summary(&report));
    assert_eq!(report["counts"]["deleted"], 0, "{}", summary(&report));
    assert!(
        before["groups"].as_array().is_some_and(|g| !g.is_empty()),
        "the leaver was in department groups: {before}"
    );
    assert_eq!(
        update_calls(&world.iam),
        vec![UpdateUserCall {
            id: format!("{ORG}/{name}"),
            columns: vec![
                "groups".to_owned(),
                "is_forbidden".to_owned(),
                "properties".to_owned()
            ],
        }]
    );
    let disabled = stored(&world.iam, &name);
    assert_eq!(disabled["isForbidden"], true);
    assert_eq!(
        disabled["groups"],
        json!([]),
        "a leaver leaves the syncer's groups"
    );
    assert_eq!(
        without(&disabled, &["isForbidden", "properties", "groups"]),
        without(&before, &["isForbidden", "properties", "groups"])
    );

    // Disabled stays disabled without further writes.
    world.iam.reset_stats();
    let (outcome, _) = world.sync(&[]).await;
    assert_eq!(outcome.code, 0, "{}", outcome.all());
    assert_eq!(world.iam.stats().total_writes, 0);

    world
        .dingtalk
        .update_org(|org| org.add_user(leaver.clone()));
    let (outcome, report) = world.sync(&[]).await;
    assert_eq!(outcome.code, 0, "{}", outcome.all());
    assert_eq!(report["counts"]["updated"], 1, "{}", summary(&report));
    assert_eq!(report["counts"]["created"], 0, "{}", summary(&report));
    let back = stored(&world.iam, &name);
    assert_eq!(back["isForbidden"], false, "a returning leaver is enabled");
    assert_eq!(back["properties"], before["properties"]);
    let groups = |user: &Value| -> BTreeSet<String> {
        user["groups"]
            .as_array()
            .expect("groups")
            .iter()
            .map(|g| g.as_str().expect("group entry").to_owned())
            .collect()
    };
    assert_eq!(groups(&back), groups(&before), "and rejoins their groups");
}

async fn leavers_are_deleted_with_policy_delete(flavor: Flavor) {
    let world = IamWorld::start(org(30), fake_iam(flavor).await, r#"leavers = "delete""#).await;
    initial_sync(&world).await;
    let leaver = active_with_unionid(&world.dingtalk.org())[0].clone();
    world.dingtalk.update_org(|org| {
        org.remove_user(&leaver.userid);
    });
    world.iam.reset_stats();
    let (outcome, report) = world.sync(&[]).await;
    assert_eq!(outcome.code, 0, "{}", outcome.all());
    assert_eq!(report["counts"]["deleted"], 1, "{}", summary(&report));
    assert_eq!(report["counts"]["disabled"], 0, "{}", summary(&report));
    assert!(world.iam.user(ORG, &leaver.unionid).is_none());
    assert_eq!(world.iam.users(ORG).len(), 29);
    let stats = world.iam.stats();
    assert_eq!(stats.writes_to("delete-user"), 1);
    assert_eq!(stats.writes_to("update-user"), 0);
}

async fn leavers_are_left_alone_with_policy_keep(flavor: Flavor) {
    let world = IamWorld::start(org(30), fake_iam(flavor).await, r#"leavers = "keep""#).await;
    initial_sync(&world).await;
    let leaver = active_with_unionid(&world.dingtalk.org())[0].clone();
    let before = stored(&world.iam, &leaver.unionid);
    world.dingtalk.update_org(|org| {
        org.remove_user(&leaver.userid);
    });
    world.iam.reset_stats();
    let (outcome, report) = world.sync(&[]).await;
    assert_eq!(outcome.code, 0, "{}", outcome.all());
    assert_eq!(report["counts"]["disabled"], 0, "{}", summary(&report));
    assert_eq!(report["counts"]["deleted"], 0, "{}", summary(&report));
    assert_eq!(world.iam.stats().total_writes, 0);
    assert_eq!(stored(&world.iam, &leaver.unionid), before);
}

async fn an_incomplete_fetch_deprovisions_nobody_and_is_partial(flavor: Flavor) {
    let world = IamWorld::start(org(60), fake_iam(flavor).await, "max_retries = 1").await;
    initial_sync(&world).await;
    let source = world.dingtalk.org();
    // The department with the most active people who are in no other department.
    let only_in = |dept: i64| -> Vec<&SimUser> {
        source
            .users
            .iter()
            .filter(|user| user.active && user.dept_ids == [dept])
            .collect()
    };
    let failing = source
        .departments
        .iter()
        .filter(|dept| dept.parent_id.is_some())
        .max_by_key(|dept| only_in(dept.dept_id).len())
        .expect("the org has departments")
        .dept_id;
    let unreadable: Vec<String> = only_in(failing)
        .iter()
        .map(|user| user.userid.clone())
        .collect();
    assert!(
        !unreadable.is_empty(),
        "department {failing} has own members"
    );
    let leaver = active_with_unionid(&source)
        .into_iter()
        .find(|user| !user.dept_ids.contains(&failing))
        .expect("a member outside the failing department");
    let before = world.iam.users(ORG);

    world.dingtalk.update_org(|org| {
        org.remove_user(&leaver.userid);
    });
    world.dingtalk.set_faults(Faults {
        failing_departments: [(failing, DeptFault::AlwaysBusy)].into(),
        ..Faults::default()
    });
    let (outcome, report) = world.sync(&[]).await;
    assert_eq!(outcome.code, 1, "{}", outcome.all());
    assert_eq!(report["status"], "partial", "{}", summary(&report));
    assert_eq!(report["counts"]["disabled"], 0, "{}", summary(&report));
    assert_eq!(report["counts"]["deleted"], 0, "{}", summary(&report));
    let incomplete = report["incomplete"].to_string();
    assert!(
        incomplete.contains(&failing.to_string()),
        "the report names department {failing}: {incomplete}"
    );
    assert!(
        report["held_back"]["reason"]
            .as_str()
            .is_some_and(|reason| reason.contains("incomplete")),
        "{}",
        summary(&report)
    );
    let after = world.iam.users(ORG);
    let forbidden = |users: &[Value]| -> BTreeSet<String> {
        users
            .iter()
            .filter(|user| user["isForbidden"] == true)
            .map(|user| user["id"].as_str().expect("id").to_owned())
            .collect()
    };
    assert_eq!(forbidden(&after), forbidden(&before), "nobody was disabled");
    assert_eq!(after.len(), before.len(), "nobody was deleted");
    assert!(!forbidden(&after).contains(&leaver.userid));
    assert!(unreadable.iter().all(|id| !forbidden(&after).contains(id)));
}

async fn the_guard_withholds_mass_deprovisioning_until_overridden_once(flavor: Flavor) {
    let world = IamWorld::start(org(120), fake_iam(flavor).await, "").await;
    initial_sync(&world).await;
    let active = active_with_unionid(&world.dingtalk.org());
    let (first_batch, second_batch) = (&active[..13], &active[13..26]);
    let remove = |batch: &[SimUser]| {
        world.dingtalk.update_org(|org| {
            for user in batch {
                org.remove_user(&user.userid);
            }
        });
    };
    let disabled = |batch: &[SimUser]| {
        batch
            .iter()
            .filter(|user| stored(&world.iam, &user.unionid)["isForbidden"] == true)
            .count()
    };

    // 13 of the managed users who may sign in (the active ones) is more than 10% and more
    // than 10.
    let may_sign_in = world
        .dingtalk
        .org()
        .users
        .iter()
        .filter(|user| user.active)
        .count();
    assert!(may_sign_in < 130, "13 is more than 10% of {may_sign_in}");
    remove(first_batch);
    world.iam.reset_stats();
    let (outcome, report) = world.sync(&[]).await;
    assert_eq!(outcome.code, 1, "{}", outcome.all());
    assert_eq!(report["status"], "partial", "{}", summary(&report));
    assert_eq!(report["counts"]["disabled"], 0, "{}", summary(&report));
    assert_eq!(report["held_back"]["count"], 13, "{}", summary(&report));
    let reason = report["held_back"]["reason"]
        .as_str()
        .expect("the guard says why");
    assert!(reason.contains(&format!("13 of {may_sign_in}")), "{reason}");
    assert!(reason.contains("--allow-mass-deprovision"), "{reason}");
    assert!(
        report["errors"]
            .to_string()
            .contains("--allow-mass-deprovision"),
        "the reason is among the errors: {}",
        report["errors"]
    );
    assert_eq!(disabled(first_batch), 0);
    assert_eq!(world.iam.stats().total_writes, 0);

    let (outcome, report) = world.sync(&["--allow-mass-deprovision"]).await;
    assert_eq!(outcome.code, 0, "{}", outcome.all());
    assert_eq!(report["counts"]["disabled"], 13, "{}", summary(&report));
    assert_eq!(disabled(first_batch), 13);

    // The override was for that run only.
    remove(second_batch);
    let (outcome, report) = world.sync(&[]).await;
    assert_eq!(outcome.code, 1, "{}", outcome.all());
    assert_eq!(report["held_back"]["count"], 13, "{}", summary(&report));
    assert_eq!(disabled(second_batch), 0);
}

/// A first sync of 20 people, then a sync (with `args`) after the source lost everyone: it
/// must exit 1, disable nobody and hold back saying the source gave no users (all checked).
/// The world (its IAM's statistics reset before the second sync) and that sync's report.
async fn sync_after_the_source_emptied(args: &[&str]) -> (IamWorld, Value) {
    let world = IamWorld::start(org(20), fake_iam(Flavor::Hanzo).await, "").await;
    initial_sync(&world).await;
    world.dingtalk.update_org(|org| org.users.clear());
    world.iam.reset_stats();
    let (outcome, report) = world.sync(args).await;
    assert_eq!(outcome.code, 1, "{}", outcome.all());
    assert_eq!(report["counts"]["disabled"], 0, "{}", summary(&report));
    assert!(
        report["held_back"]["reason"]
            .as_str()
            .is_some_and(|reason| reason.contains("no users")),
        "{}",
        summary(&report)
    );
    (world, report)
}

#[tokio::test]
async fn a_source_that_returns_nobody_deprovisions_nobody() {
    let (world, report) = sync_after_the_source_emptied(&[]).await;
    assert_eq!(report["status"], "partial", "{}", summary(&report));
    assert_eq!(world.iam.stats().writes_to("update-user"), 0);
    assert!(world
        .iam
        .users(ORG)
        .iter()
        .all(|user| user["properties"].get("syncer_deprovisioned").is_none()));
}

#[tokio::test]
async fn guard_thresholds_are_configurable_per_syncer() {
    let world = IamWorld::start(
        org(120),
        fake_iam(Flavor::Hanzo).await,
        "deprovision_guard_percent = 50\ndeprovision_guard_min = 20",
    )
    .await;
    initial_sync(&world).await;
    let active = active_with_unionid(&world.dingtalk.org());
    world.dingtalk.update_org(|org| {
        for user in &active[..13] {
            org.remove_user(&user.userid);
        }
    });
    let (outcome, report) = world.sync(&[]).await;
    assert_eq!(outcome.code, 0, "{}", outcome.all());
    assert_eq!(report["counts"]["disabled"], 13, "{}", summary(&report));

    world.reconfigure("deprovision_guard_percent = 1\ndeprovision_guard_min = 2");
    world.dingtalk.update_org(|org| {
        for user in &active[13..16] {
            org.remove_user(&user.userid);
        }
    });
    let (outcome, report) = world.sync(&[]).await;
    assert_eq!(outcome.code, 1, "{}", outcome.all());
    assert_eq!(report["counts"]["disabled"], 0, "{}", summary(&report));
    assert_eq!(report["held_back"]["count"], 3, "{}", summary(&report));
    let reason = report["held_back"]["reason"].as_str().expect("reason");
    assert!(reason.contains("1%") && reason.contains("2"), "{reason}");
}

async fn a_user_iam_rejects_is_reported_by_userid_and_the_others_are_synced(flavor: Flavor) {
    let source = org(30);
    let victim = active_with_unionid(&source)[0].clone();
    let iam = fake_iam(flavor).await;
    iam.fail_user_writes(&victim.unionid, "user quota of acme reached (injected)");
    let world = IamWorld::start(source, iam, "").await;
    let (outcome, report) = world.sync(&[]).await;
    assert_eq!(outcome.code, 1, "{}", outcome.all());
    assert_eq!(report["status"], "partial", "{}", summary(&report));
    assert_eq!(report["counts"]["failed"], 1, "{}", summary(&report));
    assert_eq!(report["counts"]["created"], 29, "{}", summary(&report));
    assert!(
        has_user_error(&report, &victim.userid, "user quota of acme reached"),
        "the error names userid {} and IAM's reason: {}",
        victim.userid,
        report["errors"]
    );
    assert_eq!(world.iam.users(ORG).len(), 29);
    assert!(world.iam.user(ORG, &victim.unionid).is_none());
}

async fn users_iam_would_refuse_are_reported_and_never_sent(flavor: Flavor) {
    let mut source = org(30);
    let mut bad_name = SimUser::new("badname01", "坏名字", vec![1]);
    bad_name.unionid = "bad union:id/1".to_owned();
    source.add_user(bad_name);
    for userid in ["dup-a", "dup-b"] {
        let mut twin = SimUser::new(userid, "同邮箱", vec![1]);
        twin.email = "shared@acme.example".to_owned();
        source.add_user(twin);
    }
    for userid in ["phone-a", "phone-b"] {
        let mut twin = SimUser::new(userid, "同手机", vec![1]);
        twin.mobile = "19900000001".to_owned();
        source.add_user(twin);
    }
    let world = IamWorld::start(source, fake_iam(flavor).await, "").await;
    let (outcome, report) = world.sync(&[]).await;
    assert_eq!(outcome.code, 1, "{}", outcome.all());
    assert_eq!(report["status"], "partial", "{}", summary(&report));
    // The bad name is refused; the twins are created without the e-mail or phone another
    // user holds (an employee is not kept out by a recycled number), and each loss is reported.
    assert_eq!(report["counts"]["failed"], 3, "{}", summary(&report));
    assert_eq!(report["counts"]["created"], 34, "{}", summary(&report));
    assert!(
        has_user_error(&report, "badname01", "bad union:id/1"),
        "{}",
        report["errors"]
    );
    assert!(
        has_user_error(&report, "dup-b", "shared@acme.example"),
        "{}",
        report["errors"]
    );

    assert!(
        has_user_error(&report, "phone-b", "19900000001"),
        "{}",
        report["errors"]
    );
    assert!(
        has_user_error(&report, "phone-b", "created without"),
        "{}",
        report["errors"]
    );

    let stats = world.iam.stats();
    assert_eq!(
        stats.calls_to("add-user"),
        34,
        "only what IAM accepts is sent, and every add-user succeeds: {:?}",
        stats.writes
    );
    assert!(world.iam.user(ORG, "bad union:id/1").is_none());
    assert_eq!(stored(&world.iam, "dup-b")["email"], "");
    assert_eq!(stored(&world.iam, "phone-b")["phone"], "");
    assert_eq!(stored(&world.iam, "dup-b")["displayName"], "同邮箱");
    assert_eq!(stored(&world.iam, "dup-a")["email"], "shared@acme.example");
    assert_eq!(stored(&world.iam, "phone-a")["phone"], "19900000001");
}

async fn dry_run_reports_the_full_plan_and_writes_nothing(flavor: Flavor) {
    let world = IamWorld::start(org(30), fake_iam(flavor).await, "").await;
    initial_sync(&world).await;
    let active = active_with_unionid(&world.dingtalk.org());
    let (changed, leaver) = (active[0].clone(), active[1].clone());
    world.dingtalk.update_org(|org| {
        org.add_user(SimUser::new("newhire01", "新同事", vec![1]));
        org.user_mut(&changed.userid).expect("member exists").title = "Chief Tester".to_owned();
        org.remove_user(&leaver.userid);
    });
    let before = world.iam.users(ORG);
    world.iam.reset_stats();

    let (outcome, report) = world.sync(&["--dry-run"]).await;
    assert_eq!(outcome.code, 0, "{}", outcome.all());
    assert_eq!(report["dry_run"], true);
    assert_eq!(report["counts"]["created"], 1, "{}", summary(&report));
    assert_eq!(report["counts"]["updated"], 1, "{}", summary(&report));
    assert_eq!(report["counts"]["disabled"], 1, "{}", summary(&report));
    let plan = &report["plan"];
    assert_eq!(
        plan["create"],
        json!([{"user": "newhire01", "iam_user": "acme/newhire01"}])
    );
    assert_eq!(
        plan["update"],
        json!([{
            "user": changed.userid,
            "iam_user": format!("{ORG}/{}", changed.unionid),
            "fields": ["Title"],
        }])
    );
    assert_eq!(plan["disable"][0]["user"], leaver.userid.as_str());
    assert_eq!(
        plan["disable"][0]["iam_user"],
        format!("{ORG}/{}", leaver.unionid)
    );
    assert_eq!(plan["delete"], json!([]));

    world.reconfigure(r#"leavers = "delete""#);
    let (outcome, report) = world.sync(&["--dry-run"]).await;
    assert_eq!(outcome.code, 0, "{}", outcome.all());
    assert_eq!(report["counts"]["deleted"], 1, "{}", summary(&report));
    assert_eq!(report["plan"]["disable"], json!([]));
    assert_eq!(report["plan"]["delete"][0]["user"], leaver.userid.as_str());

    let stats = world.iam.stats();
    assert_eq!(
        stats.total_writes, 0,
        "a dry run writes nothing: {:?}",
        stats.writes
    );
    assert_eq!(world.iam.users(ORG), before);
}

#[tokio::test]
async fn a_second_sync_of_the_same_syncer_is_refused_while_one_runs() {
    let world = IamWorld::start(org(30), fake_iam(Flavor::Hanzo).await, "").await;
    // Every DingTalk answer of the first run takes 2 s, so it holds its lock well past the
    // moment the second run starts.
    world.dingtalk.set_faults(Faults {
        latency: Duration::from_secs(2),
        ..Faults::default()
    });
    let first = world.sync(&[]);
    let second = async {
        wait_until("the first run calls DingTalk", || {
            world.dingtalk.stats().total_calls > 0
        })
        .await;
        let refused = world.sync(&[]).await;
        world.dingtalk.set_faults(Faults::default());
        refused
    };
    let ((first, first_report), (second, second_report)) = tokio::join!(first, second);

    assert_eq!(second.code, 1, "{}", second.all());
    assert_eq!(second_report["status"], "skipped");
    assert!(
        second.all().contains("another run") && second.all().contains("in progress"),
        "{}",
        second.all()
    );
    assert_eq!(first.code, 0, "{}", first.all());
    assert_eq!(first_report["counts"]["created"], 30);
    assert_eq!(world.iam.users(ORG).len(), 30, "no user was written twice");

    let runs = world.run(&["runs", SYNCER, "--json"]).await;
    let statuses: Vec<Value> = runs
        .json()
        .as_array()
        .expect("runs is a list")
        .iter()
        .map(|run| run["status"].clone())
        .collect();
    assert!(statuses.contains(&json!("skipped")), "{statuses:?}");
    assert!(statuses.contains(&json!("succeeded")), "{statuses:?}");
}

#[tokio::test]
async fn the_json_report_has_every_field_and_runs_shows_the_history() {
    let source = org(25);
    let victim = active_with_unionid(&source)[0].clone();
    let iam = fake_iam(Flavor::Hanzo).await;
    iam.fail_user_writes(&victim.unionid, "refused for the test");
    let world = IamWorld::start(source, iam, "").await;

    let (outcome, report) = world.sync(&[]).await;
    assert_eq!(outcome.code, 1, "{}", outcome.all());
    assert_report_has_every_field(&report);
    assert_eq!(report["syncer"], SYNCER);
    assert_eq!(report["organization"], ORG);
    assert_eq!(report["dry_run"], false);
    assert!(report["api_calls"].as_u64().is_some_and(|calls| calls > 0));
    for error in report["errors"].as_array().expect("errors is a list") {
        assert!(
            error["user"].is_string() || error["api"].is_string(),
            "each error names its user or API: {error}"
        );
    }
    assert!(has_user_error(
        &report,
        &victim.userid,
        "refused for the test"
    ));

    world.iam.clear_user_write_failures();
    let (outcome, report) = world.sync(&[]).await;
    assert_eq!(outcome.code, 0, "{}", outcome.all());
    assert_eq!(report["counts"]["created"], 1, "{}", summary(&report));

    let runs = world.run(&["runs", SYNCER, "--json"]).await;
    assert_eq!(runs.code, 0, "{}", runs.all());
    let runs = runs.json();
    let runs = runs.as_array().expect("runs is a list");
    assert_eq!(runs.len(), 2);
    assert_eq!(runs[0]["status"], "succeeded");
    assert_eq!(runs[0]["report"]["counts"]["created"], 1);
    assert_eq!(runs[1]["status"], "partial");
    assert_eq!(runs[1]["report"]["counts"]["created"], 24);
    assert!(has_user_error(
        &runs[1]["report"],
        &victim.userid,
        "refused for the test"
    ));
    for run in runs {
        for key in ["run_id", "started_at", "finished_at", "dry_run"] {
            assert!(run.get(key).is_some(), "run lacks {key}: {run}");
        }
    }

    let human = world.run(&["runs", SYNCER]).await;
    assert_eq!(human.code, 0, "{}", human.all());
    assert!(
        human.stdout.contains("partial") && human.stdout.contains("succeeded"),
        "{}",
        human.stdout
    );
}

/// A world for Test Connection, with the config's `[target]` as the test needs it.
async fn connection_world(iam: FakeIam, organization: &str) -> IamWorld {
    let world = IamWorld::start(org(10), iam, "").await;
    world.scratch.write_config(&iam_config_for(
        &world.dingtalk.url(),
        &world.iam,
        organization,
        "",
    ));
    world
}

/// The failed checks of a Test Connection, as one text.
fn failed_checks(result: &Value) -> String {
    result["checks"]
        .as_array()
        .expect("checks is a list")
        .iter()
        .filter(|check| check["ok"] == false)
        .map(|check| format!("{}: {}\n", check["name"], check["message"]))
        .collect()
}

async fn test_connection_checks_the_iam_side(flavor: Flavor) {
    let world = connection_world(fake_iam(flavor).await, ORG).await;
    let outcome = world.run(&["test", SYNCER, "--json"]).await;
    assert_eq!(outcome.code, 0, "{}", outcome.all());
    let result = outcome.json();
    assert_eq!(result["ok"], true, "{result}");
    let names: Vec<&str> = result["checks"]
        .as_array()
        .expect("checks is a list")
        .iter()
        .filter_map(|check| check["name"].as_str())
        .collect();
    for name in ["IAM credentials", "IAM organization", "IAM user management"] {
        assert!(names.contains(&name), "{name} is checked: {names:?}");
    }
    assert!(world.iam.stats().calls_to("get-users") >= 1);
}

async fn test_connection_names_client_id_and_secret_when_iam_refuses_the_secret(flavor: Flavor) {
    let world = connection_world(fake_iam(flavor).await, ORG).await;
    let wrong = "wrong-iam-secret-98765";
    let outcome = world
        .scratch
        .run(
            &["test", SYNCER, "--json"],
            &[SECRET_ENV, (IAM_SECRET_VAR, wrong)],
        )
        .await;
    assert_eq!(outcome.code, 1, "{}", outcome.all());
    let failed = failed_checks(&outcome.json());
    assert!(
        failed.contains("client_id") && failed.contains("client_secret"),
        "{failed}"
    );
    assert!(!outcome.all().contains(wrong), "the secret leaked");
    let human = world
        .scratch
        .run(&["test", SYNCER], &[SECRET_ENV, (IAM_SECRET_VAR, wrong)])
        .await;
    assert_eq!(human.code, 1, "{}", human.all());
    assert!(human.stdout.contains("client_secret"), "{}", human.stdout);
}

async fn test_connection_names_an_organization_iam_does_not_have(flavor: Flavor) {
    let world = connection_world(fake_iam(flavor).await, "globex").await;
    let outcome = world.run(&["test", SYNCER, "--json"]).await;
    assert_eq!(outcome.code, 1, "{}", outcome.all());
    let failed = failed_checks(&outcome.json());
    assert!(
        failed.contains("organization") && failed.contains("globex"),
        "{failed}"
    );
}

#[tokio::test]
async fn test_connection_says_which_server_setting_lets_the_app_manage_users() {
    let iam = FakeIam::start(FakeIamConfig {
        app_may_manage_users: false,
        ..FakeIamConfig::default()
    })
    .await
    .expect("start fake IAM");
    let world = connection_world(iam, ORG).await;
    let outcome = world.run(&["test", SYNCER, "--json"]).await;
    assert_eq!(outcome.code, 1, "{}", outcome.all());
    let failed = failed_checks(&outcome.json());
    assert!(failed.contains("IAM_USER_ADMIN_APPS"), "{failed}");
    assert!(
        failed.contains("syncer-app"),
        "names the application: {failed}"
    );

    // A sync in that state fails with the same advice and writes nothing.
    let (outcome, report) = world.sync(&[]).await;
    assert_eq!(outcome.code, 1, "{}", outcome.all());
    assert_eq!(report["status"], "failed", "{}", summary(&report));
    assert!(
        report["errors"].to_string().contains("IAM_USER_ADMIN_APPS"),
        "{}",
        report["errors"]
    );
    assert_eq!(world.iam.stats().total_writes, 0);
}

#[tokio::test]
async fn casdoor_api_prefix_syncs_end_to_end() {
    let world = IamWorld::start(org(40), fake_iam(Flavor::Casdoor).await, "").await;
    let config = std::fs::read_to_string(world.scratch.config()).expect("read config");
    assert!(config.contains(r#"api_prefix = "/api""#), "{config}");

    let report = initial_sync(&world).await;
    assert_eq!(report["counts"]["created"], 40, "{}", summary(&report));
    assert_eq!(world.iam.users(ORG).len(), 40);

    let active = active_with_unionid(&world.dingtalk.org());
    let (changed, leaver) = (active[0].clone(), active[1].clone());
    world.dingtalk.update_org(|org| {
        org.user_mut(&changed.userid).expect("member exists").title = "Chief Tester".to_owned();
        org.remove_user(&leaver.userid);
        org.add_user(SimUser::new("newhire01", "新同事", vec![1]));
    });
    let (outcome, report) = world.sync(&[]).await;
    assert_eq!(outcome.code, 0, "{}", outcome.all());
    assert_eq!(report["counts"]["created"], 1, "{}", summary(&report));
    assert_eq!(report["counts"]["updated"], 1, "{}", summary(&report));
    assert_eq!(report["counts"]["disabled"], 1, "{}", summary(&report));
    assert_eq!(
        stored(&world.iam, &changed.unionid)["title"],
        "Chief Tester"
    );
    assert_eq!(stored(&world.iam, &leaver.unionid)["isForbidden"], true);
    assert!(world.iam.user(ORG, "newhire01").is_some());

    world.iam.reset_stats();
    let (outcome, report) = world.sync(&[]).await;
    assert_eq!(outcome.code, 0, "{}", outcome.all());
    assert_eq!(report["counts"]["unchanged"], 40, "{}", summary(&report));
    let stats = world.iam.stats();
    assert_eq!(stats.total_writes, 0, "{:?}", stats.writes);
    assert!(stats.calls_to("get-users") >= 1, "read under /api");
}

#[tokio::test]
async fn a_wrong_api_prefix_is_named_in_test_connection() {
    let world = connection_world(fake_iam(Flavor::Casdoor).await, ORG).await;
    let config = std::fs::read_to_string(world.scratch.config()).expect("read config");
    world
        .scratch
        .write_config(&config.replace(r#"api_prefix = "/api""#, r#"api_prefix = "/v1/iam""#));
    let outcome = world.run(&["test", SYNCER, "--json"]).await;
    assert_eq!(outcome.code, 1, "{}", outcome.all());
    let failed = failed_checks(&outcome.json());
    assert!(failed.contains("api_prefix"), "{failed}");
}

/// A fake Hanzo IAM whose organization soft-deletes users (`enableSoftDeletion`): a deleted
/// user stays, marked `isDeleted`.
async fn soft_deleting_iam() -> FakeIam {
    FakeIam::start(FakeIamConfig {
        soft_deletion: true,
        ..FakeIamConfig::default()
    })
    .await
    .expect("start fake IAM")
}

/// Syncs `org(20)` with `leavers = "delete"`, then deletes one leaver; returns the leaver.
async fn delete_one_leaver(world: &IamWorld) -> SimUser {
    initial_sync(world).await;
    let leaver = active_with_unionid(&world.dingtalk.org())[0].clone();
    world.dingtalk.update_org(|org| {
        org.remove_user(&leaver.userid);
    });
    let (outcome, report) = world.sync(&[]).await;
    assert_eq!(outcome.code, 0, "{}", outcome.all());
    assert_eq!(report["counts"]["deleted"], 1, "{}", summary(&report));
    assert_eq!(stored(&world.iam, &leaver.unionid)["isDeleted"], true);
    leaver
}

#[tokio::test]
async fn a_soft_deleted_leaver_is_not_deleted_again_on_every_sync() {
    let world = IamWorld::start(org(20), soft_deleting_iam().await, r#"leavers = "delete""#).await;
    delete_one_leaver(&world).await;
    world.iam.reset_stats();
    let (outcome, report) = world.sync(&[]).await;
    assert_eq!(outcome.code, 0, "{}", outcome.all());
    assert_eq!(report["counts"]["deleted"], 0, "{}", summary(&report));
    assert_eq!(
        world.iam.stats().total_writes,
        0,
        "{:?}",
        world.iam.stats().writes
    );
}

#[tokio::test]
async fn a_soft_deleted_leaver_who_returns_is_restored() {
    let world = IamWorld::start(org(20), soft_deleting_iam().await, r#"leavers = "delete""#).await;
    let leaver = delete_one_leaver(&world).await;
    world
        .dingtalk
        .update_org(|org| org.add_user(leaver.clone()));
    world.iam.reset_stats();
    let (outcome, report) = world.sync(&[]).await;
    assert_eq!(outcome.code, 0, "{}", outcome.all());
    let back = stored(&world.iam, &leaver.unionid);
    assert_eq!(back["isDeleted"], false, "{}", summary(&report));
    assert_eq!(back["isForbidden"], false);
    // IAM dropped the membership records on delete and rebuilds them only from a `groups`
    // write, so the restore writes the memberships too.
    let restore = update_calls(&world.iam)
        .into_iter()
        .find(|call| call.id == format!("{ORG}/{}", leaver.unionid))
        .expect("the restore is an update-user");
    assert!(
        restore.columns.contains(&"is_deleted".to_owned())
            && restore.columns.contains(&"groups".to_owned()),
        "{restore:?}"
    );
}
