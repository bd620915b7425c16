//! Each fault, switched on through `Faults` and observed over HTTP.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use syncer_dingtalk_sim::{codes, paths, DeptFault, Faults, Org, OrgSpec, Permission};

use crate::client::Sim;

async fn with_faults(faults: Faults) -> Sim {
    Sim::start(Org::generate(&OrgSpec::default()), faults).await
}

fn count_body() -> Value {
    json!({"only_active": false})
}

#[tokio::test]
async fn busy_rate_answers_system_busy_reproducibly() {
    let faults = Faults {
        busy_rate: 0.5,
        seed: 9,
        ..Faults::default()
    };
    let mut runs = Vec::new();
    for _ in 0..2 {
        let sim = Sim::default().await;
        let token = sim.token().await;
        sim.server.set_faults(faults.clone());
        let mut codes_seen = Vec::new();
        for _ in 0..20 {
            let body = sim.post(paths::USER_COUNT, &token, count_body()).await;
            codes_seen.push(body["errcode"].as_i64().expect("errcode"));
        }
        runs.push(codes_seen);
    }
    assert_eq!(runs[0], runs[1], "the same seed gives the same faults");
    let busy = runs[0].iter().filter(|&&c| c == codes::SYSTEM_BUSY).count();
    assert!((3..=17).contains(&busy), "{busy} busy answers of 20");
    assert!(runs[0].iter().all(|&c| c == 0 || c == codes::SYSTEM_BUSY));
}

#[tokio::test]
async fn http_5xx_rate_answers_a_gateway_page_that_is_not_json() {
    let sim = Sim::default().await;
    let token = sim.token().await;
    sim.server.set_faults(Faults {
        http_5xx_rate: 1.0,
        ..Faults::default()
    });
    let (status, text) = sim
        .post_raw(paths::USER_COUNT, Some(&token), &count_body())
        .await;
    assert!(status == 502 || status == 503, "status {status}");
    assert!(serde_json::from_str::<Value>(&text).is_err(), "{text}");
    assert_eq!(sim.server.stats().http_5xx, 1);
    sim.server.set_faults(Faults::default());
    let body = sim.post(paths::USER_COUNT, &token, count_body()).await;
    assert_eq!(body["errcode"], 0);
}

#[tokio::test]
async fn calls_beyond_the_qps_limit_are_throttled_per_path() {
    let sim = with_faults(Faults {
        qps_limit: Some(5),
        ..Faults::default()
    })
    .await;
    let token = sim.token().await;
    let mut answers = Vec::new();
    for _ in 0..10 {
        let body = sim.post(paths::USER_COUNT, &token, count_body()).await;
        answers.push(body["errcode"].as_i64().expect("errcode"));
    }
    assert_eq!(answers[..5], [0; 5]);
    assert_eq!(answers[5..], [codes::RATE_LIMITED; 5]);
    // Another path has its own budget.
    let body = sim
        .post(paths::DEPARTMENT_LISTSUBID, &token, json!({"dept_id": 1}))
        .await;
    assert_eq!(body["errcode"], 0);
    assert_eq!(sim.server.stats().throttled, 5);
    // The window slides: a second later the path is served again.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let body = sim.post(paths::USER_COUNT, &token, count_body()).await;
    assert_eq!(body["errcode"], 0);
}

#[tokio::test]
async fn throttle_rate_answers_90018() {
    let sim = with_faults(Faults {
        throttle_rate: 1.0,
        ..Faults::default()
    })
    .await;
    let (_, body) = sim.gettoken_with("x", "y").await;
    assert_eq!(body["errcode"], codes::RATE_LIMITED);
}

#[tokio::test]
async fn throttle_every_answers_90018_to_every_nth_call_gettoken_included() {
    let sim = with_faults(Faults {
        throttle_every: Some(3),
        ..Faults::default()
    })
    .await;
    let token = sim.token().await;
    let mut codes = Vec::new();
    for _ in 0..6 {
        let body = sim.post(paths::USER_COUNT, &token, count_body()).await;
        codes.push(body["errcode"].as_i64().expect("errcode"));
    }
    // The token call was the first counted.
    let throttled = codes::RATE_LIMITED;
    assert_eq!(codes, [0, throttled, 0, 0, throttled, 0], "{codes:?}");
    assert_eq!(sim.server.stats().throttled, 2);
}

#[tokio::test]
async fn failing_departments_fail_only_their_own_calls() {
    let sim = Sim::default().await;
    let org = sim.server.org();
    let busy = org.departments[1].dept_id;
    let hidden = org.departments[2].dept_id;
    let gone = org.departments[3].dept_id;
    let healthy = org.departments[4].dept_id;
    sim.server.set_faults(Faults {
        failing_departments: BTreeMap::from([
            (busy, DeptFault::AlwaysBusy),
            (hidden, DeptFault::NoPermission),
            (gone, DeptFault::NotFound),
        ]),
        ..Faults::default()
    });
    let token = sim.token().await;
    for _ in 0..3 {
        let body = sim.user_page(&token, busy, 0, 100).await;
        assert_eq!(body["errcode"], codes::SYSTEM_BUSY);
    }
    for path in [paths::DEPARTMENT_LISTSUB, paths::USER_LIST] {
        let body = sim
            .post(
                path,
                &token,
                json!({"dept_id": hidden, "cursor": 0, "size": 100}),
            )
            .await;
        assert_eq!(body["errcode"], codes::AUTH_FAILURE, "{path}: {body}");
        assert_eq!(body["sub_code"], "60011");
        assert!(body["sub_msg"].as_str().is_some_and(|m| !m.is_empty()));
        let errmsg = body["errmsg"].as_str().expect("errmsg");
        assert!(errmsg.contains("subcode=60011"), "{errmsg}");
    }
    let body = sim.user_page(&token, gone, 0, 100).await;
    assert_eq!(body["errcode"], codes::DEPT_NOT_FOUND);
    let body = sim.user_page(&token, healthy, 0, 100).await;
    assert_eq!(body["errcode"], 0);
    let stats = sim.server.stats();
    assert_eq!(
        (stats.busy, stats.no_permission, stats.dept_not_found),
        (3, 2, 1)
    );
}

#[tokio::test]
async fn a_missing_department_scope_fails_department_apis_and_names_the_scope() {
    let sim = with_faults(Faults {
        missing_permission: Some(Permission::DepartmentRead),
        ..Faults::default()
    })
    .await;
    let token = sim.token().await;
    let body = sim
        .post(paths::DEPARTMENT_LISTSUB, &token, json!({"dept_id": 1}))
        .await;
    assert_eq!(body["errcode"], codes::AUTH_FAILURE);
    assert_eq!(body["sub_code"], "60011");
    let sub_msg = body["sub_msg"].as_str().expect("sub_msg");
    assert!(sub_msg.contains("qyapi_get_department_list"), "{sub_msg}");
    assert_eq!(sim.user_page(&token, 1, 0, 10).await["errcode"], 0);
}

#[tokio::test]
async fn a_missing_member_scope_fails_user_apis_and_names_the_scope() {
    let sim = with_faults(Faults {
        missing_permission: Some(Permission::MemberRead),
        ..Faults::default()
    })
    .await;
    let token = sim.token().await;
    let body = sim.user_page(&token, 1, 0, 10).await;
    assert_eq!(body["errcode"], codes::AUTH_FAILURE);
    let sub_msg = body["sub_msg"].as_str().expect("sub_msg");
    assert!(sub_msg.contains("qyapi_get_department_member"), "{sub_msg}");
    let body = sim
        .post(paths::DEPARTMENT_LISTSUB, &token, json!({"dept_id": 1}))
        .await;
    assert_eq!(body["errcode"], 0);
}

#[tokio::test]
async fn an_ip_whitelist_rejection_refuses_every_call_including_gettoken() {
    let sim = with_faults(Faults {
        ip_whitelist_reject: true,
        ..Faults::default()
    })
    .await;
    let body = sim.gettoken().await;
    assert_eq!(body["errcode"], codes::IP_NOT_WHITELISTED);
    assert!(body["errmsg"]
        .as_str()
        .is_some_and(|m| m.contains("127.0.0.1")));
    let body = sim.post(paths::USER_COUNT, "whatever", count_body()).await;
    assert_eq!(body["errcode"], codes::IP_NOT_WHITELISTED);
    assert_eq!(sim.server.stats().ip_rejected, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn latency_delays_answers_and_concurrency_is_observed() {
    let sim = with_faults(Faults {
        latency: Duration::from_millis(200),
        ..Faults::default()
    })
    .await;
    let token = sim.token().await;
    let started = Instant::now();
    let calls = (0..6).map(|_| sim.post(paths::USER_COUNT, &token, count_body()));
    let answers = futures::future::join_all(calls).await;
    let took = started.elapsed();
    assert!(answers.iter().all(|a| a["errcode"] == 0));
    assert!(took >= Duration::from_millis(200), "{took:?}");
    assert!(
        took < Duration::from_millis(1200),
        "calls were served one by one: {took:?}"
    );
    assert_eq!(sim.server.stats().max_in_flight, 6);
}
