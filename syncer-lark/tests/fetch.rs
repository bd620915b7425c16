//! The Lark backend's own behaviour against the fake Lark: the fewest calls, one record per
//! person, a token refreshed mid-sync, frequency limits and gateway errors retried, and
//! missing permissions reported with the scope to grant.

use std::collections::BTreeMap;
use std::time::Duration;

use syncer_core::{NoProgress, Secret, Syncer};
use syncer_lark::event_settings::EventSettings;
use syncer_lark::{api, LarkSettings, LarkSyncer};
use syncer_lark_sim::{paths, Credentials, FakeLark, Faults, LarkOrg, OrgSpec};
use syncer_remote::{AppCredentials, RemoteSettings};

fn small_org() -> LarkOrg {
    LarkOrg::generate(&OrgSpec {
        users: 70,
        departments: 6,
        multi_department_ratio: 0.3,
        ..OrgSpec::default()
    })
}

async fn fake(org: LarkOrg, faults: Faults) -> FakeLark {
    FakeLark::start(org, Credentials::demo(), faults)
        .await
        .expect("start the fake Lark")
}

fn syncer(server: &FakeLark, rate_limit: f64) -> LarkSyncer {
    syncer_with_retries(server, rate_limit, 5)
}

fn syncer_with_retries(server: &FakeLark, rate_limit: f64, max_retries: u32) -> LarkSyncer {
    let credentials = Credentials::demo();
    LarkSyncer::new(LarkSettings {
        app: AppCredentials::new(credentials.app_id, Secret::new(credentials.app_secret)),
        remote: RemoteSettings {
            endpoint: server.url(),
            rate_limit,
            max_in_flight: 8,
            max_retries,
            timeout: Duration::from_secs(10),
        },
        events: EventSettings::default(),
    })
}

#[tokio::test]
async fn a_fetch_reads_everyone_once_with_the_fewest_calls() {
    let org = LarkOrg::generate(&OrgSpec {
        users: 400,
        departments: 6,
        multi_department_ratio: 0.3,
        ..OrgSpec::default()
    });
    let server = fake(org, Faults::default()).await;
    let org = server.org();
    let snapshot = syncer(&server, 500.0)
        .fetch(&NoProgress)
        .await
        .expect("fetch");
    assert!(snapshot.is_complete(), "{:?}", snapshot.failures);
    assert_eq!(snapshot.users.len(), org.users.len());
    assert_eq!(snapshot.departments.len(), org.departments.len());
    assert_eq!(snapshot.departments[0].name, org.name);

    let stats = server.stats();
    let pages_of = |n: usize| n.div_ceil(50).max(1) as u64;
    let member_pages: u64 = org
        .departments
        .iter()
        .map(|d| pages_of(org.members_of(&d.open_department_id).len()))
        .sum();
    assert_eq!(stats.calls(paths::TENANT_ACCESS_TOKEN), 1);
    assert_eq!(
        stats.calls(paths::DEPARTMENT_CHILDREN),
        org.departments.len() as u64
    );
    assert_eq!(stats.calls(paths::USERS_BY_DEPARTMENT), member_pages);
    assert!(
        member_pages > org.departments.len() as u64,
        "the root needs two pages"
    );
    assert_eq!(stats.duplicate_pages(), 0);
    assert_eq!(
        snapshot.api_calls.get(api::USERS_BY_DEPARTMENT),
        Some(&member_pages)
    );
    let two_departments = snapshot
        .users
        .iter()
        .filter(|u| u.departments.len() > 1)
        .count();
    assert!(
        two_departments > 0,
        "people in several departments are merged, not dropped"
    );
}

#[tokio::test]
async fn a_token_refused_mid_sync_is_refreshed_and_the_fetch_completes() {
    let server = fake(
        small_org(),
        Faults {
            token_expires_after_calls: Some(4),
            ..Faults::default()
        },
    )
    .await;
    let snapshot = syncer(&server, 500.0)
        .fetch(&NoProgress)
        .await
        .expect("fetch");
    assert!(snapshot.is_complete(), "{:?}", snapshot.failures);
    assert_eq!(snapshot.users.len(), server.org().users.len());
    assert!(server.stats().tokens_issued > 1);
}

#[tokio::test]
async fn a_token_refused_mid_sync_is_renewed_even_with_no_retries_configured() {
    let org = LarkOrg::generate(&OrgSpec {
        users: 400,
        departments: 12,
        ..OrgSpec::default()
    });
    let server = fake(
        org,
        Faults {
            // Short enough to expire several times in one fetch, long enough that one renewal
            // serves every call in flight.
            token_expires_after_calls: Some(12),
            ..Faults::default()
        },
    )
    .await;
    let snapshot = syncer_with_retries(&server, 500.0, 0)
        .fetch(&NoProgress)
        .await
        .expect("fetch");
    assert!(snapshot.is_complete(), "{:?}", snapshot.failures);
    assert_eq!(snapshot.users.len(), server.org().users.len());
    assert!(server.stats().tokens_issued > 1);
}

#[tokio::test]
async fn frequency_limits_and_gateway_errors_are_retried() {
    let server = fake(
        small_org(),
        Faults {
            qps_limit: Some(4),
            http_5xx_rate: 0.15,
            seed: 3,
            ..Faults::default()
        },
    )
    .await;
    let snapshot = syncer(&server, 10.0)
        .fetch(&NoProgress)
        .await
        .expect("fetch");
    assert!(snapshot.is_complete(), "{:?}", snapshot.failures);
    assert_eq!(snapshot.users.len(), server.org().users.len());
    let stats = server.stats();
    assert!(stats.throttled() + stats.answers(502) + stats.answers(503) > 0);
}

#[tokio::test]
async fn people_without_user_id_make_the_fetch_incomplete_and_name_the_scope() {
    let server = fake(
        small_org(),
        Faults {
            hide_user_id: true,
            ..Faults::default()
        },
    )
    .await;
    let lark = syncer(&server, 500.0);
    let snapshot = lark.fetch(&NoProgress).await.expect("fetch");
    assert!(!snapshot.is_complete());
    assert!(snapshot.failures[0]
        .message
        .contains("contact:user.employee_id:readonly"));
    let report = lark.test_connection().await;
    assert!(!report.ok());
    assert!(report
        .summary()
        .contains("contact:user.employee_id:readonly"));
}

#[tokio::test]
async fn a_missing_scope_or_contact_range_stops_with_what_to_grant() {
    let server = fake(
        small_org(),
        Faults {
            missing_contact_scope: true,
            ..Faults::default()
        },
    )
    .await;
    let lark = syncer(&server, 500.0);
    let report = lark.test_connection().await;
    assert_eq!(report.checks[0].name, "credentials");
    assert!(report.checks[0].ok);
    assert!(
        report.summary().contains("code 99991672"),
        "{}",
        report.summary()
    );
    assert!(report.summary().contains("Permissions & Scopes"));
    let error = lark.fetch(&NoProgress).await.expect_err("nothing readable");
    assert!(error.message.contains("99991672"), "{}", error.message);

    server.set_faults(Faults {
        failing_departments: BTreeMap::from([(
            "0".to_owned(),
            syncer_lark_sim::DeptFault::NoAuthority,
        )]),
        ..Faults::default()
    });
    let report = lark.test_connection().await;
    assert!(
        report.summary().contains("通讯录权限范围"),
        "{}",
        report.summary()
    );
    assert!(lark.fetch(&NoProgress).await.is_err());
}

#[tokio::test]
async fn wrong_credentials_name_the_app_secret_and_never_show_it() {
    let server = fake(small_org(), Faults::default()).await;
    let mut settings = LarkSettings {
        app: AppCredentials::new(
            Credentials::demo().app_id,
            Secret::new("a-wrong-secret-value"),
        ),
        remote: RemoteSettings {
            endpoint: server.url(),
            rate_limit: 500.0,
            max_in_flight: 4,
            max_retries: 1,
            timeout: Duration::from_secs(5),
        },
        events: EventSettings::default(),
    };
    let report = LarkSyncer::new(settings.clone()).test_connection().await;
    let summary = report.summary();
    assert!(
        summary.contains("App Secret") && summary.contains("10014"),
        "{summary}"
    );
    assert!(!summary.contains("a-wrong-secret-value"));
    settings.remote.endpoint = "http://127.0.0.1:9".to_owned();
    let report = LarkSyncer::new(settings).test_connection().await;
    assert!(
        report.summary().contains("could not reach Lark"),
        "{}",
        report.summary()
    );
}

#[tokio::test]
async fn a_second_run_reuses_the_apps_live_token() {
    let server = fake(small_org(), Faults::default()).await;
    let first = syncer(&server, 500.0).fetch(&NoProgress).await;
    assert!(first.expect("first fetch").is_complete());
    let second = syncer(&server, 500.0).fetch(&NoProgress).await;
    assert!(second.expect("second fetch").is_complete());
    assert_eq!(
        server.stats().calls(paths::TENANT_ACCESS_TOKEN),
        1,
        "the second run's client shares the first one's token"
    );
}

#[tokio::test]
async fn test_connection_proves_the_user_id_scope_even_when_nobody_sits_in_the_root() {
    let server = fake(
        small_org(),
        Faults {
            hide_user_id: true,
            ..Faults::default()
        },
    )
    .await;
    let child = server
        .org()
        .departments
        .iter()
        .find(|d| d.parent.as_deref() == Some(syncer_lark_sim::ROOT_DEPARTMENT))
        .map(|d| d.open_department_id.clone())
        .expect("a sub-department");
    server.update_org(|org| {
        for user in &mut org.users {
            for dept in &mut user.departments {
                if dept == syncer_lark_sim::ROOT_DEPARTMENT {
                    *dept = child.clone();
                }
            }
            user.departments.dedup();
        }
    });
    let report = syncer(&server, 500.0).test_connection().await;
    assert!(!report.ok(), "{report:?}");
    assert!(
        report
            .summary()
            .contains("contact:user.employee_id:readonly"),
        "{report:?}"
    );
}
