//! Undoing a run (issue 15) as an operator does it: the real `syncer-host` program, a run that
//! did harm (a bad mapping override, a mass disable pushed through, a delete policy), then
//! `revert RUN_ID`, against the simulated DingTalk and the fake IAM in both flavours, comparing
//! every field of every user and group with what IAM held before the run. The HTTP API and a
//! run going are in `api`, the journal in PostgreSQL in `postgres`, a revert killed mid-way in
//! `interrupted`.

mod api;
mod interrupted;
mod postgres;

use std::collections::BTreeMap;

use crate::common::{fake_iam, org, IamWorld, Outcome};
use serde_json::{json, Value};
use syncer_dingtalk_sim::SimUser;
use syncer_iam_sim::{FakeIam, Flavor};

/// The IAM organization every test syncs into.
const ORG: &str = "acme";

in_both_flavours!(
    a_bad_mapping_override_is_undone_except_the_field_a_person_changed_since,
    a_revert_of_a_revert_redoes_the_run,
    a_mass_disable_pushed_through_is_undone_everyone_enabled_with_their_groups,
    users_a_run_created_are_disabled_by_its_revert_and_deleted_only_when_asked,
    users_a_delete_policy_run_deleted_come_back_from_the_journal,
    a_revert_disabling_more_than_the_guard_allows_needs_the_override,
);

/// Every user of the organization by name, each without `updatedTime` (every write bumps it).
fn users(iam: &FakeIam) -> BTreeMap<String, Value> {
    iam.users(ORG)
        .into_iter()
        .map(|mut user| {
            let object = user.as_object_mut().expect("a user is an object");
            object.remove("updatedTime");
            let name = object["name"].as_str().expect("a name").to_owned();
            (name, user)
        })
        .collect()
}

/// Every group of the organization by name, each without `updatedTime`.
fn groups(iam: &FakeIam) -> BTreeMap<String, Value> {
    iam.groups(ORG)
        .into_iter()
        .map(|mut group| {
            let object = group.as_object_mut().expect("a group is an object");
            object.remove("updatedTime");
            let name = object["name"].as_str().expect("a name").to_owned();
            (name, group)
        })
        .collect()
}

/// Asserts that IAM holds exactly `before`, field for field (names the first difference). A
/// list IAM sends as `null` and one it sends as `[]` are the same empty list (the fake, like
/// IAM, stores a `null` list written back as an empty one).
fn assert_same_users(now: &BTreeMap<String, Value>, before: &BTreeMap<String, Value>) {
    assert_eq!(
        now.keys().collect::<Vec<_>>(),
        before.keys().collect::<Vec<_>>(),
        "the same users"
    );
    let empty = |value: &Value| value.is_null() || value == &json!([]);
    for (name, user) in before {
        let now = now[name].as_object().expect("object");
        let user = user.as_object().expect("object");
        assert_eq!(
            now.keys().collect::<Vec<_>>(),
            user.keys().collect::<Vec<_>>(),
            "user {name}: the same fields"
        );
        for (key, value) in user {
            if empty(value) && empty(&now[key]) {
                continue;
            }
            assert_eq!(&now[key], value, "user {name}, field {key}");
        }
    }
}

/// Status, counts, conflicts and errors of a report, for assertion messages.
fn summary(report: &Value) -> String {
    format!(
        "status {} counts {} conflicts {} errors {} notices {} held_back {}",
        report["status"],
        report["counts"],
        report["conflicts"],
        report["errors"],
        report["notices"],
        report["held_back"]
    )
}

/// `sync acme-dt --json ARGS`, which must have written something: its run id and report.
async fn harmful_sync(world: &IamWorld, args: &[&str]) -> (i64, Value) {
    let (outcome, report) = world.sync(args).await;
    assert_eq!(outcome.code, 0, "{}", outcome.all());
    assert!(
        report["target_writes"].as_u64().expect("writes") > 0,
        "{}",
        summary(&report)
    );
    (run_id(&report), report)
}

/// The `run_id` a `--json` report prints.
fn run_id(report: &Value) -> i64 {
    report["run_id"]
        .as_i64()
        .unwrap_or_else(|| panic!("the report prints its run_id: {report}"))
}

/// `revert RUN_ID --json ARGS`: the outcome and its report (which says it reverts `run`).
async fn revert(world: &IamWorld, run: i64, args: &[&str]) -> (Outcome, Value) {
    let id = run.to_string();
    let mut all = vec!["revert", id.as_str(), "--json"];
    all.extend_from_slice(args);
    let outcome = world.run(&all).await;
    let report = outcome.json();
    assert_eq!(report["kind"], "revert", "{}", summary(&report));
    assert_eq!(report["reverts"], run, "{}", summary(&report));
    assert_ne!(run_id(&report), run, "a revert is a run of its own");
    (outcome, report)
}

/// A first sync that must succeed.
async fn initial_sync(world: &IamWorld) -> Value {
    let (outcome, report) = world.sync(&[]).await;
    assert_eq!(outcome.code, 0, "{}", outcome.all());
    assert_eq!(report["status"], "succeeded", "{}", summary(&report));
    report
}

/// Active members with a unionid (their IAM name is the unionid).
fn active_with_unionid(world: &IamWorld) -> Vec<SimUser> {
    world
        .dingtalk
        .org()
        .users
        .iter()
        .filter(|user| user.active && !user.unionid.is_empty())
        .cloned()
        .collect()
}

/// A bad override: everyone's shown name becomes their e-mail address.
const BAD_MAPPING: &str = "[syncers.mapping]\nemail = \"DisplayName\"";

async fn a_bad_mapping_override_is_undone_except_the_field_a_person_changed_since(flavor: Flavor) {
    let world = IamWorld::start(org(40), fake_iam(flavor).await, "").await;
    initial_sync(&world).await;
    let (users_before, groups_before) = (users(&world.iam), groups(&world.iam));

    world.reconfigure(BAD_MAPPING);
    let (bad, report) = harmful_sync(&world, &[]).await;
    assert!(
        report["counts"]["updated"].as_u64().expect("count") >= 30,
        "{}",
        summary(&report)
    );
    world.reconfigure("");

    // A person fixes one name by hand before anyone notices the run.
    let edited = active_with_unionid(&world)[0].unionid.clone();
    let written = world.iam.user(ORG, &edited).expect("user")["displayName"].clone();
    let mut user = world.iam.user(ORG, &edited).expect("user");
    user["displayName"] = json!("Fixed By Hand");
    world.iam.insert_user(user);

    // The dry run lists what it would write and the conflict, and writes nothing.
    world.iam.reset_stats();
    let (outcome, dry) = revert(&world, bad, &["--dry-run"]).await;
    assert_eq!(
        outcome.code,
        1,
        "a conflict makes it partial: {}",
        outcome.all()
    );
    assert_eq!(dry["dry_run"], true);
    assert_eq!(
        world.iam.stats().total_writes,
        0,
        "a dry run writes nothing"
    );
    // Every user the run updated comes back, but the one whose only change a person fixed.
    let planned = dry["plan"]["update"].as_array().expect("updates").len() as u64;
    let updated = report["counts"]["updated"].as_u64().expect("count");
    assert_eq!(planned, updated - 1, "{}", summary(&dry));

    let (outcome, undone) = revert(&world, bad, &[]).await;
    assert_eq!(outcome.code, 1, "{}", outcome.all());
    assert_eq!(undone["status"], "partial", "{}", summary(&undone));
    let conflicts = undone["conflicts"].as_array().expect("conflicts");
    assert_eq!(conflicts.len(), 1, "{}", summary(&undone));
    let before_name = users_before[&edited]["displayName"].clone();
    assert_eq!(
        conflicts[0],
        json!({
            "user": format!("{ORG}/{edited}"),
            "field": "DisplayName",
            "before": before_name,
            "written": written,
            "now": "Fixed By Hand",
        })
    );
    assert_eq!(
        dry["conflicts"], undone["conflicts"],
        "the dry run saw it too"
    );
    assert!(
        outcome.stdout.contains(&edited) || !outcome.stdout.is_empty(),
        "{}",
        outcome.all()
    );

    // Everything is as before the run, except the name the person fixed.
    let mut expected = users_before.clone();
    expected.get_mut(&edited).expect("edited")["displayName"] = json!("Fixed By Hand");
    assert_same_users(&users(&world.iam), &expected);
    assert_eq!(groups(&world.iam), groups_before);

    // A second revert of the same run finds everything back and writes nothing.
    world.iam.reset_stats();
    let (_, again) = revert(&world, bad, &[]).await;
    assert_eq!(world.iam.stats().total_writes, 0, "{}", summary(&again));
    assert_eq!(again["target_writes"], 0, "{}", summary(&again));

    // The history shows the revert runs with the run they undo.
    let runs = world.scratch.runs(&world.env()).await;
    let newest = &runs[0];
    assert_eq!(newest["report"]["kind"], "revert");
    assert_eq!(newest["report"]["reverts"], bad);
    assert_eq!(newest["run_id"], run_id(&again));
}

async fn a_revert_of_a_revert_redoes_the_run(flavor: Flavor) {
    let world = IamWorld::start(org(30), fake_iam(flavor).await, "").await;
    initial_sync(&world).await;
    let users_before = users(&world.iam);
    world.reconfigure(BAD_MAPPING);
    let (bad, _) = harmful_sync(&world, &[]).await;
    world.reconfigure("");
    let users_after_bad = users(&world.iam);

    let (outcome, undone) = revert(&world, bad, &[]).await;
    assert_eq!(outcome.code, 0, "{}", outcome.all());
    assert_same_users(&users(&world.iam), &users_before);

    let (outcome, redone) = revert(&world, run_id(&undone), &[]).await;
    assert_eq!(outcome.code, 0, "{}", summary(&redone));
    assert_same_users(&users(&world.iam), &users_after_bad);

    // And a revert of a run that wrote nothing writes nothing.
    world.sync(&[]).await;
    let (_, quiet) = world.sync(&[]).await;
    assert_eq!(quiet["target_writes"], 0, "{}", summary(&quiet));
    world.iam.reset_stats();
    let (outcome, nothing) = revert(&world, run_id(&quiet), &[]).await;
    assert_eq!(outcome.code, 0, "{}", summary(&nothing));
    assert_eq!(world.iam.stats().total_writes, 0);
}

async fn a_mass_disable_pushed_through_is_undone_everyone_enabled_with_their_groups(
    flavor: Flavor,
) {
    let world = IamWorld::start(org(120), fake_iam(flavor).await, "").await;
    initial_sync(&world).await;
    let (users_before, groups_before) = (users(&world.iam), groups(&world.iam));
    let leaving: Vec<SimUser> = active_with_unionid(&world)[..20].to_vec();
    assert!(
        leaving
            .iter()
            .all(|user| !users_before[&user.unionid]["groups"]
                .as_array()
                .expect("groups")
                .is_empty()),
        "everyone leaving is in a group"
    );
    world.dingtalk.update_org(|org| {
        for user in &leaving {
            org.remove_user(&user.userid);
        }
    });
    let (mistake, report) = harmful_sync(&world, &["--allow-mass-deprovision"]).await;
    assert_eq!(report["counts"]["disabled"], 20, "{}", summary(&report));
    for user in &leaving {
        assert_eq!(
            world.iam.user(ORG, &user.unionid).expect("kept")["isForbidden"],
            true
        );
    }

    // Re-enabling twenty people is no mass deprovisioning: no override needed.
    let (outcome, undone) = revert(&world, mistake, &[]).await;
    assert_eq!(outcome.code, 0, "{}", summary(&undone));
    assert_eq!(undone["status"], "succeeded");
    assert_same_users(&users(&world.iam), &users_before);
    assert_eq!(groups(&world.iam), groups_before);
}

async fn users_a_run_created_are_disabled_by_its_revert_and_deleted_only_when_asked(
    flavor: Flavor,
) {
    let world = IamWorld::start(org(30), fake_iam(flavor).await, "").await;
    initial_sync(&world).await;
    let users_before = users(&world.iam);
    let newcomers: Vec<SimUser> = (0..3)
        .map(|i| {
            let mut user = SimUser::new(format!("new{i}"), format!("Newcomer {i}"), vec![1]);
            user.unionid = format!("newunion{i}");
            user
        })
        .collect();
    world.dingtalk.update_org(|org| {
        for user in &newcomers {
            org.add_user(user.clone());
        }
    });
    let (hiring, report) = harmful_sync(&world, &[]).await;
    assert_eq!(report["counts"]["created"], 3, "{}", summary(&report));

    world.iam.reset_stats();
    let (_, dry) = revert(&world, hiring, &["--dry-run", "--delete-created"]).await;
    assert_eq!(world.iam.stats().total_writes, 0);
    let deletes: Vec<&str> = dry["plan"]["delete"]
        .as_array()
        .expect("deletes")
        .iter()
        .map(|user| user["iam_user"].as_str().expect("name"))
        .collect();
    assert_eq!(deletes.len(), 3, "{}", summary(&dry));

    let (outcome, undone) = revert(&world, hiring, &[]).await;
    assert_eq!(outcome.code, 0, "{}", summary(&undone));
    for user in &newcomers {
        let stored = world.iam.user(ORG, &user.unionid).expect("not deleted");
        assert_eq!(
            stored["isForbidden"], true,
            "{} may no longer sign in",
            user.unionid
        );
    }
    let now = users(&world.iam);
    for (name, user) in &users_before {
        assert_eq!(&now[name], user, "user {name} is untouched");
    }

    // Reverting the same run with --delete-created deletes them (they are still disabled).
    let (outcome, deleted) = revert(&world, hiring, &["--delete-created"]).await;
    assert_eq!(outcome.code, 0, "{}", summary(&deleted));
    for user in &newcomers {
        assert!(
            world.iam.user(ORG, &user.unionid).is_none(),
            "{} deleted",
            user.unionid
        );
    }
    assert_same_users(&users(&world.iam), &users_before);
}

async fn users_a_delete_policy_run_deleted_come_back_from_the_journal(flavor: Flavor) {
    let world = IamWorld::start(org(40), fake_iam(flavor).await, r#"leavers = "delete""#).await;
    initial_sync(&world).await;
    let leaving: Vec<SimUser> = active_with_unionid(&world)[..3].to_vec();
    // One of them had set a password in IAM: it is never journaled.
    let mut with_password = world.iam.user(ORG, &leaving[0].unionid).expect("user");
    with_password["password"] = json!("Hunter2-secret");
    world.iam.insert_user(with_password);
    let users_before = users(&world.iam);
    let groups_before = groups(&world.iam);

    world.dingtalk.update_org(|org| {
        for user in &leaving {
            org.remove_user(&user.userid);
        }
    });
    let (purge, report) = harmful_sync(&world, &[]).await;
    assert_eq!(report["counts"]["deleted"], 3, "{}", summary(&report));
    for user in &leaving {
        assert!(world.iam.user(ORG, &user.unionid).is_none());
    }
    let state = rusqlite::Connection::open(world.scratch.path("syncer-state.db")).expect("state");
    let images: Vec<String> = state
        .prepare("SELECT entry FROM journal WHERE run_id = ?1 AND entry LIKE '%\"image\"%'")
        .expect("query")
        .query_map([purge], |row| row.get(0))
        .expect("rows")
        .map(|row| row.expect("row"))
        .collect();
    assert_eq!(images.len(), 3, "each deleted user's image is journaled");
    for image in &images {
        assert!(
            !image.contains("Hunter2") && !image.contains("\"password\""),
            "a password is never journaled: {image}"
        );
    }

    let (outcome, undone) = revert(&world, purge, &[]).await;
    assert_eq!(outcome.code, 0, "{}", summary(&undone));
    let notices = undone["notices"].to_string();
    for user in &leaving {
        assert!(
            notices.contains(&format!("{ORG}/{}", user.unionid)) && notices.contains("password"),
            "the report says what cannot come back: {notices}"
        );
    }
    // Back with every field, except the password that cannot come back.
    let mut expected = users_before.clone();
    expected.get_mut(&leaving[0].unionid).expect("user")["password"] = json!("");
    assert_same_users(&users(&world.iam), &expected);
    assert_eq!(groups(&world.iam), groups_before);
}

async fn a_revert_disabling_more_than_the_guard_allows_needs_the_override(flavor: Flavor) {
    let world = IamWorld::start(org(30), fake_iam(flavor).await, "").await;
    let first = initial_sync(&world).await;
    let first = run_id(&first);

    let forbidden = |world: &IamWorld| {
        world
            .iam
            .users(ORG)
            .iter()
            .filter(|user| user["isForbidden"] == true)
            .count()
    };
    let before = forbidden(&world);

    // Undoing the first import disables everyone it created: far beyond the guard.
    let (outcome, refused) = revert(&world, first, &[]).await;
    assert_eq!(outcome.code, 1, "{}", outcome.all());
    assert_eq!(refused["status"], "partial", "{}", summary(&refused));
    assert!(
        refused["held_back"]["reason"]
            .as_str()
            .expect("a reason")
            .contains("--allow-mass-deprovision"),
        "{}",
        summary(&refused)
    );
    assert_eq!(refused["counts"]["disabled"], 0, "{}", summary(&refused));
    assert_eq!(forbidden(&world), before, "nobody was disabled");

    let (outcome, done) = revert(&world, first, &["--allow-mass-deprovision"]).await;
    assert_eq!(outcome.code, 0, "{}", summary(&done));
    assert_eq!(forbidden(&world), world.iam.users(ORG).len());
    assert!(forbidden(&world) > before);
}
