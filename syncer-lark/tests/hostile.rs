//! The Lark backend against hostile answers of the simulated Lark, over real HTTP: a people
//! listing that is `null`, people without `status`, `has_more` without end and an answer too
//! large to read. Each leaves the department honestly incomplete (or the person's flags
//! unknown), never a department that looks emptier than it is.

use std::collections::BTreeMap;
use std::time::Duration;

use syncer_core::{NoProgress, Secret, Snapshot, Syncer};
use syncer_lark::event_settings::EventSettings;
use syncer_lark::{LarkSettings, LarkSyncer};
use syncer_lark_sim::{paths, Credentials, DeptFault, FakeLark, Faults, LarkOrg, OrgSpec};
use syncer_remote::{AppCredentials, RemoteSettings};

fn org() -> LarkOrg {
    LarkOrg::generate(&OrgSpec {
        users: 70,
        departments: 6,
        ..OrgSpec::default()
    })
}

/// The department with the most people.
fn biggest(org: &LarkOrg) -> String {
    org.departments
        .iter()
        .map(|d| d.open_department_id.clone())
        .max_by_key(|id| org.members_of(id).len())
        .expect("a department")
}

async fn fetch_with(org: LarkOrg, faults: Faults) -> (Snapshot, FakeLark) {
    let server = FakeLark::start(org, Credentials::demo(), faults)
        .await
        .expect("start the fake Lark");
    let credentials = Credentials::demo();
    let lark = LarkSyncer::new(LarkSettings {
        app: AppCredentials::new(credentials.app_id, Secret::new(credentials.app_secret)),
        remote: RemoteSettings {
            endpoint: server.url(),
            rate_limit: 5_000.0,
            max_in_flight: 8,
            max_retries: 2,
            timeout: Duration::from_secs(10),
        },
        events: EventSettings::default(),
    });
    let snapshot = lark.fetch(&NoProgress).await.expect("fetch");
    (snapshot, server)
}

fn failing(department: &str, fault: DeptFault) -> Faults {
    Faults {
        failing_departments: BTreeMap::from([(department.to_owned(), fault)]),
        ..Faults::default()
    }
}

#[tokio::test]
async fn a_null_people_listing_is_an_incomplete_department_not_an_empty_one() {
    let org = org();
    let dept = biggest(&org);
    let (snapshot, _server) = fetch_with(org, failing(&dept, DeptFault::NullItems)).await;
    let [failure] = &snapshot.failures[..] else {
        panic!("one failure: {:?}", snapshot.failures);
    };
    assert_eq!(failure.api, paths::USERS_BY_DEPARTMENT, "{failure:?}");
    assert!(failure.scope.contains(&dept), "{failure:?}");
}

#[tokio::test]
async fn people_without_status_are_read_with_their_flags_unknown() {
    let org = org();
    let dept = biggest(&org);
    let only_there: Vec<String> = org
        .members_of(&dept)
        .iter()
        .filter(|user| user.departments == [dept.clone()])
        .map(|user| user.user_id.clone())
        .collect();
    assert!(!only_there.is_empty());
    let (snapshot, _server) = fetch_with(org, failing(&dept, DeptFault::MissingStatus)).await;
    assert!(snapshot.is_complete(), "{:?}", snapshot.failures);
    for user_id in &only_there {
        let record = snapshot
            .users
            .iter()
            .find(|record| &record.id == user_id)
            .expect("the person is read");
        assert!(record.field("forbidden").is_none(), "{record:?}");
    }
}

#[tokio::test]
async fn has_more_without_end_stops_at_the_page_cap_and_the_department_is_incomplete() {
    let org = org();
    let dept = biggest(&org);
    let (snapshot, server) = fetch_with(org, failing(&dept, DeptFault::EndlessPages)).await;
    let [failure] = &snapshot.failures[..] else {
        panic!("one failure: {:?}", snapshot.failures);
    };
    assert!(failure.scope.contains(&dept), "{failure:?}");
    assert!(
        failure.message.contains("more than 2000 pages"),
        "{failure:?}"
    );
    let calls = server.stats().calls(paths::USERS_BY_DEPARTMENT);
    assert!(calls <= 2_000 + 20, "{calls} people pages");
}

#[tokio::test]
async fn an_endpoints_userinfo_never_appears_in_test_connection() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port();
    let credentials = Credentials::demo();
    let lark = LarkSyncer::new(LarkSettings {
        app: AppCredentials::new(credentials.app_id, Secret::new(credentials.app_secret)),
        remote: RemoteSettings {
            endpoint: format!("http://proxyuser:PROXY-PASS-77q@127.0.0.1:{port}"),
            rate_limit: 50.0,
            max_in_flight: 2,
            max_retries: 0,
            timeout: Duration::from_secs(5),
        },
        events: EventSettings::default(),
    });
    let report = lark.test_connection().await;
    assert!(!report.ok());
    let said: Vec<&str> = report.checks.iter().map(|c| c.message.as_str()).collect();
    assert!(said.iter().any(|m| m.contains("127.0.0.1")), "{said:?}");
    for message in &said {
        assert!(!message.contains("PROXY-PASS-77q"), "{message}");
    }
}

#[tokio::test]
async fn a_sub_department_without_an_id_makes_its_parent_incomplete() {
    let org = org();
    let root = syncer_lark_sim::ROOT_DEPARTMENT;
    assert!(
        org.departments
            .iter()
            .any(|d| d.parent.as_deref() == Some(root)),
        "the root has sub-departments"
    );
    let (snapshot, _server) = fetch_with(org, failing(root, DeptFault::UnnamedChild)).await;
    let [failure] = &snapshot.failures[..] else {
        panic!("one failure: {:?}", snapshot.failures);
    };
    assert_eq!(failure.api, paths::DEPARTMENT_CHILDREN, "{failure:?}");
    assert!(
        failure
            .message
            .contains("1 sub-department(s) without open_department_id"),
        "{failure:?}"
    );
}
