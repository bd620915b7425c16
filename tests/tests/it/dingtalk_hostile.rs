//! A whole sync (the real `syncer-host` program) against hostile DingTalk answers: members it
//! cannot identify, a `null` listing and endless pages leave the run `partial` with nobody
//! deprovisioned and the department named; a member without `active` keeps IAM's IsForbidden.
//! The backend's own reading of them is tested in `syncer-dingtalk/tests/hostile.rs`.

use std::collections::BTreeMap;

use crate::common::{self, embedded_dingtalk, forbidden_by_id, leaf_with_sole_members, APP_SECRET};
use serde_json::Value;
use syncer_dingtalk_sim::{paths, DeptFault, FakeDingTalk, Faults, Org};

/// A first complete sync of a 200-person org; then the fake misbehaves as `fault` says on a
/// leaf department. Returns the second run's report, IsForbidden before and after, the
/// department.
struct Resync {
    report: Value,
    output: String,
    code: i32,
    before: BTreeMap<String, bool>,
    after: BTreeMap<String, bool>,
    dept: i64,
    _server: FakeDingTalk,
}

async fn resync_with(fault: DeptFault, prepare: impl FnOnce(&mut Org, i64)) -> Resync {
    let mut org = common::org(200);
    let (dept, _) = leaf_with_sole_members(&org);
    prepare(&mut org, dept);
    let (server, scratch) = embedded_dingtalk(org, Faults::default(), "max_retries = 1").await;
    let first = scratch.sync_json().await;
    assert_eq!(first.code, 0, "{}", first.all());
    let before = forbidden_by_id(&scratch.stored_users("acme"));
    server.set_faults(Faults {
        failing_departments: BTreeMap::from([(dept, fault)]),
        ..Faults::default()
    });
    let second = scratch.sync_json().await;
    assert!(!second.all().contains(APP_SECRET));
    Resync {
        report: second.json(),
        output: second.all(),
        code: second.code,
        before,
        after: forbidden_by_id(&scratch.stored_users("acme")),
        dept,
        _server: server,
    }
}

fn assert_partial_and_nobody_deprovisioned(run: &Resync, words: &str) {
    let report = &run.report;
    assert_eq!(run.code, 1, "{}", run.output);
    assert_eq!(report["status"], "partial", "{report}");
    assert_eq!(report["counts"]["disabled"], 0, "{report}");
    assert_eq!(report["counts"]["deleted"], 0, "{report}");
    let incomplete = report["incomplete"].to_string();
    assert!(incomplete.contains(&run.dept.to_string()), "{incomplete}");
    assert!(incomplete.contains(words), "{incomplete}");
    assert_eq!(run.after, run.before, "nobody's IsForbidden changed");
}

#[tokio::test]
async fn members_without_a_userid_deprovision_nobody_and_name_the_department() {
    let run = resync_with(DeptFault::UnidentifiedMembers, |_, _| {}).await;
    assert_partial_and_nobody_deprovisioned(&run, "2 member(s) without a userid");
}

#[tokio::test]
async fn a_null_listing_deprovisions_nobody_and_names_the_department() {
    let run = resync_with(DeptFault::NullList, |_, _| {}).await;
    assert_partial_and_nobody_deprovisioned(&run, "list");
}

#[tokio::test]
async fn a_missing_active_neither_enables_nor_disables_and_says_so() {
    let mut inactive = String::new();
    let run = resync_with(DeptFault::MissingActive, |org, dept| {
        let (_, sole) = leaf_with_sole_members(org);
        inactive = sole[0].clone();
        org.user_mut(&inactive).expect("a member").active = false;
        assert!(org.members_of(dept).len() >= 2);
    })
    .await;
    assert_eq!(run.code, 0, "{}", run.output);
    assert_eq!(
        run.before.get(&inactive),
        Some(&true),
        "inactive is forbidden"
    );
    assert_eq!(run.after, run.before, "nobody enabled or disabled");
    let notices = run.report["notices"].to_string();
    assert!(notices.contains("IsForbidden"), "{notices}");
    assert!(notices.contains("left as it is in IAM"), "{notices}");
}

#[tokio::test]
async fn endless_pages_stop_at_the_organizations_count_and_deprovision_nobody() {
    let run = resync_with(DeptFault::EndlessPages, |_, _| {}).await;
    let org = run._server.org();
    let pages = |dept: i64| org.members_of(dept).len().div_ceil(100).max(1) as u64;
    let minimum: u64 = org.departments.iter().map(|d| pages(d.dept_id)).sum();
    // 200 members in all: 2 pages of 100 and the slack of 5, then the department is incomplete.
    let bound = org.users.len().div_ceil(100) as u64 + 5;
    assert_eq!(run.code, 1, "{}", run.output);
    assert_eq!(run.report["status"], "partial", "{}", run.report);
    assert_eq!(run.report["counts"]["disabled"], 0, "{}", run.report);
    assert_eq!(run.report["counts"]["deleted"], 0, "{}", run.report);
    let incomplete = run.report["incomplete"].to_string();
    for words in [
        run.dept.to_string(),
        format!("more than {bound} pages"),
        "200 members".to_owned(),
    ] {
        assert!(incomplete.contains(&words), "{words}: {incomplete}");
    }
    // The made-up members of the endless pages are people read (and created); everyone who
    // was there before keeps their IsForbidden.
    for (id, forbidden) in &run.before {
        assert_eq!(run.after.get(id), Some(forbidden), "{id}");
    }
    let stats = run._server.stats();
    assert_eq!(
        stats.calls_by_path[paths::USER_COUNT],
        2,
        "one per full sync"
    );
    assert_eq!(
        stats.calls_by_path[paths::USER_LIST],
        2 * minimum - pages(run.dept) + bound,
        "the first sync's pages, then the second's with {bound} of the endless department"
    );
}
