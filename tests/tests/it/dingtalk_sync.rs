//! A whole sync (the real `syncer-host` program) against the simulated DingTalk: an incomplete
//! fetch deprovisions nobody, and a sync under every fault at once writes everyone right. The
//! backend's own behaviour is tested in `syncer-dingtalk/tests/`.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::common::{
    self, embedded_config, fake_dingtalk, forbidden_by_id, leaf_with_sole_members, Scratch,
    APP_SECRET, SECRET_ENV,
};
use serde_json::Value;
use syncer_dingtalk_sim::{DeptFault, Faults, Org, OrgSpec, Stats};

fn generated(users: usize, departments: usize) -> Org {
    Org::generate(&OrgSpec {
        users,
        departments,
        ..OrgSpec::default()
    })
}

/// The few figures worth printing when an assertion fails (`Stats` also holds every page).
fn summary(stats: &Stats) -> String {
    format!(
        "calls {:?}, tokens issued {}, throttled {}, busy {}, 5xx {}, expired {}, invalid {}, max in flight {}",
        stats.calls_by_path,
        stats.tokens_issued,
        stats.throttled,
        stats.busy,
        stats.http_5xx,
        stats.expired_token,
        stats.invalid_token,
        stats.max_in_flight
    )
}

#[tokio::test]
async fn a_resync_with_a_failing_department_disables_nobody_and_ends_partial() {
    let org = common::org(200);
    let (dept, sole_members) = leaf_with_sole_members(&org);
    let server = fake_dingtalk(org, Faults::default()).await;
    let scratch = Scratch::new();
    scratch.write_config(&embedded_config(&server.url(), "max_retries = 1"));
    let first = scratch
        .run(&["sync", "acme-dt", "--json"], &[SECRET_ENV])
        .await;
    assert_eq!(first.code, 0, "{}", first.all());
    assert_eq!(first.json()["counts"]["created"], 200);
    let before = forbidden_by_id(&scratch.stored_users("acme"));

    server.set_faults(Faults {
        failing_departments: BTreeMap::from([(dept, DeptFault::AlwaysBusy)]),
        ..Faults::default()
    });
    let second = scratch
        .run(&["sync", "acme-dt", "--json"], &[SECRET_ENV])
        .await;

    assert_eq!(second.code, 1, "{}", second.all());
    let report = second.json();
    assert_eq!(report["status"], "partial", "{report}");
    assert_eq!(report["counts"]["disabled"], 0, "{report}");
    assert_eq!(report["counts"]["deleted"], 0, "{report}");
    let incomplete = report["incomplete"].to_string();
    assert!(incomplete.contains(&dept.to_string()), "{incomplete}");
    assert!(
        sole_members
            .iter()
            .any(|userid| before.get(userid) == Some(&false)),
        "someone enabled is read only through the failing department"
    );
    assert_eq!(forbidden_by_id(&scratch.stored_users("acme")), before);
    assert!(!second.all().contains(APP_SECRET));
}

#[tokio::test]
async fn a_whole_sync_under_throttling_busy_5xx_and_token_expiry_writes_everyone_right() {
    let org = generated(500, 25);
    // Throttling, busy answers, 5xx and token expiry strike by count, not by chance or by the
    // clock: however loaded the machine, each happens (the sync needs 55 calls or more that
    // get through, each counted by every check).
    let faults = Faults {
        qps_limit: Some(40),
        throttle_every: Some(20),
        busy_every: Some(10),
        http_5xx_every: Some(10),
        flood_control_rate: 0.01,
        token_expires_after_calls: Some(15),
        seed: 23,
        ..Faults::default()
    };
    let server = fake_dingtalk(org.clone(), faults).await;
    let scratch = Scratch::new();
    // Below the fake's 40 calls/s: throttling comes from the count, not the rate.
    scratch.write_config(
        &embedded_config(&server.url(), "max_retries = 8")
            .replace("rate_limit = 500", "rate_limit = 30"),
    );

    let first = scratch
        .run(&["sync", "acme-dt", "--json"], &[SECRET_ENV])
        .await;

    assert_eq!(first.code, 0, "{}", first.all());
    let report = first.json();
    assert_eq!(report["status"], "succeeded", "{report}");
    assert_eq!(report["counts"]["created"], 500, "{report}");
    let stats = server.stats();
    assert!(
        stats.throttled >= 2 && stats.busy >= 3 && stats.http_5xx >= 3 && stats.expired_token > 0,
        "every fault happened, throttling included: {}",
        summary(&stats)
    );
    let stored: HashMap<String, Value> = scratch
        .stored_users("acme")
        .into_iter()
        .map(|user| (user["id"].as_str().expect("id").to_owned(), user))
        .collect();
    assert_eq!(stored.len(), org.users.len());
    for user in &org.users {
        let got = &stored[&user.userid];
        assert_eq!(got["name"], common::iam_name(user), "{got}");
        assert_eq!(got["displayName"], user.name.as_str(), "{got}");
        assert_eq!(got["isForbidden"], !user.active, "{got}");
        let groups: BTreeSet<String> = got["groups"]
            .as_array()
            .expect("groups")
            .iter()
            .map(|g| g.as_str().expect("group").to_owned())
            .collect();
        let depts: BTreeSet<String> = user.dept_ids.iter().map(|d| format!("acme/{d}")).collect();
        assert_eq!(groups, depts, "{got}");
    }

    let again = scratch
        .run(&["sync", "acme-dt", "--json"], &[SECRET_ENV])
        .await;
    assert_eq!(again.code, 0, "{}", again.all());
    assert_eq!(again.json()["target_writes"], 0, "{}", again.all());
}
