//! Departments become IAM groups and memberships follow people (issue 7): the real `syncer-host`
//! program against the simulated DingTalk and the fake IAM (one test on the embedded store),
//! checking groups, parents, memberships and the writes a run sends.

use std::collections::{BTreeMap, BTreeSet};

use crate::common::{
    embedded_config, fake_dingtalk, fake_iam, iam_config, IamWorld, Scratch, APP_KEY,
    IAM_SECRET_VAR, SECRET_ENV,
};
use serde_json::{json, Value};
use syncer_dingtalk_sim::{DeptFault, Faults, Org, SimUser};
use syncer_iam_sim::{FakeIam, FakeIamConfig, Flavor, UpdateUserCall};

/// The IAM organization every test syncs into.
const ORG: &str = "acme";
/// The syncer's name in the generated configs.
const SYNCER: &str = "acme-dt";
/// The DingTalk organization's (and so the root department's) name.
const COMPANY: &str = "艾克米科技";

/// Department ids of [`company`].
const ROOT: i64 = 1;
const RD: i64 = 2;
const FRONTEND: i64 = 3;
const BACKEND: i64 = 4;
const SALES: i64 = 5;
const EAST: i64 = 6;

/// A small organization with nested departments and people in several of them:
///
/// ```text
/// 1 艾克米科技 ── 2 研发中心 ── 3 前端组, 4 后端组
///             └─ 5 销售部 ── 6 华东区
/// ```
fn company() -> Org {
    let mut org = Org::empty(COMPANY);
    let rd = org.add_department(ROOT, "研发中心").expect("root exists");
    let frontend = org.add_department(rd, "前端组").expect("rd exists");
    let backend = org.add_department(rd, "后端组").expect("rd exists");
    let sales = org.add_department(ROOT, "销售部").expect("root exists");
    let east = org.add_department(sales, "华东区").expect("sales exists");
    assert_eq!(
        [rd, frontend, backend, sales, east],
        [RD, FRONTEND, BACKEND, SALES, EAST],
        "department ids are assigned in order"
    );
    for (userid, name, depts) in [
        ("frontend1", "张伟", vec![FRONTEND]),
        ("multi1", "王芳", vec![FRONTEND, SALES]),
        ("backend1", "李娜", vec![BACKEND]),
        ("east1", "刘洋", vec![EAST]),
        ("boss1", "陈静", vec![ROOT]),
        ("three1", "杨磊", vec![RD, BACKEND, EAST]),
    ] {
        org.add_user(SimUser::new(userid, name, depts));
    }
    org
}

/// A world syncing [`company`] into a fake IAM of `flavor`.
async fn world(flavor: Flavor, extra: &str) -> IamWorld {
    IamWorld::start(company(), fake_iam(flavor).await, extra).await
}

/// Status, counts, errors and notices of a report, for assertion messages.
fn summary(report: &Value) -> String {
    format!(
        "status {} counts {} errors {} notices {}",
        report["status"], report["counts"], report["errors"], report["notices"]
    )
}

/// A sync that must succeed; returns its report.
async fn sync_ok(world: &IamWorld) -> Value {
    let (outcome, report) = world.sync(&[]).await;
    assert_eq!(outcome.code, 0, "{}", outcome.all());
    assert_eq!(report["status"], "succeeded", "{}", summary(&report));
    assert_eq!(report["counts"]["groups_failed"], 0, "{}", summary(&report));
    report
}

/// The group counts of a report: `[created, updated, deleted]`.
fn group_counts(report: &Value) -> [u64; 3] {
    ["groups_created", "groups_updated", "groups_deleted"].map(|key| {
        report["counts"][key]
            .as_u64()
            .unwrap_or_else(|| panic!("counts has {key}: {}", report["counts"]))
    })
}

/// Groups of the organization by name.
fn groups_by_name(groups: Vec<Value>) -> BTreeMap<String, Value> {
    groups
        .into_iter()
        .map(|group| {
            let name = group["name"].as_str().expect("group name").to_owned();
            (name, group)
        })
        .collect()
}

/// A user's `groups`, as a set.
fn memberships(user: &Value) -> BTreeSet<String> {
    user["groups"]
        .as_array()
        .map(|groups| {
            groups
                .iter()
                .map(|group| group.as_str().expect("group entry").to_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// `["acme/<id>", ...]` as a set.
fn groups_of(ids: &[i64]) -> BTreeSet<String> {
    ids.iter().map(|id| format!("{ORG}/{id}")).collect()
}

/// The stored IAM user `name`.
fn stored(iam: &FakeIam, name: &str) -> Value {
    iam.user(ORG, name)
        .unwrap_or_else(|| panic!("IAM holds user {ORG}/{name}"))
}

/// Names of the organization's groups.
fn group_names(iam: &FakeIam) -> BTreeSet<String> {
    groups_by_name(iam.groups(ORG)).into_keys().collect()
}

/// Department ids as group names.
fn names(ids: &[i64]) -> BTreeSet<String> {
    ids.iter().map(i64::to_string).collect()
}

/// The update-user calls the fake saw, sorted by user, columns sorted.
fn update_calls(iam: &FakeIam) -> Vec<UpdateUserCall> {
    let mut calls: Vec<UpdateUserCall> = iam
        .stats()
        .update_user_calls
        .into_iter()
        .map(|mut call| {
            call.columns.sort();
            call
        })
        .collect();
    calls.sort_by(|a, b| a.id.cmp(&b.id));
    calls
}

fn groups_update(user: &str) -> UpdateUserCall {
    UpdateUserCall {
        id: format!("{ORG}/{user}"),
        columns: vec!["groups".to_owned()],
    }
}

/// Checks the group of every department of `org` in `groups`: named by id, showing the
/// department's name, under its parent department (the root under the organization).
fn assert_department_groups(org: &Org, groups: &BTreeMap<String, Value>) {
    assert_eq!(
        groups.keys().cloned().collect::<BTreeSet<_>>(),
        org.departments
            .iter()
            .map(|dept| dept.dept_id.to_string())
            .collect::<BTreeSet<_>>(),
        "one group per department"
    );
    for dept in &org.departments {
        let group = &groups[&dept.dept_id.to_string()];
        assert_eq!(group["owner"], ORG, "{group}");
        assert_eq!(group["displayName"], dept.name.as_str(), "{group}");
        match dept.parent_id {
            Some(parent) => {
                assert_eq!(group["parentId"], parent.to_string(), "{group}");
                assert_eq!(group["isTopGroup"], false, "{group}");
            }
            None => {
                assert_eq!(
                    group["parentId"], ORG,
                    "the root hangs under the organization"
                );
                assert_eq!(group["isTopGroup"], true, "{group}");
            }
        }
    }
}

in_both_flavours!(
    every_department_becomes_a_group_named_by_id_under_its_parent,
    a_resync_with_nothing_changed_writes_no_group_and_no_user,
);

async fn every_department_becomes_a_group_named_by_id_under_its_parent(flavor: Flavor) {
    let world = world(flavor, "").await;
    let report = sync_ok(&world).await;
    assert_eq!(group_counts(&report), [6, 0, 0], "{}", summary(&report));

    let groups = groups_by_name(world.iam.groups(ORG));
    assert_department_groups(&company(), &groups);
    assert_eq!(
        groups["1"]["displayName"], COMPANY,
        "the root shows the org name"
    );
    for group in groups.values() {
        assert!(
            group["type"]
                .as_str()
                .is_some_and(|kind| kind.contains(SYNCER)),
            "the syncer marks its groups: {group}"
        );
    }

    for person in &company().users {
        assert_eq!(
            memberships(&stored(&world.iam, &person.userid)),
            groups_of(&person.dept_ids),
            "{}",
            person.userid
        );
    }
    assert_eq!(
        memberships(&stored(&world.iam, "multi1")),
        groups_of(&[FRONTEND, SALES])
    );
    assert_eq!(
        memberships(&stored(&world.iam, "three1")),
        groups_of(&[RD, BACKEND, EAST])
    );
}

async fn a_resync_with_nothing_changed_writes_no_group_and_no_user(flavor: Flavor) {
    let world = world(flavor, "").await;
    sync_ok(&world).await;
    world.iam.reset_stats();
    let report = sync_ok(&world).await;
    assert_eq!(group_counts(&report), [0, 0, 0], "{}", summary(&report));
    assert_eq!(report["counts"]["unchanged"], 6, "{}", summary(&report));
    let stats = world.iam.stats();
    for route in ["add-group", "update-group", "delete-group", "update-user"] {
        assert_eq!(stats.writes_to(route), 0, "{route}: {:?}", stats.writes);
    }
    assert_eq!(stats.total_writes, 0, "{:?}", stats.writes);
}

#[tokio::test]
async fn a_person_who_moves_has_their_groups_updated() {
    let world = world(Flavor::Hanzo, "").await;
    sync_ok(&world).await;
    world.dingtalk.update_org(|org| {
        org.user_mut("frontend1").expect("member exists").dept_ids = vec![SALES];
        org.user_mut("multi1").expect("member exists").dept_ids = vec![FRONTEND];
    });
    world.iam.reset_stats();
    let report = sync_ok(&world).await;
    assert_eq!(report["counts"]["updated"], 2, "{}", summary(&report));
    assert_eq!(group_counts(&report), [0, 0, 0], "{}", summary(&report));
    assert_eq!(
        update_calls(&world.iam),
        vec![groups_update("frontend1"), groups_update("multi1")]
    );
    assert_eq!(
        memberships(&stored(&world.iam, "frontend1")),
        groups_of(&[SALES])
    );
    assert_eq!(
        memberships(&stored(&world.iam, "multi1")),
        groups_of(&[FRONTEND])
    );
}

#[tokio::test]
async fn a_renamed_department_renames_its_group() {
    let world = world(Flavor::Hanzo, "").await;
    sync_ok(&world).await;
    world.dingtalk.update_org(|org| {
        assert!(org.rename_department(FRONTEND, "前端平台组"));
        assert!(org.rename_department(ROOT, "艾克米集团"));
    });
    world.iam.reset_stats();
    let report = sync_ok(&world).await;
    assert_eq!(group_counts(&report), [0, 2, 0], "{}", summary(&report));
    let groups = groups_by_name(world.iam.groups(ORG));
    assert_department_groups(&world.dingtalk.org(), &groups);
    assert_eq!(groups["3"]["displayName"], "前端平台组");
    assert_eq!(groups["1"]["displayName"], "艾克米集团");
    let stats = world.iam.stats();
    assert_eq!(stats.writes_to("update-group"), 2);
    assert_eq!(
        stats.writes_to("update-user"),
        0,
        "memberships did not change"
    );
}

#[tokio::test]
async fn a_department_moved_under_another_parent_updates_its_parent() {
    let world = world(Flavor::Hanzo, "").await;
    sync_ok(&world).await;
    world.dingtalk.update_org(|org| {
        assert!(org.move_department(EAST, RD));
    });
    world.iam.reset_stats();
    let report = sync_ok(&world).await;
    assert_eq!(group_counts(&report), [0, 1, 0], "{}", summary(&report));
    let groups = groups_by_name(world.iam.groups(ORG));
    assert_eq!(groups["6"]["parentId"], RD.to_string());
    assert_eq!(groups["6"]["displayName"], "华东区");
    assert_department_groups(&world.dingtalk.org(), &groups);
    assert_eq!(world.iam.stats().writes_to("update-user"), 0);
}

#[tokio::test]
async fn a_removed_department_group_is_deleted_once_its_people_left_it() {
    let world = world(Flavor::Hanzo, "").await;
    sync_ok(&world).await;
    // Removes 销售部 and 华东区 below it; 刘洋 (only in 华东区) moves up to the root.
    world.dingtalk.update_org(|org| {
        assert_eq!(org.remove_department(SALES), vec![SALES, EAST]);
    });
    world.iam.reset_stats();
    let report = sync_ok(&world).await;
    assert_eq!(group_counts(&report), [0, 0, 2], "{}", summary(&report));
    assert_eq!(report["counts"]["updated"], 3, "{}", summary(&report));
    assert_eq!(
        group_names(&world.iam),
        names(&[ROOT, RD, FRONTEND, BACKEND])
    );
    assert_eq!(
        memberships(&stored(&world.iam, "east1")),
        groups_of(&[ROOT])
    );
    assert_eq!(
        memberships(&stored(&world.iam, "multi1")),
        groups_of(&[FRONTEND])
    );
    assert_eq!(
        memberships(&stored(&world.iam, "three1")),
        groups_of(&[RD, BACKEND])
    );
    assert_eq!(
        world.iam.stats().writes_to("delete-group"),
        2,
        "each deleted once"
    );

    world.iam.reset_stats();
    let report = sync_ok(&world).await;
    assert_eq!(group_counts(&report), [0, 0, 0], "{}", summary(&report));
    assert_eq!(world.iam.stats().total_writes, 0);
}

#[tokio::test]
async fn a_removed_department_group_is_kept_and_reported_while_someone_else_is_in_it() {
    let world = world(Flavor::Hanzo, "").await;
    sync_ok(&world).await;
    let backend = format!("{ORG}/{BACKEND}");
    world.iam.insert_user(json!({
        "owner": ORG, "name": "contractor", "displayName": "Local Contractor",
        "groups": [backend],
    }));
    world.dingtalk.update_org(|org| {
        assert_eq!(org.remove_department(BACKEND), vec![BACKEND]);
    });

    let report = sync_ok(&world).await;
    assert_eq!(group_counts(&report), [0, 0, 0], "{}", summary(&report));
    assert!(group_names(&world.iam).contains(&BACKEND.to_string()));
    assert!(
        report["notices"]
            .as_array()
            .expect("notices is a list")
            .iter()
            .any(|notice| notice.as_str().is_some_and(|text| text.contains(&backend))),
        "the kept group is reported: {}",
        summary(&report)
    );
    assert_eq!(
        memberships(&stored(&world.iam, "backend1")),
        groups_of(&[RD]),
        "synced people left the group"
    );
    assert_eq!(
        memberships(&stored(&world.iam, "contractor")),
        groups_of(&[BACKEND])
    );

    // Once the last member is gone, the group goes too.
    let mut contractor = stored(&world.iam, "contractor");
    contractor["groups"] = json!([]);
    world.iam.insert_user(contractor);
    world.iam.reset_stats();
    let report = sync_ok(&world).await;
    assert_eq!(group_counts(&report), [0, 0, 1], "{}", summary(&report));
    assert!(!group_names(&world.iam).contains(&BACKEND.to_string()));
    assert_eq!(world.iam.stats().writes_to("delete-group"), 1);
}

#[tokio::test]
async fn memberships_in_groups_the_syncer_does_not_own_are_kept() {
    let world = world(Flavor::Hanzo, "").await;
    sync_ok(&world).await;
    let vpn_group = json!({
        "owner": ORG, "name": "vpn-users", "displayName": "VPN users",
        "parentId": ORG, "isTopGroup": true, "type": "Virtual",
    });
    world.iam.insert_group(vpn_group);
    let mut user = stored(&world.iam, "frontend1");
    user["groups"] = json!([format!("{ORG}/vpn-users"), format!("{ORG}/{FRONTEND}")]);
    world.iam.insert_user(user);
    let vpn_before = groups_by_name(world.iam.groups(ORG))["vpn-users"].clone();

    world.iam.reset_stats();
    let report = sync_ok(&world).await;
    assert_eq!(world.iam.stats().total_writes, 0, "{}", summary(&report));

    world.dingtalk.update_org(|org| {
        org.user_mut("frontend1").expect("member exists").dept_ids = vec![SALES];
    });
    world.iam.reset_stats();
    sync_ok(&world).await;
    assert_eq!(update_calls(&world.iam), vec![groups_update("frontend1")]);
    let mut expected = groups_of(&[SALES]);
    expected.insert(format!("{ORG}/vpn-users"));
    assert_eq!(memberships(&stored(&world.iam, "frontend1")), expected);
    assert_eq!(
        groups_by_name(world.iam.groups(ORG))["vpn-users"],
        vpn_before,
        "the syncer leaves other groups alone"
    );
}

#[tokio::test]
async fn a_dry_run_lists_the_group_changes_and_writes_none() {
    let world = world(Flavor::Hanzo, "").await;
    let (outcome, report) = world.sync(&["--dry-run"]).await;
    assert_eq!(outcome.code, 0, "{}", outcome.all());
    assert_eq!(group_counts(&report), [6, 0, 0], "{}", summary(&report));
    let planned: BTreeSet<String> = report["plan"]["groups"]["create"]
        .as_array()
        .expect("planned group creates")
        .iter()
        .map(|group| group.as_str().expect("owner/name").to_owned())
        .collect();
    assert_eq!(
        planned,
        groups_of(&[ROOT, RD, FRONTEND, BACKEND, SALES, EAST])
    );
    assert_eq!(world.iam.stats().total_writes, 0);
    assert!(world.iam.groups(ORG).is_empty());
}

#[tokio::test]
async fn an_incomplete_fetch_deletes_no_group() {
    let world = world(Flavor::Hanzo, "max_retries = 1").await;
    sync_ok(&world).await;
    world.dingtalk.update_org(|org| {
        assert_eq!(org.remove_department(BACKEND), vec![BACKEND]);
    });
    world.dingtalk.set_faults(Faults {
        failing_departments: [(SALES, DeptFault::AlwaysBusy)].into(),
        ..Faults::default()
    });
    world.iam.reset_stats();
    let (outcome, report) = world.sync(&[]).await;
    assert_eq!(outcome.code, 1, "{}", outcome.all());
    assert_eq!(report["status"], "partial", "{}", summary(&report));
    assert_eq!(
        report["counts"]["groups_deleted"],
        0,
        "{}",
        summary(&report)
    );
    assert_eq!(world.iam.stats().writes_to("delete-group"), 0);
    assert_eq!(
        group_names(&world.iam),
        names(&[ROOT, RD, FRONTEND, BACKEND, SALES, EAST]),
        "every group is still there"
    );
    assert!(
        report["notices"]
            .to_string()
            .contains(&format!("{ORG}/{BACKEND}")),
        "the kept group is reported: {}",
        summary(&report)
    );
    // 杨磊 is still read through 研发中心; the unread 华东区 membership stays.
    let three = memberships(&stored(&world.iam, "three1"));
    assert!(three.is_superset(&groups_of(&[RD, EAST])), "{three:?}");
}

/// Groups of `org` in the embedded store at `db`, as JSON bodies by name.
fn embedded_groups(db: &std::path::Path, org: &str) -> BTreeMap<String, Value> {
    let db = rusqlite::Connection::open(db).expect("open the embedded store");
    let mut statement = db
        .prepare("SELECT body FROM groups WHERE owner = ?1")
        .expect("the store has a groups table");
    let bodies: Vec<String> = statement
        .query_map([org], |row| row.get::<_, String>(0))
        .expect("query groups")
        .map(|body| body.expect("read a group row"))
        .collect();
    groups_by_name(
        bodies
            .iter()
            .map(|body| serde_json::from_str(body).expect("a group body is JSON"))
            .collect(),
    )
}

#[tokio::test]
async fn departments_become_groups_in_the_embedded_store_too() {
    let dingtalk = fake_dingtalk(company(), Faults::default()).await;
    let scratch = Scratch::new();
    scratch.write_config(&embedded_config(&dingtalk.url(), ""));
    let db = scratch.path("syncer.db");
    let first = scratch
        .run(&["sync", SYNCER, "--json"], &[SECRET_ENV])
        .await;
    assert_eq!(first.code, 0, "{}", first.all());
    assert_eq!(group_counts(&first.json()), [6, 0, 0]);
    assert_department_groups(&company(), &embedded_groups(&db, ORG));
    let users = scratch.stored_users(ORG);
    for person in &company().users {
        let user = users
            .iter()
            .find(|user| user["id"] == person.userid.as_str())
            .unwrap_or_else(|| panic!("{} stored", person.userid));
        assert_eq!(
            memberships(user),
            groups_of(&person.dept_ids),
            "{}",
            person.userid
        );
    }

    dingtalk.update_org(|org| {
        assert!(org.rename_department(FRONTEND, "前端平台组"));
        assert!(org.move_department(EAST, RD));
        assert_eq!(org.remove_department(BACKEND), vec![BACKEND]);
        org.user_mut("frontend1").expect("member exists").dept_ids = vec![SALES];
    });
    let second = scratch
        .run(&["sync", SYNCER, "--json"], &[SECRET_ENV])
        .await;
    assert_eq!(second.code, 0, "{}", second.all());
    let report = second.json();
    assert_eq!(group_counts(&report), [0, 2, 1], "{}", summary(&report));
    assert_department_groups(&dingtalk.org(), &embedded_groups(&db, ORG));
    let users = scratch.stored_users(ORG);
    let user = |id: &str| {
        users
            .iter()
            .find(|user| user["id"] == id)
            .unwrap_or_else(|| panic!("{id} stored"))
    };
    assert_eq!(memberships(user("frontend1")), groups_of(&[SALES]));
    assert_eq!(memberships(user("three1")), groups_of(&[RD, EAST]));
    assert_eq!(memberships(user("backend1")), groups_of(&[RD]));

    let third = scratch
        .run(&["sync", SYNCER, "--json"], &[SECRET_ENV])
        .await;
    assert_eq!(third.code, 0, "{}", third.all());
    let report = third.json();
    assert_eq!(group_counts(&report), [0, 0, 0], "{}", summary(&report));
    assert_eq!(report["target_writes"], 0, "{}", summary(&report));
}

#[tokio::test]
async fn two_organizations_in_one_iam_each_get_their_department_groups_with_a_name_prefix() {
    let iam = FakeIam::start(FakeIamConfig {
        organizations: vec![ORG.to_owned(), "globex".to_owned()],
        ..FakeIamConfig::default()
    })
    .await
    .expect("start fake IAM");
    let acme = fake_dingtalk(company(), Faults::default()).await;
    let globex = fake_dingtalk(company(), Faults::default()).await;
    let scratch = Scratch::new();
    let mut config = iam_config(&acme.url(), &iam, "");
    config.push_str(&format!(
        r#"
[[syncers]]
name = "globex-dt"
organization = "globex"
type = "DingTalk"
app_key = "{APP_KEY}"
app_secret = "${{DT_SECRET}}"
endpoint = "{}"
rate_limit = 500
group_name_prefix = "globex-"
"#,
        globex.url()
    ));
    scratch.write_config(&config);
    let env = [
        SECRET_ENV,
        (IAM_SECRET_VAR, iam.config().client_secret.as_str()),
    ];

    for (syncer, organization) in [(SYNCER, ORG), ("globex-dt", "globex")] {
        let outcome = scratch.run(&["sync", syncer, "--json"], &env).await;
        let report = outcome.json();
        assert_eq!(outcome.code, 0, "{syncer}: {}", summary(&report));
        assert_eq!(group_counts(&report), [6, 0, 0], "{}", summary(&report));

        let groups = iam.groups(organization);
        assert_eq!(groups.len(), 6, "{organization}: one group per department");
        let shown: BTreeSet<&str> = groups
            .iter()
            .filter_map(|group| group["displayName"].as_str())
            .collect();
        let departments: BTreeSet<&str> = [
            "艾克米科技",
            "研发中心",
            "前端组",
            "后端组",
            "销售部",
            "华东区",
        ]
        .into_iter()
        .collect();
        assert_eq!(shown, departments, "{organization}");
        // IAM group names are global: the second directory's groups carry its prefix.
        let prefix = if organization == ORG { "" } else { "globex-" };
        assert!(
            groups.iter().all(|group| {
                let name = group["name"].as_str().expect("name");
                name.strip_prefix(prefix)
                    .is_some_and(|id| id.parse::<i64>().is_ok())
            }),
            "{organization}: {groups:?}"
        );
        let existing: BTreeSet<String> = groups
            .iter()
            .map(|group| format!("{organization}/{}", group["name"].as_str().expect("name")))
            .collect();
        for user in iam.users(organization) {
            let user_groups = memberships(&user);
            assert!(!user_groups.is_empty(), "{user}");
            assert!(
                user_groups.is_subset(&existing),
                "{organization}: {user_groups:?} are groups of the organization ({existing:?})"
            );
        }
    }
}

#[tokio::test]
async fn a_root_department_read_without_its_name_keeps_the_groups_display_name() {
    let world = world(Flavor::Hanzo, "").await;
    sync_ok(&world).await;
    // As when `department/get` on the root fails: the root comes without a name.
    world.dingtalk.update_org(|org| {
        org.departments
            .iter_mut()
            .find(|dept| dept.dept_id == ROOT)
            .expect("root")
            .name
            .clear();
    });
    world.iam.reset_stats();
    let report = sync_ok(&world).await;
    assert_eq!(group_counts(&report), [0, 0, 0], "{}", summary(&report));
    assert_eq!(world.iam.stats().total_writes, 0);
    let groups = groups_by_name(world.iam.groups(ORG));
    assert_eq!(groups[&ROOT.to_string()]["displayName"], COMPANY);
}

#[tokio::test]
async fn a_leaver_leaves_the_department_groups_so_a_vanished_department_can_go() {
    let world = world(Flavor::Hanzo, "").await;
    sync_ok(&world).await;
    let mut leaver = stored(&world.iam, "east1");
    // A membership the syncer does not own stays.
    leaver["groups"] = json!([format!("{ORG}/{EAST}"), "acme/vpn-users"]);
    world.iam.insert_user(leaver);
    world.dingtalk.update_org(|org| {
        org.remove_user("east1");
        assert_eq!(org.remove_department(EAST), vec![EAST]);
    });
    world.iam.reset_stats();
    let report = sync_ok(&world).await;
    assert_eq!(report["counts"]["disabled"], 1, "{}", summary(&report));
    assert_eq!(group_counts(&report), [0, 0, 1], "{}", summary(&report));
    let leaver = stored(&world.iam, "east1");
    assert_eq!(leaver["isForbidden"], true);
    assert_eq!(memberships(&leaver), ["acme/vpn-users".to_owned()].into());
    assert!(!group_names(&world.iam).contains(&EAST.to_string()));

    // Back, in another department: enabled and in its group.
    world
        .dingtalk
        .update_org(|org| org.add_user(SimUser::new("east1", "刘洋", vec![SALES])));
    let report = sync_ok(&world).await;
    assert_eq!(report["counts"]["updated"], 1, "{}", summary(&report));
    let back = stored(&world.iam, "east1");
    assert_eq!(back["isForbidden"], false);
    let mut expected = groups_of(&[SALES]);
    expected.insert("acme/vpn-users".to_owned());
    assert_eq!(memberships(&back), expected);
}

#[tokio::test]
async fn a_group_iam_refuses_to_create_holds_back_its_subtree_and_memberships() {
    let iam = FakeIam::start(FakeIamConfig {
        organizations: vec![ORG.to_owned(), "globex".to_owned()],
        ..FakeIamConfig::default()
    })
    .await
    .expect("start fake IAM");
    // Group names are global in IAM: another organization's "2" blocks 研发中心's group.
    iam.insert_group(json!({"owner": "globex", "name": RD.to_string(), "parentId": "globex"}));
    let world = IamWorld::start(company(), iam, "").await;
    let (outcome, report) = world.sync(&[]).await;
    assert_eq!(outcome.code, 1, "{}", outcome.all());
    assert_eq!(report["status"], "partial", "{}", summary(&report));
    assert_eq!(report["counts"]["groups_failed"], 3, "{}", summary(&report));
    let add_group_calls = world.iam.stats().calls_to("add-group");
    assert_eq!(
        add_group_calls, 4,
        "研发中心 is tried, its children are not"
    );
    assert_eq!(group_names(&world.iam), names(&[ROOT, SALES, EAST]));
    for user in world.iam.users(ORG) {
        let user_groups = memberships(&user);
        for missing in [RD, FRONTEND, BACKEND] {
            assert!(
                !user_groups.contains(&format!("{ORG}/{missing}")),
                "{}: {user_groups:?}",
                user["name"]
            );
        }
    }
    assert_eq!(
        memberships(&stored(&world.iam, "multi1")),
        groups_of(&[SALES])
    );

    // Once the name is free, the next run creates the subtree and fills it.
    delete_group_over_http(&world.iam, "globex", &RD.to_string()).await;
    let report = sync_ok(&world).await;
    assert_eq!(group_counts(&report), [3, 0, 0], "{}", summary(&report));
    assert_eq!(
        memberships(&stored(&world.iam, "three1")),
        groups_of(&[RD, BACKEND, EAST])
    );
}

/// Deletes a group through the fake IAM's own `delete-group`, as an IAM admin would.
async fn delete_group_over_http(iam: &FakeIam, owner: &str, name: &str) {
    let config = iam.config();
    let answer: Value = reqwest::Client::new()
        .post(format!("{}{}/delete-group", iam.url(), iam.api_prefix()))
        .basic_auth(&config.client_id, Some(&config.client_secret))
        .json(&json!({"owner": owner, "name": name}))
        .send()
        .await
        .expect("delete-group answers")
        .json()
        .await
        .expect("a JSON envelope");
    assert_eq!(answer["status"], "ok", "{answer}");
    assert!(!groups_by_name(iam.groups(owner)).contains_key(name));
}
