//! The DingTalk backend as the registry builds it, against the simulated DingTalk over real HTTP:
//! the exact minimum number of calls, every person once with all their departments, a complete
//! snapshot under throttling, busy answers, 5xx and token expiry at once, one token refresh per
//! expiry, the client-side rate limit and in-flight bound, bounded retries, and honest failures
//! (an incomplete snapshot naming the department, or an error naming the API, the errcode and
//! the console fix, never the secret). What a whole sync makes of it (the real `syncer-host`
//! program) is tested in the workspace's `tests/`.
//!
//! The client's rate limiter is shared per (endpoint, app key, rate, in-flight bound) within a
//! process; every test starts its own fake server on its own port, so every test has its own.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use syncer_core::{
    ConfigValue, FetchError, FieldValue, NoProgress, Snapshot, SourceRecord, Syncer,
};
use syncer_dingtalk_sim::{
    paths, Credentials, DeptFault, FakeDingTalk, Faults, Org, OrgSpec, Permission, SimUser, Stats,
    ROOT_DEPT_ID,
};

/// The simulated app's App Secret.
mod common;

use common::dingtalk_syncer;

const APP_SECRET: &str = "sim-secret-Zq8vX2";
/// The simulated app's App Key.
const APP_KEY: &str = "dingsimkey0001";

/// A fake DingTalk serving `org` to the app of [`APP_KEY`], with `faults`.
async fn fake_dingtalk(org: Org, faults: Faults) -> FakeDingTalk {
    FakeDingTalk::start(org, Credentials::new(APP_KEY, APP_SECRET), faults)
        .await
        .expect("start fake DingTalk")
}

/// Members per `user/list` page.
const PAGE_SIZE: usize = 100;

/// The client settings a test chooses (the rest are the plugin's defaults).
#[derive(Clone, Copy)]
struct Tuning {
    rate_limit: f64,
    max_in_flight: i64,
    max_retries: i64,
}

impl Tuning {
    /// Fast enough that a test is never slowed down by the limiter.
    fn fast() -> Self {
        Self {
            rate_limit: 2_000.0,
            max_in_flight: 8,
            max_retries: 5,
        }
    }

    /// [`Tuning::fast`] with `max_retries` retries.
    fn retrying(max_retries: i64) -> Self {
        Self {
            max_retries,
            ..Self::fast()
        }
    }
}

/// The DingTalk syncer, built the way the host builds it: through the plugin registry.
fn dingtalk(server: &FakeDingTalk, app_secret: &str, tuning: Tuning) -> Box<dyn Syncer> {
    dingtalk_syncer(
        server.url(),
        APP_KEY,
        app_secret,
        [
            ("rate_limit", ConfigValue::Number(tuning.rate_limit)),
            ("max_in_flight", ConfigValue::Integer(tuning.max_in_flight)),
            ("max_retries", ConfigValue::Integer(tuning.max_retries)),
        ],
    )
}

async fn fetch(server: &FakeDingTalk, tuning: Tuning) -> Result<Snapshot, FetchError> {
    dingtalk(server, APP_SECRET, tuning)
        .fetch(&NoProgress)
        .await
}

fn generated(users: usize, departments: usize) -> Org {
    Org::generate(&OrgSpec::sized(users, departments))
}

/// A fake DingTalk serving a copy of `org` with `faults`, fetched with `tuning`: the snapshot,
/// what the fake counted, and the fake.
async fn fetch_from(org: &Org, faults: Faults, tuning: Tuning) -> (Snapshot, Stats, FakeDingTalk) {
    let server = fake_dingtalk(org.clone(), faults).await;
    let snapshot = fetch(&server, tuning).await.expect("fetch");
    (snapshot, server.stats(), server)
}

/// The error of a fetch of a small organization from a fake DingTalk with `faults`, which must
/// fail (`why` says why).
async fn fetch_error(faults: Faults, why: &str) -> FetchError {
    let server = fake_dingtalk(generated(20, 5), faults).await;
    fetch(&server, Tuning::fast()).await.expect_err(why)
}

/// [`fetch_from`] of a fetch that must be complete (checked, naming the fake's figures): the
/// snapshot and what the fake counted.
async fn complete_fetch(org: &Org, faults: Faults, tuning: Tuning) -> (Snapshot, Stats) {
    let (snapshot, stats, _) = fetch_from(org, faults, tuning).await;
    let figures = stats.summary();
    assert!(snapshot.is_complete(), "{:?}\n{figures}", snapshot.failures);
    (snapshot, stats)
}

/// Faults that make every call about `dept` fail as `fault` says.
fn failing(dept: i64, fault: DeptFault) -> Faults {
    Faults {
        failing_departments: BTreeMap::from([(dept, fault)]),
        ..Faults::default()
    }
}

/// `user/list` pages a department of `members` people costs: at least one, 100 per page.
fn pages_of(members: usize) -> u64 {
    members.div_ceil(PAGE_SIZE).max(1) as u64
}

/// The fewest calls a full read of `org` can make, per API.
struct MinimumCalls {
    listsub: u64,
    user_list: u64,
}

impl MinimumCalls {
    fn of(org: &Org) -> Self {
        Self {
            listsub: org.departments.len() as u64,
            user_list: org
                .departments
                .iter()
                .map(|dept| pages_of(org.members_of(dept.dept_id).len()))
                .sum(),
        }
    }

    /// One token, one `user/count` (the page bound), one `department/get` (the root's name),
    /// the listings and the pages.
    fn total(&self) -> u64 {
        1 + 1 + 1 + self.listsub + self.user_list
    }
}

/// Successful (distinct) pages of `path` the fake served.
fn served_pages(stats: &Stats, path: &str) -> u64 {
    stats
        .page_fetches
        .keys()
        .filter(|key| key.path == path)
        .count() as u64
}

fn userids(snapshot: &Snapshot) -> BTreeSet<&str> {
    snapshot.users.iter().map(|user| user.id.as_str()).collect()
}

fn all_userids(org: &Org) -> BTreeSet<&str> {
    org.users.iter().map(|user| user.userid.as_str()).collect()
}

/// A department without sub-departments that is the only department of some of its members
/// (so losing it loses people), other than the root.
fn leaf_with_sole_members(org: &Org) -> i64 {
    org.departments
        .iter()
        .map(|dept| dept.dept_id)
        .filter(|&id| id != ROOT_DEPT_ID && org.children_of(id).is_empty())
        .find(|&id| {
            org.members_of(id)
                .iter()
                .filter(|user| user.dept_ids == [id])
                .count()
                >= 2
        })
        .expect("the generated org has a leaf department with members of their own")
}

/// People who can still be read when `dept` cannot: everyone with another department.
fn userids_outside(org: &Org, dept: i64) -> BTreeSet<&str> {
    org.users_outside(dept)
        .into_iter()
        .map(|user| user.userid.as_str())
        .collect()
}

fn text<'a>(record: &'a SourceRecord, field: &str) -> &'a str {
    match record.field(field) {
        Some(FieldValue::Text(value)) => value,
        Some(FieldValue::Flag(flag)) => panic!("{field} of {} is a flag: {flag}", record.id),
        None => "",
    }
}

#[tokio::test]
async fn fetch_makes_exactly_the_minimum_calls_and_never_fetches_a_page_twice() {
    let mut org = generated(1_234, 40);
    org.add_department(ROOT_DEPT_ID, "新成立的空部门")
        .expect("the root exists");
    let sizes: Vec<usize> = org
        .departments
        .iter()
        .map(|dept| org.members_of(dept.dept_id).len())
        .collect();
    assert!(
        sizes.iter().any(|&n| n > PAGE_SIZE),
        "a department of several pages: {sizes:?}"
    );
    assert!(sizes.contains(&0), "an empty department: {sizes:?}");
    let minimum = MinimumCalls::of(&org);

    let (snapshot, stats) = complete_fetch(&org, Faults::default(), Tuning::fast()).await;

    let figures = stats.summary();
    assert_eq!(stats.calls(paths::GETTOKEN), 1, "{figures}");
    assert_eq!(stats.calls(paths::DEPARTMENT_GET), 1, "{figures}");
    assert_eq!(
        stats.calls(paths::DEPARTMENT_LISTSUB),
        minimum.listsub,
        "{figures}"
    );
    assert_eq!(
        stats.calls(paths::USER_LIST),
        minimum.user_list,
        "{figures}"
    );
    assert_eq!(stats.total_calls, minimum.total(), "{figures}");
    assert_eq!(stats.duplicate_user_list_pages(), 0);
    assert_eq!(stats.duplicate_pages(), 0);
    assert_eq!(stats.calls(paths::USER_GET), 0, "no call per person");
    assert_eq!(stats.calls(paths::USER_LISTSIMPLE), 0, "no id-only listing");
    assert_eq!(
        snapshot.total_api_calls(),
        minimum.total(),
        "the snapshot reports the calls it made: {:?}",
        snapshot.api_calls
    );
}

#[tokio::test]
async fn every_person_is_fetched_once_with_all_their_departments_and_mapped_fields() {
    let org = generated(800, 60);
    assert!(
        org.users.iter().any(|user| user.dept_ids.len() > 2),
        "people in three departments"
    );
    assert!(org.users.iter().any(|user| user.unionid.is_empty()));
    assert!(org.users.iter().any(|user| !user.active));
    let (snapshot, _) = complete_fetch(&org, Faults::default(), Tuning::fast()).await;

    assert_eq!(snapshot.users.len(), org.users.len(), "each person once");
    assert_eq!(userids(&snapshot), all_userids(&org));
    let people: HashMap<&str, &SimUser> = org
        .users
        .iter()
        .map(|user| (user.userid.as_str(), user))
        .collect();
    for record in &snapshot.users {
        let person = people[record.id.as_str()];
        let mut departments = record.departments.clone();
        departments.sort();
        let mut expected: Vec<String> = person.dept_ids.iter().map(i64::to_string).collect();
        expected.sort();
        assert_eq!(departments, expected, "departments of {}", record.id);
        for (field, value) in [
            ("userid", &person.userid),
            ("unionid", &person.unionid),
            ("name", &person.name),
            ("email", &person.email),
            ("mobile", &person.mobile),
            ("avatar", &person.avatar),
            ("title", &person.title),
        ] {
            assert_eq!(text(record, field), value, "{field} of {}", record.id);
        }
        assert_eq!(
            record.field("active"),
            Some(&FieldValue::Flag(person.active)),
            "active of {}",
            record.id
        );
    }

    let departments: BTreeMap<&str, (&str, Option<&str>)> = snapshot
        .departments
        .iter()
        .map(|d| (d.id.as_str(), (d.name.as_str(), d.parent_id.as_deref())))
        .collect();
    assert_eq!(departments.len(), snapshot.departments.len(), "each once");
    assert_eq!(departments.len(), org.departments.len());
    for dept in &org.departments {
        let id = dept.dept_id.to_string();
        let parent = dept.parent_id.map(|parent| parent.to_string());
        assert_eq!(
            departments.get(id.as_str()),
            Some(&(dept.name.as_str(), parent.as_deref())),
            "department {id}"
        );
    }
    assert_eq!(departments["1"], (org.name.as_str(), None), "the root");
}

#[tokio::test]
async fn fetch_is_complete_under_throttling_busy_5xx_and_token_expiry_at_once() {
    let org = generated(600, 30);
    let faults = Faults {
        qps_limit: Some(15),
        throttle_rate: 0.05,
        busy_rate: 0.1,
        http_5xx_rate: 0.1,
        token_expires_after_calls: Some(20),
        seed: 7,
        ..Faults::default()
    };
    // Above the fake's 15 calls/s: the limiter must slow down when throttled.
    let tuning = Tuning {
        rate_limit: 30.0,
        ..Tuning::retrying(8)
    };

    let (snapshot, stats) = complete_fetch(&org, faults, tuning).await;

    let figures = stats.summary();
    assert_eq!(snapshot.users.len(), org.users.len(), "{figures}");
    assert_eq!(userids(&snapshot), all_userids(&org));
    assert_eq!(snapshot.departments.len(), org.departments.len());
    assert!(stats.throttled > 0, "throttled: {figures}");
    assert!(stats.busy > 0, "busy: {figures}");
    assert!(stats.http_5xx > 0, "5xx: {figures}");
    assert!(stats.expired_token > 0, "token expiry: {figures}");
    assert_eq!(stats.duplicate_user_list_pages(), 0, "{figures}");
}

/// Fetches `org` with a token that expires every `expires_after` calls and checks that every
/// token was needed: each serves exactly `expires_after` calls, so the calls made with a valid
/// token tell how many there must be, and every `/gettoken` call issued one of them.
async fn fetch_with_expiring_tokens(org: Org, expires_after: u64, tuning: Tuning) -> Stats {
    let faults = Faults {
        token_expires_after_calls: Some(expires_after),
        latency: std::time::Duration::from_millis(5),
        ..Faults::default()
    };

    let (snapshot, stats) = complete_fetch(&org, faults, tuning).await;

    let figures = stats.summary();
    assert_eq!(snapshot.users.len(), org.users.len());
    assert!(stats.expired_token > 0, "the token expired: {figures}");
    assert_eq!(stats.invalid_token, 0, "{figures}");
    let valid_calls = stats.total_calls - stats.gettoken_calls - stats.expired_token;
    assert_eq!(
        stats.tokens_issued,
        valid_calls.div_ceil(expires_after),
        "one token per {expires_after} calls: {figures}"
    );
    assert_eq!(
        stats.gettoken_calls, stats.tokens_issued,
        "every /gettoken call was a needed refresh (no refresh storm): {figures}"
    );
    stats
}

#[tokio::test]
async fn an_expired_token_is_refreshed_once_per_expiry_not_once_per_call_in_flight() {
    let stats = fetch_with_expiring_tokens(generated(3_000, 60), 50, Tuning::fast()).await;

    let expiries = stats.tokens_issued - 1;
    assert!(
        stats.expired_token > expiries,
        "several calls in flight saw each expiry, yet one refresh served them: {}",
        stats.summary()
    );
}

#[tokio::test]
async fn calls_queued_behind_the_rate_limit_take_the_token_when_they_go() {
    // A rate that binds, so calls queue in the limiter while tokens expire.
    let tuning = Tuning {
        rate_limit: 100.0,
        ..Tuning::fast()
    };
    let stats = fetch_with_expiring_tokens(generated(3_000, 60), 40, tuning).await;

    // Only calls already in flight when a token expires may be refused with it; a call that
    // took its token before queueing would send it long after the refresh.
    let expiries = stats.tokens_issued - 1;
    assert!(
        stats.expired_token <= expiries * tuning.max_in_flight as u64,
        "calls sent with a token that expired while they queued: {}",
        stats.summary()
    );
}

#[tokio::test]
async fn a_throttled_api_slows_down_once_per_pause_not_once_per_queued_call() {
    let org = generated(1_500, 40);
    let faults = Faults {
        qps_limit: Some(15),
        ..Faults::default()
    };
    let tuning = Tuning {
        rate_limit: 30.0,
        ..Tuning::retrying(8)
    };

    let (_, stats) = complete_fetch(&org, faults, tuning).await;

    let figures = stats.summary();
    assert!(
        stats.throttled > 0,
        "30/s exceeds DingTalk's 15/s: {figures}"
    );
    // 30/s → 21/s → 14.7/s: two slowdowns for each of the two busy APIs, each answered to
    // the calls in flight at that moment. Calls queued at the old rate must wait for the
    // pause and the new rate, or each of them is throttled in turn and slows the API again.
    assert!(
        stats.throttled <= 8,
        "throttled again and again instead of slowing down: {figures}"
    );
    assert_eq!(stats.duplicate_user_list_pages(), 0, "{figures}");
}

#[tokio::test]
async fn calls_stay_within_dingtalks_per_api_rate_limit() {
    let org = generated(1_500, 40);
    let faults = Faults {
        qps_limit: Some(20),
        latency: std::time::Duration::from_millis(10),
        ..Faults::default()
    };
    let tuning = Tuning {
        rate_limit: 20.0,
        max_in_flight: 16,
        max_retries: 5,
    };

    let (_, stats) = complete_fetch(&org, faults, tuning).await;

    let figures = stats.summary();
    assert!(
        stats.calls(paths::USER_LIST) > 40,
        "enough calls of one API to exceed 20/s if unlimited: {figures}"
    );
    assert_eq!(stats.throttled, 0, "DingTalk throttled the app: {figures}");
    assert_eq!(
        stats.total_calls,
        MinimumCalls::of(&org).total(),
        "{figures}"
    );
}

#[tokio::test]
async fn calls_in_flight_never_exceed_max_in_flight() {
    let faults = Faults {
        latency: std::time::Duration::from_millis(30),
        ..Faults::default()
    };
    let tuning = Tuning {
        max_in_flight: 3,
        ..Tuning::fast()
    };

    let (_, stats) = complete_fetch(&generated(600, 30), faults, tuning).await;

    assert_eq!(
        stats.max_in_flight,
        3,
        "up to, and never beyond, 3 calls at once: {}",
        stats.summary()
    );
}

/// Fetches with `fault` on a leaf department and checks the snapshot says so honestly: the
/// department, the API and the errcode named in each failure, everyone else still there.
async fn a_failing_department_is_reported(fault: DeptFault, errcode: &str, advice: &str) {
    let org = generated(400, 25);
    let dept = leaf_with_sole_members(&org);

    let (snapshot, ..) = fetch_from(&org, failing(dept, fault), Tuning::retrying(2)).await;

    assert!(!snapshot.is_complete(), "department {dept} failed");
    let apis: BTreeSet<&str> = snapshot
        .failures
        .iter()
        .map(|failure| failure.api.as_str())
        .collect();
    assert_eq!(
        apis,
        BTreeSet::from([paths::DEPARTMENT_LISTSUB, paths::USER_LIST]),
        "{:?}",
        snapshot.failures
    );
    for failure in &snapshot.failures {
        assert!(
            failure.scope.contains(&dept.to_string()),
            "names the department: {failure:?}"
        );
        assert!(
            failure.message.contains(&format!("errcode {errcode}")),
            "names the errcode: {failure:?}"
        );
        assert!(failure.message.contains(advice), "says why: {failure:?}");
        assert!(!failure.message.contains(APP_SECRET));
    }
    assert_eq!(userids(&snapshot), userids_outside(&org, dept));
    assert!(
        snapshot
            .departments
            .iter()
            .any(|d| d.id == dept.to_string()),
        "the failing department is still known from its parent's listing"
    );
}

#[tokio::test]
async fn a_department_that_stays_busy_makes_the_snapshot_incomplete_and_names_it() {
    a_failing_department_is_reported(DeptFault::AlwaysBusy, "-1", "gave up after 3 attempts").await;
}

#[tokio::test]
async fn a_department_outside_the_contact_range_makes_the_snapshot_incomplete_and_names_it() {
    a_failing_department_is_reported(DeptFault::NoPermission, "88", "contact range").await;
}

#[tokio::test]
async fn a_department_removed_mid_sync_makes_the_snapshot_incomplete_and_names_it() {
    a_failing_department_is_reported(DeptFault::NotFound, "60003", "no longer exists").await;
}

/// The error of a fetch that cannot start, checked for the API, the errcode and the fix, and
/// for the secret being absent.
fn assert_names_the_fix(error: &FetchError, api: &str, needles: &[&str], secret: &str) {
    assert_eq!(error.api.as_deref(), Some(api), "{error}");
    for needle in needles {
        assert!(error.message.contains(needle), "lacks {needle:?}: {error}");
    }
    assert!(!error.message.contains(secret), "leaks the secret: {error}");
    assert!(!format!("{error:?}").contains(secret), "leaks the secret");
}

#[tokio::test]
async fn a_wrong_app_secret_fails_naming_gettoken_and_the_console_fix_without_the_secret() {
    let server = fake_dingtalk(generated(20, 5), Faults::default()).await;
    let wrong = "wrong-secret-9f8e7d6c";
    let syncer = dingtalk(&server, wrong, Tuning::fast());

    let error = syncer
        .fetch(&NoProgress)
        .await
        .expect_err("a wrong secret cannot fetch");

    assert_names_the_fix(
        &error,
        paths::GETTOKEN,
        &[
            "errcode 40089",
            "App Key",
            "App Secret",
            "developer console",
        ],
        wrong,
    );
    let report = syncer.test_connection().await;
    assert!(!report.ok(), "{report:?}");
    let summary = report.summary();
    assert!(summary.contains("40089"), "{summary}");
    assert!(summary.contains("developer console"), "{summary}");
    assert!(!format!("{report:?}").contains(wrong));
}

#[tokio::test]
async fn a_server_ip_off_the_whitelist_fails_naming_the_egress_ip_setting() {
    let faults = Faults {
        ip_whitelist_reject: true,
        ..Faults::default()
    };

    let error = fetch_error(faults, "a rejected IP cannot fetch").await;

    let needles = ["errcode 60020", "egress IP", "developer console"];
    assert_names_the_fix(&error, paths::GETTOKEN, &needles, APP_SECRET);
}

/// A fetch by an app without `permission` fails at `api`, naming the errcodes and the scope
/// to grant in the console's Permissions page.
async fn a_missing_permission_is_named(permission: Permission, api: &str, why: &str) {
    let faults = Faults {
        missing_permission: Some(permission),
        ..Faults::default()
    };

    let error = fetch_error(faults, why).await;

    let needles = ["errcode 88", "60011", permission.scope(), "Permissions"];
    assert_names_the_fix(&error, api, &needles, APP_SECRET);
}

#[tokio::test]
async fn a_missing_department_permission_fails_naming_the_scope_to_grant() {
    a_missing_permission_is_named(
        Permission::DepartmentRead,
        paths::DEPARTMENT_LISTSUB,
        "no department permission, no fetch",
    )
    .await;
}

#[tokio::test]
async fn a_root_outside_the_contact_range_fails_naming_the_contact_range() {
    let faults = failing(ROOT_DEPT_ID, DeptFault::NoPermission);

    let error = fetch_error(faults, "an unreadable root, no fetch").await;

    assert!(
        error.message.contains("root department"),
        "{}",
        error.message
    );
    let needles = ["errcode 88", "60011", "contact range"];
    assert_names_the_fix(&error, paths::DEPARTMENT_LISTSUB, &needles, APP_SECRET);
}

#[tokio::test]
async fn a_missing_member_permission_fails_naming_the_scope_to_grant() {
    a_missing_permission_is_named(
        Permission::MemberRead,
        paths::USER_LIST,
        "no member permission, nobody can be read",
    )
    .await;
}

#[tokio::test]
async fn a_token_call_that_stays_busy_is_given_up_after_max_retries_plus_one_attempts() {
    let faults = Faults {
        busy_rate: 1.0,
        ..Faults::default()
    };
    let server = fake_dingtalk(generated(20, 5), faults).await;

    let error = fetch(&server, Tuning::retrying(2))
        .await
        .expect_err("DingTalk never answers");

    let stats = server.stats();
    assert_eq!(stats.calls(paths::GETTOKEN), 3, "{}", stats.summary());
    assert_eq!(stats.total_calls, 3, "{}", stats.summary());
    assert!(error.message.contains("errcode -1"), "{error}");
}

#[tokio::test]
async fn a_department_call_that_stays_busy_is_given_up_after_max_retries_plus_one_attempts() {
    let org = generated(300, 20);
    let dept = leaf_with_sole_members(&org);
    let faults = failing(dept, DeptFault::AlwaysBusy);

    let (snapshot, stats, _) = fetch_from(&org, faults, Tuning::retrying(2)).await;

    assert!(!snapshot.is_complete());
    let figures = stats.summary();
    for path in [paths::DEPARTMENT_LISTSUB, paths::USER_LIST] {
        assert_eq!(
            stats.calls(path) - served_pages(&stats, path),
            3,
            "failed attempts of {path}: {figures}"
        );
    }
    assert_eq!(stats.busy, 6, "{figures}");
}

#[tokio::test]
async fn a_department_outside_the_authorized_range_errcode_50004_is_named_as_the_contact_range() {
    a_failing_department_is_reported(DeptFault::OutsideContactRange, "50004", "通讯录范围").await;
}

#[tokio::test]
async fn a_root_outside_the_authorized_range_fails_test_connection_naming_the_contact_range() {
    let faults = failing(ROOT_DEPT_ID, DeptFault::OutsideContactRange);
    let server = fake_dingtalk(generated(20, 5), faults).await;
    let syncer = dingtalk(&server, APP_SECRET, Tuning::fast());

    let error = syncer
        .fetch(&NoProgress)
        .await
        .expect_err("an unreadable root, no fetch");
    let needles = ["errcode 50004", "contact range", "developer console"];
    assert_names_the_fix(&error, paths::DEPARTMENT_LISTSUB, &needles, APP_SECRET);
    let report = syncer.test_connection().await;
    assert!(!report.ok(), "{report:?}");
    assert!(report.summary().contains("通讯录范围"), "{report:?}");
}

#[tokio::test]
async fn a_listing_that_says_has_more_without_a_cursor_is_an_incomplete_department() {
    // A department with more than one page, so members are missing when the listing stops.
    let org = generated(1_200, 4);
    let dept = org.fullest_department().expect("a department").dept_id;

    let (snapshot, stats, _) =
        fetch_from(&org, failing(dept, DeptFault::BrokenCursor), Tuning::fast()).await;

    assert!(
        !snapshot.is_complete(),
        "a cut-short listing is not complete"
    );
    let failure = &snapshot.failures[0];
    assert_eq!(failure.api, paths::USER_LIST, "{failure:?}");
    assert!(failure.scope.contains(&dept.to_string()), "{failure:?}");
    assert!(failure.message.contains("next_cursor"), "{failure:?}");
    assert_eq!(
        stats.calls_by_path[paths::USER_LIST],
        MinimumCalls::of(&org).user_list - pages_of(org.members_of(dept).len()) + 1,
        "one page of the broken department, then it stops (no loop)"
    );
}

#[tokio::test]
async fn departments_listed_twice_are_walked_once() {
    let org = generated(300, 20);
    let faults = Faults {
        duplicate_listings: true,
        ..Faults::default()
    };

    let (snapshot, stats) = complete_fetch(&org, faults, Tuning::fast()).await;

    assert_eq!(snapshot.departments.len(), org.departments.len());
    let minimum = MinimumCalls::of(&org);
    assert_eq!(
        stats.calls_by_path[paths::DEPARTMENT_LISTSUB],
        minimum.listsub
    );
    assert_eq!(stats.calls_by_path[paths::USER_LIST], minimum.user_list);
}

#[tokio::test]
async fn flood_control_answers_without_errcode_are_retried_not_taken_for_success() {
    let org = generated(300, 15);
    let faults = Faults {
        flood_control_rate: 0.2,
        seed: 11,
        ..Faults::default()
    };

    let (snapshot, stats) = complete_fetch(&org, faults, Tuning::retrying(8)).await;

    assert_eq!(userids(&snapshot), all_userids(&org));
    assert!(
        stats.answers_by_errcode.get(&1111).copied().unwrap_or(0) > 0,
        "flood control answered: {}",
        stats.summary()
    );
}

#[tokio::test]
async fn an_expired_token_is_renewed_even_with_no_retries_configured() {
    let org = generated(600, 20);
    let faults = Faults {
        // Short enough to expire several times in one fetch, long enough that one renewal
        // serves every call in flight.
        token_expires_after_calls: Some(25),
        ..Faults::default()
    };

    let (snapshot, stats) = complete_fetch(&org, faults, Tuning::retrying(0)).await;

    assert!(stats.expired_token > 0, "{}", stats.summary());
    assert_eq!(userids(&snapshot), all_userids(&org));
}

#[tokio::test]
async fn a_short_lived_token_is_replaced_before_it_expires() {
    // Tokens live 1 s (DingTalk says so in `expires_in`); at 20 calls/s the fetch outlives
    // several of them.
    let faults = Faults {
        token_ttl: std::time::Duration::from_secs(1),
        ..Faults::default()
    };
    let tuning = Tuning {
        rate_limit: 20.0,
        ..Tuning::fast()
    };

    let (_, stats) = complete_fetch(&generated(2_000, 30), faults, tuning).await;

    assert!(stats.gettoken_calls > 1, "{}", stats.summary());
    assert_eq!(
        stats.expired_token,
        0,
        "refreshed before expiry: {}",
        stats.summary()
    );
}
