//! Department and member endpoints: shapes, paging, direct children only, org edits.

use std::collections::{BTreeSet, HashMap, VecDeque};

use serde_json::{json, Value};
use syncer_dingtalk_sim::{benchmark_spec, codes, paths, Faults, Org, SimUser};

use crate::client::{org_with_big_department, Sim};

#[tokio::test]
async fn a_department_of_250_members_is_served_in_three_pages() {
    let (org, dept) = org_with_big_department(250);
    let sim = Sim::start(org, Faults::default()).await;
    let token = sim.token().await;
    let mut cursor = 0;
    let mut sizes = Vec::new();
    let mut userids = BTreeSet::new();
    loop {
        let page = sim.user_page(&token, dept, cursor, 100).await;
        assert_eq!(page["errcode"], 0, "{page}");
        let result = &page["result"];
        let list = result["list"].as_array().expect("list");
        sizes.push(list.len());
        for user in list {
            assert!(userids.insert(user["userid"].as_str().expect("userid").to_owned()));
        }
        if result["has_more"] == false {
            assert!(result.get("next_cursor").is_none());
            break;
        }
        cursor = result["next_cursor"]
            .as_i64()
            .expect("next_cursor is an integer");
    }
    assert_eq!(sizes, vec![100, 100, 50]);
    assert_eq!(userids.len(), 250);
    let stats = sim.server.stats();
    assert_eq!(stats.user_list_pages(), 3);
    assert_eq!(stats.duplicate_user_list_pages(), 0);
    assert_eq!(stats.calls(paths::USER_LIST), 3);

    sim.user_page(&token, dept, 0, 100).await;
    assert_eq!(sim.server.stats().duplicate_user_list_pages(), 1);
    sim.server.reset_stats();
    assert_eq!(sim.server.stats().duplicate_user_list_pages(), 0);
    assert_eq!(sim.server.stats().total_calls, 0);
}

#[tokio::test]
async fn page_size_outside_1_to_100_is_an_invalid_parameter() {
    let (org, dept) = org_with_big_department(5);
    let sim = Sim::start(org, Faults::default()).await;
    let token = sim.token().await;
    for size in [0, 101, -1] {
        let page = sim.user_page(&token, dept, 0, size).await;
        assert_eq!(
            page["errcode"],
            codes::INVALID_PARAMETER,
            "size {size}: {page}"
        );
    }
    let page = sim
        .post(
            paths::USER_LIST,
            &token,
            json!({"dept_id": dept, "size": 10}),
        )
        .await;
    assert_eq!(page["errcode"], codes::INVALID_PARAMETER, "missing cursor");
    let page = sim.user_page(&token, dept, 0, 1).await;
    assert_eq!(page["result"]["list"].as_array().map(Vec::len), Some(1));
    assert_eq!(page["result"]["next_cursor"], 1);
}

#[tokio::test]
async fn user_list_returns_every_documented_field() {
    let sim = Sim::default().await;
    let token = sim.token().await;
    let org = sim.server.org();
    let boss = &org.users[0];
    let page = sim.user_page(&token, 1, 0, 100).await;
    let list = page["result"]["list"].as_array().expect("list");
    let user = list
        .iter()
        .find(|u| u["userid"] == boss.userid.as_str())
        .expect("the boss is a member of the root department");
    for field in [
        "userid",
        "unionid",
        "name",
        "avatar",
        "mobile",
        "state_code",
        "dept_id_list",
        "active",
        "admin",
        "boss",
        "leader",
        "exclusive_account",
    ] {
        assert!(user.get(field).is_some(), "missing {field}: {user}");
    }
    assert_eq!(user["state_code"], "86");
    assert_eq!(user["boss"], true);
    assert_eq!(user["exclusive_account"], false);
    assert_eq!(user["email"], boss.email.as_str());
    assert_eq!(user["dept_id_list"], json!([1]));
}

#[tokio::test]
async fn listsub_returns_direct_children_only() {
    let sim = Sim::default().await;
    let token = sim.token().await;
    let org = sim.server.org();
    let expected: Vec<i64> = org.children_of(1).iter().map(|d| d.dept_id).collect();
    assert!(
        expected.len() < org.departments.len() - 1,
        "the default org is nested"
    );

    let body = sim
        .post(
            paths::DEPARTMENT_LISTSUB,
            &token,
            json!({"dept_id": 1, "language": "zh_CN"}),
        )
        .await;
    assert_eq!(body["errcode"], 0);
    let listed = body["result"].as_array().expect("result is an array");
    let ids: Vec<i64> = listed
        .iter()
        .filter_map(|d| d["dept_id"].as_i64())
        .collect();
    assert_eq!(ids, expected);
    for dept in listed {
        assert_eq!(dept["parent_id"], 1);
        assert!(dept["name"].is_string());
        assert!(dept["auto_add_user"].is_boolean());
        assert!(dept["create_dept_group"].is_boolean());
    }

    let body = sim
        .post(paths::DEPARTMENT_LISTSUBID, &token, json!({"dept_id": 1}))
        .await;
    assert_eq!(body["result"]["dept_id_list"], json!(expected));

    let leaf = org
        .departments
        .iter()
        .find(|d| org.children_of(d.dept_id).is_empty())
        .expect("a tree has leaves");
    let body = sim
        .post(
            paths::DEPARTMENT_LISTSUB,
            &token,
            json!({"dept_id": leaf.dept_id}),
        )
        .await;
    assert_eq!(body["result"], json!([]));
}

#[tokio::test]
async fn department_get_describes_the_root_as_the_org() {
    let sim = Sim::default().await;
    let token = sim.token().await;
    let org = sim.server.org();
    let root = sim
        .post(paths::DEPARTMENT_GET, &token, json!({"dept_id": 1}))
        .await;
    assert_eq!(root["result"]["dept_id"], 1);
    assert_eq!(root["result"]["name"], org.name.as_str());
    assert!(root["result"].get("parent_id").is_none());
    let child = &org.departments[1];
    let body = sim
        .post(
            paths::DEPARTMENT_GET,
            &token,
            json!({"dept_id": child.dept_id}),
        )
        .await;
    assert_eq!(body["result"]["name"], child.name.as_str());
    assert_eq!(body["result"]["parent_id"], json!(child.parent_id));
}

#[tokio::test]
async fn unknown_departments_answer_60003() {
    let sim = Sim::default().await;
    let token = sim.token().await;
    for path in [
        paths::DEPARTMENT_LISTSUB,
        paths::DEPARTMENT_GET,
        paths::USER_LISTID,
    ] {
        let body = sim.post(path, &token, json!({"dept_id": 424242})).await;
        assert_eq!(body["errcode"], codes::DEPT_NOT_FOUND, "{path}: {body}");
    }
    let body = sim.user_page(&token, 424242, 0, 100).await;
    assert_eq!(body["errcode"], codes::DEPT_NOT_FOUND);
    assert_eq!(sim.server.stats().dept_not_found, 4);
}

#[tokio::test]
async fn a_breadth_first_walk_finds_every_user_once_with_all_departments() {
    let sim = Sim::default().await;
    let token = sim.token().await;
    let org = sim.server.org();
    let mut queue = VecDeque::from([1i64]);
    let mut seen: HashMap<String, Value> = HashMap::new();
    let mut appearances = 0;
    while let Some(dept) = queue.pop_front() {
        let body = sim
            .post(
                paths::DEPARTMENT_LISTSUBID,
                &token,
                json!({"dept_id": dept}),
            )
            .await;
        for child in body["result"]["dept_id_list"].as_array().expect("ids") {
            queue.push_back(child.as_i64().expect("id"));
        }
        for user in sim.all_members(&token, dept).await {
            appearances += 1;
            seen.insert(user["userid"].as_str().expect("userid").to_owned(), user);
        }
    }
    assert_eq!(seen.len(), org.users.len());
    let memberships: usize = org.users.iter().map(|u| u.dept_ids.len()).sum();
    assert_eq!(appearances, memberships);
    assert!(
        appearances > org.users.len(),
        "some users are in several departments"
    );
    for user in &org.users {
        assert_eq!(seen[&user.userid]["dept_id_list"], json!(user.dept_ids));
        assert_eq!(seen[&user.userid]["unionid"], user.unionid.as_str());
    }
    assert_eq!(sim.server.stats().duplicate_pages(), 0);
}

#[tokio::test]
async fn the_small_user_apis_answer_too() {
    let sim = Sim::default().await;
    let token = sim.token().await;
    let org = sim.server.org();
    let dept = org.users[1].dept_ids[0];
    let members: Vec<&str> = org
        .members_of(dept)
        .iter()
        .map(|u| u.userid.as_str())
        .collect();

    let body = sim
        .post(paths::USER_LISTID, &token, json!({"dept_id": dept}))
        .await;
    assert_eq!(body["result"]["userid_list"], json!(members));

    let body = sim
        .post(
            paths::USER_LISTSIMPLE,
            &token,
            json!({"dept_id": dept, "cursor": 0, "size": 100}),
        )
        .await;
    let simple = body["result"]["list"].as_array().expect("list");
    assert_eq!(simple.len(), members.len());
    assert!(simple[0].get("userid").is_some() && simple[0].get("name").is_some());
    assert!(simple[0].get("mobile").is_none());

    let body = sim
        .post(
            paths::USER_GET,
            &token,
            json!({"userid": org.users[1].userid}),
        )
        .await;
    assert_eq!(body["result"]["name"], org.users[1].name.as_str());
    let body = sim
        .post(paths::USER_GET, &token, json!({"userid": "nobody"}))
        .await;
    assert_eq!(body["errcode"], codes::USER_NOT_FOUND);

    let body = sim
        .post(paths::USER_COUNT, &token, json!({"only_active": false}))
        .await;
    assert_eq!(body["result"]["count"], org.users.len());
    let active = org.users.iter().filter(|u| u.active).count();
    let body = sim
        .post(paths::USER_COUNT, &token, json!({"only_active": true}))
        .await;
    assert_eq!(body["result"]["count"], active);
}

#[tokio::test]
async fn org_edits_show_in_the_next_answers() {
    let (org, dept) = org_with_big_department(3);
    let sim = Sim::start(org, Faults::default()).await;
    let token = sim.token().await;
    sim.server.update_org(|org| {
        org.remove_user("user0000");
        org.add_user(SimUser::new("newhire", "赵敏", vec![dept]));
        org.user_mut("user0001").expect("exists").title = "总监".into();
        org.rename_department(dept, "研发二部");
        let sales = org.add_department(1, "销售部").expect("root exists");
        org.move_department(dept, sales);
    });
    let members = sim.all_members(&token, dept).await;
    let ids: Vec<&str> = members
        .iter()
        .filter_map(|u| u["userid"].as_str())
        .collect();
    assert_eq!(ids, vec!["user0001", "user0002", "newhire"]);
    assert_eq!(members[0]["title"], "总监");
    let body = sim
        .post(paths::DEPARTMENT_GET, &token, json!({"dept_id": dept}))
        .await;
    assert_eq!(body["result"]["name"], "研发二部");
    assert_ne!(body["result"]["parent_id"], 1);
    let root_children = sim
        .post(paths::DEPARTMENT_LISTSUBID, &token, json!({"dept_id": 1}))
        .await;
    assert_eq!(
        root_children["result"]["dept_id_list"]
            .as_array()
            .map(Vec::len),
        Some(1)
    );

    sim.server.update_org(|org| {
        org.remove_department(dept);
    });
    let body = sim.user_page(&token, dept, 0, 100).await;
    assert_eq!(body["errcode"], codes::DEPT_NOT_FOUND);
    assert_eq!(sim.server.org().users.len(), 3);
}

#[tokio::test]
async fn a_benchmark_sized_org_is_served_page_by_page() {
    let org = Org::generate(&benchmark_spec());
    let mut sizes: HashMap<i64, usize> = HashMap::new();
    for user in &org.users {
        for dept in &user.dept_ids {
            *sizes.entry(*dept).or_insert(0) += 1;
        }
    }
    let (&biggest, &expected) = sizes
        .iter()
        .max_by_key(|(_, &n)| n)
        .expect("departments have members");
    assert!(expected > 100, "the biggest department needs several pages");
    let sim = Sim::start(org, Faults::default()).await;
    let token = sim.token().await;
    assert_eq!(sim.all_members(&token, biggest).await.len(), expected);
    let body = sim.post(paths::USER_COUNT, &token, json!({})).await;
    assert_eq!(body["result"]["count"], 100_000);
}

#[tokio::test]
async fn unknown_paths_answer_404() {
    let sim = Sim::default().await;
    let token = sim.token().await;
    let (status, text) = sim
        .post_raw("/topapi/v2/user/nothing", Some(&token), &json!({}))
        .await;
    assert_eq!(status, 404);
    let body: Value = serde_json::from_str(&text).expect("JSON");
    assert_eq!(body["errcode"], codes::URI_NOT_FOUND);
}

#[tokio::test]
async fn shutdown_stops_serving() {
    let sim = Sim::default().await;
    let url = sim.server.url();
    sim.token().await;
    sim.server.shutdown().await;
    let refused = reqwest::Client::new()
        .get(format!("{url}/gettoken"))
        .send()
        .await;
    assert!(refused.is_err(), "the port no longer answers");
}
