//! Lark end to end: the real `syncer-host` program lists Lark among its plugins, tests the
//! connection to a fake Lark tenant, and syncs it into the fake Hanzo IAM with the documented
//! mapping — over real HTTP on 127.0.0.1, as an operator would run it.

use std::collections::{BTreeMap, HashMap};

use crate::common::{assert_test_refused_naming, fake_iam, Outcome, Scratch, IAM_SECRET_VAR};
use serde_json::Value;
use syncer_iam_sim::{FakeIam, Flavor};
use syncer_lark_sim::{Credentials, DeptFault, FakeLark, Faults, LarkOrg, OrgSpec, SimUser};

pub(crate) const APP_ID: &str = "cli_e2e00000000000001";
pub(crate) const APP_SECRET: &str = "lark-e2e-secret-Wz93kq";
/// The variable the Lark configs read the App Secret from.
pub(crate) const SECRET_VAR: &str = "LARK_SECRET";
const ORG: &str = "acme";

/// A config with the Hanzo IAM target pointing at `iam` and one Lark syncer `acme-lark` reading
/// `lark` into organization `acme` (App Secret from `${LARK_SECRET}`, IAM's from
/// `${IAM_SECRET}`), plus `extra` lines in the syncer table.
pub(crate) fn lark_config(lark: &FakeLark, iam: &FakeIam, extra: &str) -> String {
    format!(
        r#"
[target]
kind = "iam"
endpoint = "{iam_url}"
client_id = "{client_id}"
client_secret = "${{{IAM_SECRET_VAR}}}"
api_prefix = "/v1/iam"

[[syncers]]
name = "acme-lark"
organization = "{ORG}"
type = "Lark"
app_id = "{APP_ID}"
app_secret = "${{{SECRET_VAR}}}"
endpoint = "{lark_url}"
rate_limit = 500
{extra}
"#,
        iam_url = iam.url(),
        client_id = iam.config().client_id,
        lark_url = lark.url(),
    )
}

/// A well-behaved fake Lark serving `org` to the test app.
pub(crate) async fn fake_lark(org: LarkOrg) -> FakeLark {
    FakeLark::start(org, Credentials::new(APP_ID, APP_SECRET), Faults::default())
        .await
        .expect("start the fake Lark")
}

/// A fake Lark, a fake IAM and a scratch directory whose config syncs one into the other.
struct World {
    lark: FakeLark,
    iam: FakeIam,
    scratch: Scratch,
}

impl World {
    async fn start(org: LarkOrg) -> World {
        let lark = fake_lark(org).await;
        let iam = fake_iam(Flavor::Hanzo).await;
        let scratch = Scratch::new();
        scratch.write_config(&lark_config(&lark, &iam, ""));
        World { lark, iam, scratch }
    }

    async fn run(&self, args: &[&str], lark_secret: &str) -> Outcome {
        let env = [
            (SECRET_VAR, lark_secret),
            (IAM_SECRET_VAR, self.iam.config().client_secret.as_str()),
        ];
        self.scratch.run(args, &env).await
    }

    async fn sync(&self) -> (Outcome, Value) {
        let outcome = self.run(&["sync", "acme-lark", "--json"], APP_SECRET).await;
        assert!(!outcome.all().contains(APP_SECRET), "the App Secret leaked");
        let report = outcome.json();
        (outcome, report)
    }
}

pub(crate) fn tenant(users: usize) -> LarkOrg {
    LarkOrg::generate(&OrgSpec {
        users,
        departments: 8,
        multi_department_ratio: 0.25,
        extra: syncer_lark_sim::LarkExtras {
            frozen_ratio: 0.1,
            ..Default::default()
        },
        ..OrgSpec::default()
    })
}

/// The IAM user name the default mapping gives a Lark member: union_id, else user_id.
pub(crate) fn iam_name(person: &SimUser) -> &str {
    if person.union_id.is_empty() {
        &person.user_id
    } else {
        &person.union_id
    }
}

#[tokio::test]
async fn plugins_json_lists_dingtalk_and_lark_with_the_lark_fields_and_mapping() {
    let scratch = Scratch::new();
    let outcome = scratch.run(&["plugins", "--json"], &[]).await;
    assert_eq!(outcome.code, 0, "{}", outcome.all());
    let plugins = outcome.json();
    let plugins = plugins.as_array().expect("an array of plugins");
    let types: Vec<&str> = plugins.iter().filter_map(|p| p["type"].as_str()).collect();
    assert!(
        types.contains(&"DingTalk") && types.contains(&"Lark"),
        "{types:?}"
    );
    let lark = plugins.iter().find(|p| p["type"] == "Lark").expect("Lark");
    let field = |name: &str| {
        lark["config_fields"]
            .as_array()
            .and_then(|fields| fields.iter().find(|f| f["name"] == name))
            .cloned()
            .unwrap_or_else(|| panic!("field {name}"))
    };
    assert_eq!(field("app_id")["label"], "App ID");
    assert_eq!(field("app_secret")["label"], "App Secret");
    assert_eq!(field("app_secret")["secret"], true);
    let mapping: BTreeMap<String, String> = lark["default_mapping"]
        .as_array()
        .expect("mapping")
        .iter()
        .map(|rule| {
            let get = |key: &str| rule[key].as_str().expect("text").to_owned();
            (get("target"), get("source"))
        })
        .collect();
    for (target, source) in [
        ("Id", "user_id"),
        ("Name", "union_id"),
        ("DisplayName", "name"),
        ("Email", "email"),
        ("Phone", "mobile"),
        ("Avatar", "avatar.avatar_origin"),
        ("Title", "job_title"),
        ("IsForbidden", "forbidden"),
        ("Lark", "user_id"),
    ] {
        assert_eq!(
            mapping.get(target).map(String::as_str),
            Some(source),
            "{target}"
        );
    }
}

#[tokio::test]
async fn a_lark_tenant_arrives_in_iam_mapped_and_a_resync_writes_nothing() {
    let world = World::start(tenant(150)).await;
    let (outcome, report) = world.sync().await;
    assert_eq!(outcome.code, 0, "{}", outcome.all());
    assert_eq!(report["status"], "succeeded", "{report}");
    assert_eq!(report["counts"]["fetched"], 150);
    assert_eq!(report["counts"]["created"], 150);

    let source = world.lark.org();
    let users = world.iam.users(ORG);
    assert_eq!(users.len(), source.users.len());
    let by_id: HashMap<&str, &Value> = users
        .iter()
        .map(|user| (user["id"].as_str().expect("id"), user))
        .collect();
    for person in &source.users {
        let user = by_id
            .get(person.user_id.as_str())
            .unwrap_or_else(|| panic!("IAM holds {}", person.user_id));
        assert_eq!(user["name"], iam_name(person));
        assert_eq!(user["displayName"], person.name.as_str());
        assert_eq!(user["email"], person.email.as_str());
        assert_eq!(user["phone"], person.mobile.as_str());
        assert_eq!(user["avatar"], person.avatar_origin.as_str());
        assert_eq!(user["title"], person.job_title.as_str());
        assert_eq!(user["isForbidden"], person.is_frozen || person.is_resigned);
        assert_eq!(user["lark"], person.user_id.as_str(), "OAuth identity");
        for department in &person.departments {
            let group = format!("{ORG}/{department}");
            assert!(
                user["groups"]
                    .as_array()
                    .is_some_and(|g| g.contains(&Value::from(group.clone()))),
                "{} in {group}: {}",
                person.user_id,
                user["groups"]
            );
        }
    }
    assert!(
        source.users.iter().any(|p| p.is_frozen),
        "a frozen account is disabled"
    );
    assert_eq!(world.iam.groups(ORG).len(), source.departments.len());

    world.iam.reset_stats();
    let (second, report) = world.sync().await;
    assert_eq!(second.code, 0, "{}", second.all());
    assert_eq!(report["counts"]["unchanged"], 150, "{report}");
    assert_eq!(world.iam.stats().total_writes, 0);
}

#[tokio::test]
async fn a_failing_lark_department_makes_the_run_partial_and_disables_nobody() {
    let world = World::start(tenant(60)).await;
    let (first, _) = world.sync().await;
    assert_eq!(first.code, 0, "{}", first.all());
    let source = world.lark.org();
    let failing = source.departments[1].open_department_id.clone();
    world.lark.set_faults(Faults {
        failing_departments: BTreeMap::from([(failing.clone(), DeptFault::NoAuthority)]),
        ..Faults::default()
    });
    let (second, report) = world.sync().await;
    assert_eq!(second.code, 1, "{}", second.all());
    assert_eq!(report["status"], "partial", "{report}");
    assert_eq!(report["counts"]["disabled"], 0);
    assert!(report["errors"].to_string().contains(&failing), "{report}");
}

#[tokio::test]
async fn people_without_user_id_name_their_department_and_count_and_disable_nobody() {
    let world = World::start(tenant(60)).await;
    let (first, _) = world.sync().await;
    assert_eq!(first.code, 0, "{}", first.all());
    let source = world.lark.org();
    let dept = source
        .departments
        .iter()
        .map(|d| d.open_department_id.clone())
        .max_by_key(|id| source.members_of(id).len())
        .expect("a department");
    world.lark.set_faults(Faults {
        failing_departments: BTreeMap::from([(dept.clone(), DeptFault::WithoutUserId)]),
        ..Faults::default()
    });
    let (second, report) = world.sync().await;
    assert_eq!(second.code, 1, "{}", second.all());
    assert_eq!(report["status"], "partial", "{report}");
    assert_eq!(report["counts"]["disabled"], 0, "{report}");
    assert_eq!(report["counts"]["deleted"], 0, "{report}");
    let [incomplete] = report["incomplete"]
        .as_array()
        .expect("incomplete")
        .as_slice()
    else {
        panic!("one incomplete department: {report}");
    };
    assert!(
        incomplete["scope"].as_str().expect("scope").contains(&dept),
        "{incomplete}"
    );
    assert!(
        incomplete["message"]
            .as_str()
            .expect("message")
            .contains("2 person(s) without a user_id"),
        "{incomplete}"
    );
}

#[tokio::test]
async fn test_connection_passes_and_a_wrong_secret_is_named_without_being_shown() {
    let world = World::start(tenant(20)).await;
    let outcome = world
        .run(&["test", "acme-lark", "--json"], APP_SECRET)
        .await;
    assert_eq!(outcome.code, 0, "{}", outcome.all());
    assert_eq!(outcome.json()["ok"], true);

    let wrong = "wrong-lark-secret-0042";
    let outcome = world.run(&["test", "acme-lark"], wrong).await;
    assert_test_refused_naming(&outcome, &["App Secret", "developer console"], wrong);
}

#[tokio::test]
async fn a_lark_syncers_calls_are_counted_and_it_has_no_budget_unless_one_is_set() {
    let world = World::start(tenant(20)).await;
    let (outcome, _) = world.sync().await;
    assert_eq!(outcome.code, 0, "{}", outcome.all());
    let db = rusqlite::Connection::open(world.scratch.path("syncer-state.db")).expect("state");
    let calls: i64 = db
        .query_row(
            "SELECT calls FROM api_quota WHERE syncer = 'acme-lark' AND month = ?1",
            [crate::quota::cst_month()],
            |row| row.get(0),
        )
        .expect("counted");
    assert_eq!(calls as u64, world.lark.stats().total_calls);
    // Lark declares no budget: a minute's interval is no warning; with a budget it is.
    let config = std::fs::read_to_string(world.scratch.config()).expect("config");
    let every_minute = config.replace(
        "rate_limit = 500",
        "rate_limit = 500\nis_enabled = true\nsync_interval = 60",
    );
    world.scratch.write_config(&every_minute);
    let outcome = world.run(&["check"], APP_SECRET).await;
    assert!(
        !outcome.stderr.contains("monthly_call_budget"),
        "{}",
        outcome.stderr
    );
    world
        .scratch
        .write_config(&format!("{every_minute}monthly_call_budget = 10000\n"));
    let outcome = world.run(&["check"], APP_SECRET).await;
    assert!(
        outcome
            .stderr
            .contains("over `monthly_call_budget` = 10,000"),
        "{}",
        outcome.stderr
    );
}
