//! One Lark person and one department read alone (what an event costs), against the fake Lark
//! over real HTTP: a person is the very record the full fetch gives, at one `users/:user_id`
//! each; a leaver (deleted, 41050) is gone; a failure of another kind (a missing scope) is an
//! error naming the API and code, never a leaver; a department is what the full fetch gives.

use syncer_core::conformance::lookup;
use syncer_core::{DepartmentLookup, NoProgress, PersonLookup, Syncer};
use syncer_lark::settings::APP_KEYS;
use syncer_lark_sim::{paths, Credentials, FakeLark, Faults, LarkOrg, OrgSpec};
use syncer_remote::testing;

fn org() -> LarkOrg {
    LarkOrg::generate(&OrgSpec {
        users: 40,
        departments: 5,
        multi_department_ratio: 0.3,
        ..OrgSpec::default()
    })
}

async fn start(faults: Faults) -> FakeLark {
    FakeLark::start(org(), Credentials::demo(), faults)
        .await
        .expect("start the fake Lark")
}

fn lark(server: &FakeLark) -> Box<dyn Syncer> {
    let credentials = Credentials::demo();
    let settings = testing::quick_settings(server.url());
    let values = testing::app_values(
        &APP_KEYS,
        &credentials.app_id,
        &credentials.app_secret,
        settings,
    );
    testing::registered_syncer(syncer_lark::TYPE_NAME, values)
}

/// Someone in more than one department, if the tenant has one.
fn someone(server: &FakeLark) -> String {
    let org = server.org();
    org.users
        .iter()
        .find(|user| user.departments.len() > 1)
        .or_else(|| org.users.first())
        .map(|user| user.user_id.clone())
        .expect("the tenant has people")
}

#[tokio::test]
async fn a_person_is_the_record_the_full_fetch_gives_at_one_call_each() {
    let server = start(Faults::default()).await;
    let syncer = lark(&server);
    let user_id = someone(&server);
    let full = lookup::record_in_full_fetch(syncer.as_ref(), &user_id).await;
    server.reset_stats();
    let alone = lookup::found_person(syncer.as_ref(), &user_id).await;
    assert_eq!(alone, full, "same fields, same names, same departments");
    let others: Vec<String> = server
        .org()
        .users
        .iter()
        .take(3)
        .map(|user| user.user_id.clone())
        .collect();
    for id in &others {
        assert!(matches!(
            syncer.fetch_person(id).await,
            Ok(PersonLookup::Found(_))
        ));
    }
    let stats = server.stats();
    assert_eq!(stats.calls(paths::USER_GET), 1 + others.len() as u64);
    assert_eq!(
        stats.calls(paths::TENANT_ACCESS_TOKEN),
        0,
        "the token is cached"
    );
}

#[tokio::test]
async fn a_leaver_is_gone() {
    let server = start(Faults::default()).await;
    let syncer = lark(&server);
    let user_id = someone(&server);
    server.leave(&user_id).expect("a member leaves");
    lookup::assert_person_gone(syncer.as_ref(), &user_id).await;
    lookup::assert_person_gone(syncer.as_ref(), "never-a-member").await;
}

#[tokio::test]
async fn a_person_who_cannot_be_read_is_an_error_never_a_leaver() {
    let server = start(Faults {
        missing_contact_scope: true,
        ..Faults::default()
    })
    .await;
    let user_id = someone(&server);
    let error = lark(&server)
        .fetch_person(&user_id)
        .await
        .expect_err("a missing scope is not a leaver");
    assert_eq!(error.api.as_deref(), Some(paths::USER_GET));
    assert!(error.message.contains("code"), "{error}");
    assert!(
        !error.message.contains(&Credentials::demo().app_secret),
        "{error}"
    );
}

#[tokio::test]
async fn a_department_is_what_the_full_fetch_gives() {
    let server = start(Faults::default()).await;
    let syncer = lark(&server);
    let snapshot = syncer.fetch(&NoProgress).await.expect("full fetch");
    for department in snapshot.departments.iter().take(3) {
        assert_eq!(
            syncer.fetch_department(&department.id).await.expect("read"),
            DepartmentLookup::Found(department.clone()),
            "{}",
            department.id
        );
    }
    let (created, _) = server
        .create_department("0", "临时项目组")
        .expect("a new department under the root");
    assert!(matches!(
        syncer.fetch_department(&created).await,
        Ok(DepartmentLookup::Found(ref found)) if found.parent_id.as_deref() == Some("0")
    ));
    server
        .remove_department(&created)
        .expect("an empty department is removed");
    assert_eq!(
        syncer.fetch_department(&created).await.expect("answered"),
        DepartmentLookup::Gone
    );
}
