//! The DingTalk backend against hostile answers of the simulated DingTalk, over real HTTP: a
//! member it cannot identify, a listing that is `null`, a member without `active`, `has_more`
//! without end, a tree without end and an answer too large to read. Each leaves the snapshot
//! honestly incomplete (or the fetch failed) with a sentence naming what and why, never a
//! department that looks emptier than it is.

use std::collections::BTreeMap;

use syncer_core::{ConfigValue, FetchError, NoProgress, Snapshot};
use syncer_dingtalk_sim::{paths, Credentials, DeptFault, FakeDingTalk, Faults, Org, OrgSpec};

mod common;

use common::dingtalk_syncer;

const APP_SECRET: &str = "sim-secret-Hs7uQ1";
const APP_KEY: &str = "dinghostile0001";

fn org() -> Org {
    Org::generate(&OrgSpec {
        users: 300,
        departments: 12,
        ..OrgSpec::default()
    })
}

/// The department with the most members (at least two, for the faults that need two).
fn biggest(org: &Org) -> i64 {
    let dept = org.fullest_department().expect("a department").dept_id;
    assert!(org.members_of(dept).len() >= 2);
    dept
}

async fn fetch_with(org: Org, faults: Faults) -> (Result<Snapshot, FetchError>, FakeDingTalk) {
    let server = FakeDingTalk::start(org, Credentials::new(APP_KEY, APP_SECRET), faults)
        .await
        .expect("start fake DingTalk");
    let syncer = dingtalk_syncer(
        server.url(),
        APP_KEY,
        APP_SECRET,
        [
            ("rate_limit", ConfigValue::Number(5_000.0)),
            ("max_in_flight", ConfigValue::Integer(8)),
            ("max_retries", ConfigValue::Integer(2)),
        ],
    );
    (syncer.fetch(&NoProgress).await, server)
}

fn failing(dept: i64, fault: DeptFault) -> Faults {
    Faults {
        failing_departments: BTreeMap::from([(dept, fault)]),
        ..Faults::default()
    }
}

#[tokio::test]
async fn members_without_a_userid_make_their_department_incomplete_naming_how_many() {
    let org = org();
    let dept = biggest(&org);
    let (fetched, _server) = fetch_with(org, failing(dept, DeptFault::UnidentifiedMembers)).await;
    let snapshot = fetched.expect("fetch");

    assert!(
        !snapshot.is_complete(),
        "unidentified members are not a complete read"
    );
    let [failure] = &snapshot.failures[..] else {
        panic!("one failure: {:?}", snapshot.failures);
    };
    assert_eq!(failure.api, paths::USER_LIST);
    assert!(failure.scope.contains(&dept.to_string()), "{failure:?}");
    assert!(
        failure.message.contains("2 member(s) without a userid"),
        "{failure:?}"
    );
}

#[tokio::test]
async fn a_null_listing_is_an_incomplete_department_not_an_empty_one() {
    let org = org();
    let dept = biggest(&org);
    let (fetched, _server) = fetch_with(org, failing(dept, DeptFault::NullList)).await;
    let snapshot = fetched.expect("fetch");

    let [failure] = &snapshot.failures[..] else {
        panic!("one failure: {:?}", snapshot.failures);
    };
    assert_eq!(failure.api, paths::USER_LIST);
    assert!(failure.scope.contains(&dept.to_string()), "{failure:?}");
    assert!(failure.message.contains("list"), "{failure:?}");
}

#[tokio::test]
async fn a_member_without_active_is_read_with_active_unknown() {
    let org = org();
    let dept = biggest(&org);
    let only_there: Vec<String> = org
        .members_of(dept)
        .iter()
        .filter(|user| user.dept_ids == [dept])
        .map(|user| user.userid.clone())
        .collect();
    assert!(!only_there.is_empty(), "a member only in {dept}");
    let (fetched, _server) = fetch_with(org, failing(dept, DeptFault::MissingActive)).await;
    let snapshot = fetched.expect("fetch");

    assert!(snapshot.is_complete(), "{:?}", snapshot.failures);
    for userid in &only_there {
        let record = snapshot
            .users
            .iter()
            .find(|record| &record.id == userid)
            .expect("the member is read");
        assert!(record.field("active").is_none(), "{record:?}");
    }
    let elsewhere = snapshot
        .users
        .iter()
        .find(|record| !record.departments.contains(&dept.to_string()))
        .expect("a member elsewhere");
    assert!(elsewhere.field("active").is_some(), "{elsewhere:?}");
}

/// `user/list` calls a well-behaved read of `org` makes, leaving out department `but`.
fn pages_elsewhere(org: &Org, but: i64) -> u64 {
    org.departments
        .iter()
        .filter(|dept| dept.dept_id != but)
        .map(|dept| org.members_of(dept.dept_id).len().div_ceil(100).max(1) as u64)
        .sum()
}

#[tokio::test]
async fn has_more_without_end_stops_at_the_organizations_count_in_pages() {
    let org = org();
    let dept = biggest(&org);
    let elsewhere = pages_elsewhere(&org, dept);
    let (fetched, server) = fetch_with(org, failing(dept, DeptFault::EndlessPages)).await;
    let snapshot = fetched.expect("fetch");

    let [failure] = &snapshot.failures[..] else {
        panic!("one failure: {:?}", snapshot.failures);
    };
    assert!(failure.scope.contains(&dept.to_string()), "{failure:?}");
    // 300 members in all: 3 pages of 100, plus the slack of 5 for people who join meanwhile.
    let bound = 3 + syncer_remote::PAGE_SLACK as u64;
    for words in [
        format!("more than {bound} pages"),
        "300 members".to_owned(),
        "1000 pages".to_owned(),
    ] {
        assert!(failure.message.contains(&words), "{words}: {failure:?}");
    }
    let stats = server.stats();
    assert_eq!(stats.calls_by_path[paths::USER_COUNT], 1);
    assert_eq!(
        stats.calls_by_path[paths::USER_LIST],
        elsewhere + bound,
        "the endless department stops after {bound} pages"
    );
    assert!(snapshot.notices.is_empty(), "{:?}", snapshot.notices);
}

#[tokio::test]
async fn without_the_organizations_count_the_absolute_cap_holds_and_a_notice_says_so() {
    let org = org();
    let dept = biggest(&org);
    let elsewhere = pages_elsewhere(&org, dept);
    let faults = Faults {
        busy_user_count: true,
        ..failing(dept, DeptFault::EndlessPages)
    };
    let (fetched, server) = fetch_with(org, faults).await;
    let snapshot = fetched.expect("a count that cannot be read fails nothing by itself");

    let [failure] = &snapshot.failures[..] else {
        panic!("one failure: {:?}", snapshot.failures);
    };
    assert!(failure.scope.contains(&dept.to_string()), "{failure:?}");
    assert!(
        failure.message.contains("more than 1000 pages"),
        "{failure:?}"
    );
    let stats = server.stats();
    assert_eq!(stats.calls_by_path[paths::USER_LIST], elsewhere + 1_000);
    assert_eq!(
        stats.calls_by_path[paths::USER_COUNT],
        3,
        "tried max_retries + 1 times"
    );
    let [notice] = &snapshot.notices[..] else {
        panic!("one notice: {:?}", snapshot.notices);
    };
    assert!(notice.contains(paths::USER_COUNT), "{notice}");
    assert!(notice.contains("1000 pages"), "{notice}");
}

#[tokio::test]
async fn a_tree_without_end_fails_the_fetch_naming_the_depth_limit() {
    let faults = Faults {
        endless_sub_departments: true,
        ..Faults::default()
    };
    let (fetched, _server) = fetch_with(org(), faults).await;
    let error = fetched.expect_err("an endless tree is not a snapshot");
    assert!(error.message.contains("more than 100 levels"), "{error}");
    assert!(error.message.contains("nobody is deprovisioned"), "{error}");
}

#[tokio::test]
async fn an_answer_larger_than_the_cap_is_a_failed_call_naming_api_and_cap() {
    let faults = Faults {
        answer_padding: 9 * 1024 * 1024,
        ..Faults::default()
    };
    let mut small = org();
    small.users.truncate(5);
    let (fetched, _server) = fetch_with(small, faults).await;
    let failures = match fetched {
        Ok(snapshot) => snapshot.failures,
        Err(error) => panic!("the departments fail, the fetch goes on: {error}"),
    };
    assert!(!failures.is_empty());
    for failure in &failures {
        assert_eq!(failure.api, paths::USER_LIST, "{failure:?}");
        assert!(failure.message.contains("larger than 8 MiB"), "{failure:?}");
    }
}

#[tokio::test]
async fn an_endpoints_userinfo_never_appears_in_test_connection_or_fetch_errors() {
    // A port nobody listens on: the calls fail, and the messages name the endpoint.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port();
    let endpoint = format!("http://proxyuser:PROXY-PASS-91x@127.0.0.1:{port}");
    let syncer = dingtalk_syncer(
        endpoint,
        APP_KEY,
        APP_SECRET,
        [("max_retries", ConfigValue::Integer(0))],
    );

    let report = syncer.test_connection().await;
    assert!(!report.ok());
    let said: Vec<&str> = report.checks.iter().map(|c| c.message.as_str()).collect();
    assert!(
        said.iter().any(|message| message.contains("127.0.0.1")),
        "the endpoint is named: {said:?}"
    );
    for message in &said {
        assert!(!message.contains("PROXY-PASS-91x"), "{message}");
    }
    let error = syncer
        .fetch(&NoProgress)
        .await
        .expect_err("nothing to fetch from");
    assert!(!error.to_string().contains("PROXY-PASS-91x"), "{error}");
}
