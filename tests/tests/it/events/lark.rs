//! Lark callbacks through `serve`: the fake Lark sends its schema 2.0 contact events (sealed with
//! the Encrypt Key and signed, or plain) to serve's events route, which answers HTTP 200 once
//! the change is in IAM, at one `users/:user_id` per changed person; a callback that does not
//! verify is refused and changes nothing, and one that comes while IAM is down is answered with
//! a non-200, so Lark sends it again.

use syncer_lark_sim::{paths, CallbackConfig, FakeLark, LarkOrg, SimUser};

use super::*;
use crate::lark::{fake_lark, iam_name, lark_config, tenant, APP_SECRET, SECRET_VAR};

const VERIFICATION_TOKEN: &str = "lark-verif-T0ken";
const ENCRYPT_KEY: &str = "lark-encrypt-K3y";

/// The Lark keys of `events = "http"`, with the Encrypt Key when `encrypted`.
fn http_mode(encrypted: bool) -> String {
    let mut keys = format!("events = \"http\"\nverification_token = \"{VERIFICATION_TOKEN}\"");
    if encrypted {
        keys.push_str(&format!("\nencrypt_key = \"{ENCRYPT_KEY}\""));
    }
    keys
}

/// The app's event subscription as its console would hold it, with Lark's retries scaled down.
fn subscription(encrypted: bool) -> CallbackConfig {
    let mut config = CallbackConfig::new(
        VERIFICATION_TOKEN,
        encrypted.then(|| ENCRYPT_KEY.to_owned()),
    );
    // 15 s, 5 min, 1 h, 6 h become 0.15 s, 3 s, 36 s, 216 s.
    config.retry_factor = 0.01;
    config
}

/// A fake Lark, a fake IAM and `serve` syncing one into the other with callbacks on.
struct LarkWorld {
    lark: FakeLark,
    serving: Serving,
}

impl std::ops::Deref for LarkWorld {
    type Target = Serving;

    fn deref(&self) -> &Serving {
        &self.serving
    }
}

impl LarkWorld {
    /// `org` served with callbacks (sealed when `encrypted`), the fake subscribed to serve's
    /// events route; returns once the first full sync is done.
    async fn start(org: LarkOrg, encrypted: bool) -> LarkWorld {
        let lark = fake_lark(org).await;
        let iam = fake_iam(Flavor::Hanzo).await;
        let scratch = Scratch::new();
        let extra = format!(
            "is_enabled = true\nsync_interval = 3600\n{}",
            http_mode(encrypted)
        );
        scratch.write_config(&format!(
            "[server]\ntoken = \"${{SYNCER_API_TOKEN}}\"\n{}",
            lark_config(&lark, &iam, &extra)
        ));
        let serving = Serving::start(iam, scratch, "acme-lark", &[(SECRET_VAR, APP_SECRET)]).await;
        lark.callback_to(serving.events_url(), subscription(encrypted))
            .expect("a request URL");
        LarkWorld { lark, serving }
    }

    /// Waits until every emitted event is acknowledged (or given up after Lark's retries).
    async fn settled(&self) {
        self.lark
            .all_acknowledged(DEADLINE)
            .await
            .unwrap_or_else(|unsettled| panic!("callbacks not settled: {unsettled:?}"));
    }

    fn user_gets(&self) -> u64 {
        self.lark.stats().calls(paths::USER_GET)
    }

    /// The IAM user of the Lark member `user_id`.
    fn member(&self, user_id: &str) -> Option<Value> {
        let person = self.lark.org().user(user_id).cloned()?;
        self.user(iam_name(&person))
    }
}

/// A department of `org` other than the root with at least one member.
fn staffed(org: &LarkOrg) -> String {
    org.users
        .iter()
        .flat_map(|user| user.departments.iter())
        .find(|dept| dept.as_str() != syncer_lark_sim::ROOT_DEPARTMENT)
        .cloned()
        .expect("a staffed department")
}

/// An active member of `org` (neither frozen nor resigned), by index among them.
fn active(org: &LarkOrg, index: usize) -> SimUser {
    org.users
        .iter()
        .filter(|user| !user.is_frozen && !user.is_resigned)
        .nth(index)
        .cloned()
        .expect("an active member")
}

/// A new hire in `dept`.
fn lark_hire(user_id: &str, dept: &str) -> SimUser {
    let mut user = SimUser::new(user_id, format!("新人{user_id}"), vec![dept.to_owned()]);
    user.email = format!("{user_id}@acme.example");
    user
}

#[tokio::test]
async fn the_url_check_is_answered_through_serve_plain_and_encrypted() {
    for encrypted in [false, true] {
        let world = LarkWorld::start(tenant(10), encrypted).await;
        world
            .lark
            .verify_url()
            .await
            .unwrap_or_else(|error| panic!("challenge (encrypted: {encrypted}): {error:?}"));
        // A check carrying another token is not answered with the challenge.
        let mut wrong = subscription(encrypted);
        wrong.verification_token = "not-the-token".into();
        world
            .lark
            .callback_to(world.events_url(), wrong)
            .expect("a request URL");
        assert!(world.lark.verify_url().await.is_err(), "{encrypted}");
        assert_eq!(world.counters().await["mode"], "http");
    }
}

#[tokio::test]
async fn a_hire_a_change_and_a_leaver_arrive_by_callback_at_one_read_and_one_write_each() {
    let org = tenant(20);
    let world = LarkWorld::start(org.clone(), true).await;
    let dept = staffed(&org);
    let step = |what: &'static str| (what, world.user_gets(), world.writes());

    let (_, gets, writes) = step("hire");
    let id = world.lark.hire(lark_hire("newbie", &dept));
    world.settled().await;
    let user = world
        .member("newbie")
        .expect("the hire is in IAM once answered");
    assert_eq!(user["email"], "newbie@acme.example");
    assert_eq!(user["displayName"], "新人newbie");
    assert!(
        user["groups"].to_string().contains(&format!("acme/{dept}")),
        "{user}"
    );
    assert_eq!((world.user_gets() - gets, world.writes() - writes), (1, 1));
    let event = world.handled(&id).await;
    assert_eq!(event["outcome"], "applied", "{event}");
    assert_eq!(event["type"], "contact.user.created_v3");
    assert_eq!(event["people"], serde_json::json!(["newbie"]));

    let person = active(&org, 2);
    let (_, gets, writes) = step("change");
    world
        .lark
        .modify(&person.user_id, |user| user.name = "改名了".into())
        .expect("modify");
    world.settled().await;
    let user = world.member(&person.user_id).expect("user");
    assert_eq!(user["displayName"], "改名了");
    assert_eq!((world.user_gets() - gets, world.writes() - writes), (1, 1));

    let (_, gets, writes) = step("leaver");
    let id = world.lark.leave(&person.user_id).expect("leave");
    world.settled().await;
    let event = world.handled(&id).await;
    assert_eq!(event["outcome"], "applied", "{event}");
    let user = world.user(iam_name(&person)).expect("kept, disabled");
    assert_eq!(user["isForbidden"], true, "{user}");
    assert_eq!(
        (world.user_gets() - gets, world.writes() - writes),
        (1, 1),
        "Lark's 41050 confirmed the leaver"
    );
    // Nobody else was touched.
    let other = active(&org, 3);
    assert_eq!(
        world.member(&other.user_id).expect("other")["isForbidden"],
        false
    );
    let counters = world.counters().await;
    assert_eq!(counters["applied"], 3, "{counters}");
    assert_eq!(counters["failed"], 0, "{counters}");
}

#[tokio::test]
async fn a_department_created_and_renamed_follows_as_a_group() {
    let world = LarkWorld::start(tenant(10), true).await;
    let writes = world.writes();
    let (dept, _) = world
        .lark
        .create_department(syncer_lark_sim::ROOT_DEPARTMENT, "新部门")
        .expect("create");
    world.settled().await;
    let group = world.group(&dept).expect("group created");
    assert_eq!(group["displayName"], "新部门");
    assert_eq!(world.writes() - writes, 1, "one add-group");
    world
        .lark
        .rename_department(&dept, "改名部门")
        .expect("rename");
    world.settled().await;
    assert_eq!(
        world.group(&dept).expect("group")["displayName"],
        "改名部门"
    );
    assert_eq!(world.writes() - writes, 2, "and one update-group");
}

#[tokio::test]
async fn a_duplicate_event_id_costs_no_read_and_no_write() {
    let org = tenant(10);
    let world = LarkWorld::start(org.clone(), true).await;
    let mut config = subscription(true);
    config.duplicate_after_ack = true;
    world
        .lark
        .callback_to(world.events_url(), config)
        .expect("a request URL");
    let (gets, writes) = (world.user_gets(), world.writes());
    world.lark.hire(lark_hire("twice", &staffed(&org)));
    world.settled().await;
    assert_eq!(world.lark.callback_stats().duplicates, 1);
    let counters = eventually("the duplicate to be counted", || async {
        let counters = world.counters().await;
        (counters["duplicates"].as_u64() >= Some(1)).then_some(counters)
    })
    .await;
    assert_eq!(counters["applied"], 1, "{counters}");
    assert_eq!(world.user_gets() - gets, 1, "the duplicate read nobody");
    assert_eq!(world.writes() - writes, 1, "and wrote nothing");
}

#[tokio::test]
async fn a_bad_signature_or_a_wrong_token_is_refused_and_changes_nothing() {
    let org = tenant(10);
    let world = LarkWorld::start(org.clone(), true).await;
    let dept = staffed(&org);
    let writes = world.writes();
    let mut wrong_key = subscription(true);
    wrong_key.encrypt_key = Some("another-app's-key".into());
    let mut wrong_token = subscription(true);
    wrong_token.verification_token = "another-token".into();
    for (config, who) in [(wrong_key, "forged-key"), (wrong_token, "forged-token")] {
        // Lark's retries are shrunk to nothing: each callback is refused five times.
        let config = CallbackConfig {
            retry_factor: 0.0001,
            ..config
        };
        world
            .lark
            .callback_to(world.events_url(), config)
            .expect("a request URL");
        world.lark.hire(lark_hire(who, &dept));
        world.settled().await;
        assert!(world.member(who).is_none(), "{who} is not in IAM");
    }
    let stats = world.lark.callback_stats();
    assert_eq!((stats.acknowledged, stats.failed), (0, 2), "{stats:?}");
    // A request signed with nothing at all is refused 403, with nothing secret in the answer.
    let response = Served::client()
        .post(world.events_url())
        .header("X-Lark-Request-Timestamp", "1700000000")
        .header("X-Lark-Request-Nonce", "nonce")
        .header("X-Lark-Signature", "00")
        .json(&serde_json::json!({ "encrypt": "AAAA" }))
        .send()
        .await
        .expect("POST");
    assert_eq!(response.status().as_u16(), 403);
    let body = response.text().await.expect("body");
    assert!(
        !body.contains(ENCRYPT_KEY) && !body.contains(VERIFICATION_TOKEN),
        "{body}"
    );
    assert_eq!(world.writes(), writes, "nothing written");
    assert_eq!(world.counters().await["received"], 0);
}

#[tokio::test]
async fn while_iam_is_down_lark_gets_a_non_200_and_the_retry_is_applied_once_it_is_up() {
    let org = tenant(10);
    let world = LarkWorld::start(org.clone(), true).await;
    world.iam.set_down(true);
    let id = world.lark.hire(lark_hire("patient", &staffed(&org)));
    let event = world.listed(&id, |event| event["outcome"] == "later").await;
    assert!(event["error"].as_str().is_some(), "{event}");
    eventually("Lark to see the refusal", || async {
        (world.lark.callback_stats().refused >= 1).then_some(())
    })
    .await;
    world.iam.set_down(false);
    world.settled().await;
    let stats = world.lark.callback_stats();
    assert_eq!((stats.acknowledged, stats.failed), (1, 0), "{stats:?}");
    assert!(stats.retried >= 1, "{stats:?}");
    assert!(
        world.member("patient").is_some(),
        "applied once IAM is back"
    );
    world
        .listed(&id, |event| event["outcome"] == "applied")
        .await;
}

#[tokio::test]
async fn a_mover_changes_groups_and_an_emptied_department_loses_its_group() {
    let org = tenant(10);
    let world = LarkWorld::start(org.clone(), true).await;
    let (dept, _) = world
        .lark
        .create_department(syncer_lark_sim::ROOT_DEPARTMENT, "临时部门")
        .expect("create");
    let person = active(&org, 1);
    world
        .lark
        .move_user(&person.user_id, vec![dept.clone()])
        .expect("move");
    world.settled().await;
    let groups = world.member(&person.user_id).expect("user")["groups"].clone();
    assert_eq!(
        groups,
        serde_json::json!([format!("acme/{dept}")]),
        "moved: {groups}"
    );
    // Back to the root, then the emptied department is deleted.
    world
        .lark
        .move_user(
            &person.user_id,
            vec![syncer_lark_sim::ROOT_DEPARTMENT.to_owned()],
        )
        .expect("move back");
    let id = world
        .lark
        .remove_department(&dept)
        .expect("an empty department goes");
    world.settled().await;
    let event = world.handled(&id).await;
    assert_eq!(event["type"], "contact.department.deleted_v3", "{event}");
    assert!(
        world.group(&dept).is_none(),
        "its group went with it: {event}"
    );
}
