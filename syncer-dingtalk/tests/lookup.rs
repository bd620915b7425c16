//! One person and one department read alone (what an event costs), against the simulated
//! DingTalk over real HTTP: a member is the very record the full fetch gives, at one `user/get`
//! each; a userid DingTalk does not know (errcode 60121) is gone; any other failure is an
//! error naming the API and errcode, never a leaver; a removed department (60003) is gone.

use syncer_core::conformance::lookup;
use syncer_core::{ConfigValue, Department, DepartmentLookup, NoProgress, PersonLookup, Syncer};
use syncer_dingtalk_sim::{paths, Credentials, FakeDingTalk, Faults, Org, OrgSpec, Permission};

mod common;

use common::dingtalk_syncer;

const APP_SECRET: &str = "sim-secret-Lk4pW9";
const APP_KEY: &str = "dinglookup0001";
const GET_USER: &str = paths::USER_GET;
const GET_DEPARTMENT: &str = paths::DEPARTMENT_GET;

fn org() -> Org {
    Org::generate(&OrgSpec::sized(60, 6))
}

async fn start(org: Org, faults: Faults) -> FakeDingTalk {
    FakeDingTalk::start(org, Credentials::new(APP_KEY, APP_SECRET), faults)
        .await
        .expect("start fake DingTalk")
}

fn dingtalk(server: &FakeDingTalk, max_retries: i64) -> Box<dyn Syncer> {
    dingtalk_syncer(
        server.url(),
        APP_KEY,
        APP_SECRET,
        [
            ("rate_limit", ConfigValue::Number(2_000.0)),
            ("max_retries", ConfigValue::Integer(max_retries)),
        ],
    )
}

/// Someone in more than one department, so the departments are shown to come whole.
fn person_in_two_departments(org: &Org) -> String {
    org.users
        .iter()
        .find(|user| user.dept_ids.len() > 1)
        .or_else(|| org.users.first())
        .map(|user| user.userid.clone())
        .expect("the org has people")
}

#[tokio::test]
async fn a_member_is_the_record_the_full_fetch_gives_at_one_call() {
    let org = org();
    let userid = person_in_two_departments(&org);
    let server = start(org, Faults::default()).await;
    let syncer = dingtalk(&server, 3);
    let full = lookup::record_in_full_fetch(syncer.as_ref(), &userid).await;
    server.reset_stats();
    let alone = lookup::found_person(syncer.as_ref(), &userid).await;
    assert_eq!(alone, full, "same fields, same names, same departments");
    let stats = server.stats();
    assert_eq!(stats.calls(GET_USER), 1);
    assert_eq!(
        stats.total_calls, 1,
        "one call and no other (the token is cached): {:?}",
        stats.calls_by_path
    );
}

#[tokio::test]
async fn people_cost_one_call_each() {
    let org = org();
    let ids: Vec<String> = org.users.iter().take(5).map(|u| u.userid.clone()).collect();
    let server = start(org, Faults::default()).await;
    let syncer = dingtalk(&server, 3);
    for id in &ids {
        assert!(matches!(
            syncer.fetch_person(id).await,
            Ok(PersonLookup::Found(record)) if &record.id == id
        ));
    }
    assert_eq!(server.stats().calls(GET_USER), 5);
    assert_eq!(
        server.stats().calls(paths::GETTOKEN),
        1,
        "one token for all"
    );
}

#[tokio::test]
async fn a_userid_dingtalk_does_not_know_is_gone() {
    let org = org();
    let leaver = org.users[0].userid.clone();
    let server = start(org, Faults::default()).await;
    server.update_org(|org| {
        org.remove_user(&leaver);
    });
    let syncer = dingtalk(&server, 3);
    lookup::assert_person_gone(syncer.as_ref(), &leaver).await;
    lookup::assert_person_gone(syncer.as_ref(), "never-a-member").await;
    assert_eq!(server.stats().answers_by_errcode.get(&60121), Some(&2));
}

#[tokio::test]
async fn a_person_who_cannot_be_read_is_an_error_never_a_leaver() {
    let org = org();
    let userid = org.users[0].userid.clone();
    let refused = Faults {
        missing_permission: Some(Permission::MemberRead),
        ..Faults::default()
    };
    let server = start(org.clone(), refused).await;
    let error = dingtalk(&server, 0)
        .fetch_person(&userid)
        .await
        .expect_err("no permission is not a leaver");
    assert_eq!(error.api.as_deref(), Some(GET_USER));
    assert!(error.message.contains("errcode"), "{error}");
    assert!(!error.message.contains(APP_SECRET), "{error}");

    let busy = Faults {
        busy_rate: 1.0,
        ..Faults::default()
    };
    let server = start(org, busy).await;
    let error = dingtalk(&server, 1)
        .fetch_person(&userid)
        .await
        .expect_err("a busy DingTalk is not a leaver");
    assert!(error.message.contains("errcode -1"), "{error}");
}

#[tokio::test]
async fn a_department_is_what_the_full_fetch_gives_and_a_removed_one_is_gone() {
    let org = org();
    let server = start(org, Faults::default()).await;
    let syncer = dingtalk(&server, 3);
    let snapshot = syncer.fetch(&NoProgress).await.expect("full fetch");
    let child: &Department = snapshot
        .departments
        .iter()
        .find(|d| d.parent_id.is_some())
        .expect("a sub-department");
    server.reset_stats();
    assert_eq!(
        syncer
            .fetch_department(&child.id)
            .await
            .expect("department/get"),
        DepartmentLookup::Found(child.clone())
    );
    assert_eq!(server.stats().calls(GET_DEPARTMENT), 1);
    let root = snapshot
        .departments
        .iter()
        .find(|d| d.parent_id.is_none())
        .expect("the root");
    assert_eq!(
        syncer.fetch_department(&root.id).await.expect("root"),
        DepartmentLookup::Found(root.clone())
    );

    let removed: i64 = child.id.parse().expect("numeric");
    server.update_org(|org| {
        org.remove_department(removed);
    });
    assert_eq!(
        syncer.fetch_department(&child.id).await.expect("answered"),
        DepartmentLookup::Gone
    );
    let error = syncer
        .fetch_department("sales")
        .await
        .expect_err("not a DingTalk id");
    assert!(error.message.contains("sales"), "{error}");
}
