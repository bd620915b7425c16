//! The fake IAM server itself, exercised over real HTTP the way a client would.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{json, Value};
use syncer_iam_sim::{FakeIam, FakeIamConfig, Flavor};

/// A started fake plus an HTTP client that authenticates as its application.
struct Api {
    iam: FakeIam,
    http: reqwest::Client,
}

impl Api {
    async fn start(config: FakeIamConfig) -> Api {
        let iam = FakeIam::start(config)
            .await
            .expect("fake IAM binds 127.0.0.1:0");
        Api {
            iam,
            http: reqwest::Client::new(),
        }
    }

    async fn hanzo() -> Api {
        Api::start(FakeIamConfig::default()).await
    }

    async fn casdoor() -> Api {
        Api::start(FakeIamConfig {
            flavor: Flavor::Casdoor,
            ..FakeIamConfig::default()
        })
        .await
    }

    fn url(&self, route: &str) -> String {
        format!("{}{}/{}", self.iam.url(), self.iam.api_prefix(), route)
    }

    fn authed(&self, request: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        let config = self.iam.config();
        request.basic_auth(&config.client_id, Some(&config.client_secret))
    }

    async fn send(request: reqwest::RequestBuilder) -> (StatusCode, Value) {
        let response = request.send().await.expect("request reaches the fake");
        let status = response.status();
        let body = response.json().await.expect("the fake answers JSON");
        (status, body)
    }

    async fn get(&self, route: &str, query: &[(&str, &str)]) -> Value {
        let request = self.authed(self.http.get(self.url(route)).query(query));
        let (status, body) = Api::send(request).await;
        assert_eq!(status, StatusCode::OK, "{route}: {body}");
        body
    }

    async fn post(&self, route: &str, query: &[(&str, &str)], body: Value) -> Value {
        let request = self
            .authed(self.http.post(self.url(route)).query(query))
            .json(&body);
        let (status, body) = Api::send(request).await;
        assert_eq!(status, StatusCode::OK, "{route}: {body}");
        body
    }

    async fn add_user(&self, user: Value) -> Value {
        self.post("add-user", &[], user).await
    }
}

fn assert_ok(answer: &Value) {
    assert_eq!(answer["status"], "ok", "{answer}");
}

fn assert_error(answer: &Value, msg: &str) {
    assert_eq!(answer["status"], "error", "{answer}");
    assert_eq!(answer["msg"], msg, "{answer}");
}

fn alice() -> Value {
    json!({
        "owner": "acme", "name": "alice", "id": "u-alice", "displayName": "Alice",
        "email": "alice@acme.io", "phone": "13800000001", "title": "Engineer",
        "properties": {"managedBy": "other"}
    })
}

#[tokio::test]
async fn bad_credentials_answer_http_200_with_status_error() {
    let api = Api::hanzo().await;
    let url = api.url("add-user");

    let wrong_secret = api.http.post(&url).basic_auth("syncer-app", Some("nope"));
    let (status, body) = Api::send(wrong_secret.json(&alice())).await;
    assert_eq!(status, StatusCode::OK);
    assert_error(&body, "Incorrect client secret for application: syncer-app");

    let wrong_id = api
        .http
        .post(&url)
        .basic_auth("someone", Some("syncer-secret"));
    let (_, body) = Api::send(wrong_id.json(&alice())).await;
    assert_error(&body, "Application not found for client ID: someone");

    let anonymous = api
        .http
        .get(api.url("get-users"))
        .query(&[("owner", "acme")]);
    let (status, body) = Api::send(anonymous).await;
    assert_eq!(status, StatusCode::OK);
    assert_error(&body, "Unauthorized operation");

    assert!(api.iam.users("acme").is_empty());
    api.iam.shutdown().await;
}

#[tokio::test]
async fn each_flavour_serves_only_its_prefix_and_casdoor_takes_query_credentials() {
    let hanzo = Api::hanzo().await;
    assert_eq!(hanzo.iam.api_prefix(), "/v1/iam");
    assert_ok(&hanzo.get("get-users", &[("owner", "acme")]).await);
    let wrong_prefix = format!("{}/api/get-users?owner=acme", hanzo.iam.url());
    let response = hanzo.authed(hanzo.http.get(wrong_prefix)).send().await;
    let status = response.expect("request reaches the fake").status();
    assert_eq!(status, StatusCode::NOT_FOUND);

    let casdoor = Api::casdoor().await;
    assert_eq!(casdoor.iam.api_prefix(), "/api");
    let with_query_credentials = casdoor.http.get(casdoor.url("get-users")).query(&[
        ("owner", "acme"),
        ("clientId", "syncer-app"),
        ("clientSecret", "syncer-secret"),
    ]);
    let (_, body) = Api::send(with_query_credentials).await;
    assert_ok(&body);
    let wrong_prefix = format!("{}/v1/iam/get-users?owner=acme", casdoor.iam.url());
    let response = casdoor.authed(casdoor.http.get(wrong_prefix)).send().await;
    let status = response.expect("request reaches the fake").status();
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn hanzo_refuses_user_reads_and_writes_to_an_app_outside_the_allowlist() {
    let api = Api::start(FakeIamConfig {
        app_may_manage_users: false,
        ..FakeIamConfig::default()
    })
    .await;
    api.iam.insert_user(alice());

    let refused = [
        api.get("get-users", &[("owner", "acme")]).await,
        api.get("get-user", &[("id", "acme/alice")]).await,
        api.get("get-groups", &[("owner", "acme")]).await,
        api.add_user(json!({"owner": "acme", "name": "bob"})).await,
        api.post(
            "update-user",
            &[("id", "acme/alice"), ("columns", "title")],
            alice(),
        )
        .await,
        api.post(
            "delete-user",
            &[],
            json!({"owner": "acme", "name": "alice"}),
        )
        .await,
    ];
    for answer in &refused {
        assert_error(answer, "Unauthorized operation");
    }
    // The Test Connection probe still works.
    let org = api.get("get-organization", &[("id", "admin/acme")]).await;
    assert_eq!(org["data"]["name"], "acme");
    assert_eq!(api.iam.users("acme").len(), 1);
}

#[tokio::test]
async fn get_users_pages_with_total_in_data2_and_repeats_the_last_page() {
    let api = Api::hanzo().await;
    for i in 0..25 {
        api.iam.insert_user(json!({
            "owner": "acme", "name": format!("user{i:02}"), "password": "secret",
            "createdTime": format!("2024-01-01T00:00:{i:02}Z"),
        }));
    }

    let mut seen = Vec::new();
    for (p, expected) in [("1", 10), ("2", 10), ("3", 5)] {
        let page = api
            .get(
                "get-users",
                &[("owner", "acme"), ("p", p), ("pageSize", "10")],
            )
            .await;
        assert_eq!(page["data2"], 25);
        let rows = page["data"].as_array().expect("data is a list");
        assert_eq!(rows.len(), expected, "page {p}");
        assert!(rows.iter().all(|u| u["password"] == "***"));
        seen.extend(
            rows.iter()
                .map(|u| u["name"].as_str().unwrap_or("").to_string()),
        );
    }
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), 25);

    let page1 = api
        .get(
            "get-users",
            &[("owner", "acme"), ("p", "1"), ("pageSize", "10")],
        )
        .await;
    assert_eq!(
        page1["data"][0]["name"], "user24",
        "newest createdTime first"
    );
    let page3 = api
        .get(
            "get-users",
            &[("owner", "acme"), ("p", "3"), ("pageSize", "10")],
        )
        .await;
    let page4 = api
        .get(
            "get-users",
            &[("owner", "acme"), ("p", "4"), ("pageSize", "10")],
        )
        .await;
    assert_eq!(
        page4["data"], page3["data"],
        "Beego clamps p to the last page"
    );

    let all = api.get("get-users", &[("owner", "acme")]).await;
    assert_eq!(all["data"].as_array().map(Vec::len), Some(25));
    assert_eq!(all["data2"], Value::Null);
}

#[tokio::test]
async fn get_users_filters_by_group_name() {
    let api = Api::hanzo().await;
    api.iam
        .insert_user(json!({"owner": "acme", "name": "in", "groups": ["acme/sales"]}));
    api.iam
        .insert_user(json!({"owner": "acme", "name": "out", "groups": ["acme/ops"]}));
    let members = api
        .get("get-users", &[("owner", "acme"), ("groupName", "sales")])
        .await;
    let names: Vec<&Value> = members["data"].as_array().into_iter().flatten().collect();
    assert_eq!(names.len(), 1);
    assert_eq!(names[0]["name"], "in");
    let paged = api
        .get(
            "get-users",
            &[
                ("owner", "acme"),
                ("groupName", "sales"),
                ("p", "1"),
                ("pageSize", "5"),
            ],
        )
        .await;
    assert_eq!(paged["data2"], 1);
}

#[tokio::test]
async fn add_user_validates_names_duplicates_and_organization_like_iam() {
    let api = Api::hanzo().await;
    assert_eq!(api.add_user(alice()).await["data"], "Affected");

    let bad_name = "The username may only contain alphanumeric characters, underlines or \
                    hyphens, cannot have consecutive hyphens or underlines, and cannot begin or \
                    end with a hyphen or underline.";
    for name in ["Zhang San", "a__b", "-lead", "张三"] {
        let answer = api.add_user(json!({"owner": "acme", "name": name})).await;
        assert_error(&answer, bad_name);
    }
    let slash = api.add_user(json!({"owner": "acme", "name": "a/b"})).await;
    assert_error(
        &slash,
        "Field 'name' contains forbidden characters: \"/?:#&%=+;\"",
    );

    let dup_name = api
        .add_user(json!({"owner": "acme", "name": "alice"}))
        .await;
    assert_error(&dup_name, "Username already exists");
    let dup_email = json!({"owner": "acme", "name": "alice2", "email": "ALICE@acme.io"});
    assert_error(&api.add_user(dup_email).await, "Email already exists");
    let dup_phone = json!({"owner": "acme", "name": "alice3", "phone": "13800000001"});
    assert_error(&api.add_user(dup_phone).await, "Phone already exists");
    let elsewhere = json!({"owner": "nowhere", "name": "bob"});
    assert_error(
        &api.add_user(elsewhere).await,
        "The organization: nowhere does not exist",
    );
    let nameless = json!({"owner": "acme", "displayName": "No Name"});
    assert_error(
        &api.add_user(nameless).await,
        "the user's owner and name should not be empty",
    );

    let stored = api.iam.user("acme", "alice").expect("alice was added");
    assert_eq!(stored["id"], "u-alice", "a given id is kept");
    assert_eq!(stored["registerType"], "Add User");
    assert!(stored["createdTime"]
        .as_str()
        .is_some_and(|t| !t.is_empty()));
    assert_eq!(stored["isForbidden"], false, "Go zero values are filled");
    assert_eq!(stored["groups"], Value::Null);
    assert_eq!(api.iam.users("acme").len(), 1);
}

#[tokio::test]
async fn email_and_phone_uniqueness_can_be_switched_off() {
    let api = Api::start(FakeIamConfig {
        unique_email_and_phone: false,
        ..FakeIamConfig::default()
    })
    .await;
    assert_ok(&api.add_user(alice()).await);
    let twin = json!({"owner": "acme", "name": "alice2", "email": "alice@acme.io",
                      "phone": "13800000001"});
    assert_ok(&api.add_user(twin).await);
    assert_eq!(api.iam.users("acme").len(), 2);
}

#[tokio::test]
async fn user_quota_and_reserved_type_are_enforced() {
    let api = Api::start(FakeIamConfig {
        user_quota: Some(1),
        ..FakeIamConfig::default()
    })
    .await;
    assert_ok(&api.add_user(alice()).await);
    let second = api.add_user(json!({"owner": "acme", "name": "bob"})).await;
    assert_error(&second, "user quota is exceeded");

    let hanzo = Api::hanzo().await;
    let request = hanzo
        .authed(hanzo.http.post(hanzo.url("add-user")))
        .json(&json!({
            "owner": "acme", "name": "svc", "type": "application"
        }));
    let (status, body) = Api::send(request).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body["status"], "error");
}

#[tokio::test]
async fn wrong_json_types_are_refused_like_go() {
    let api = Api::hanzo().await;
    let answer = api
        .add_user(json!({"owner": "acme", "name": "bob", "isForbidden": "true"}))
        .await;
    assert_error(
        &answer,
        "json: cannot unmarshal string into Go struct field User.isForbidden of type bool",
    );
    let answer = api
        .add_user(json!({"owner": "acme", "name": "bob", "properties": {"n": 1}}))
        .await;
    assert_error(
        &answer,
        "json: cannot unmarshal number into Go struct field User.properties of type string",
    );
}

#[tokio::test]
async fn update_user_writes_exactly_the_listed_columns() {
    let api = Api::hanzo().await;
    api.iam.insert_user(alice());
    let before = api.iam.user("acme", "alice").expect("seeded");

    let mut body = before.clone();
    body["displayName"] = json!("Alice Liddell");
    body["isForbidden"] = json!(true);
    body["title"] = json!("changed but not listed");
    body["email"] = json!("changed@acme.io");
    let answer = api
        .post(
            "update-user",
            &[
                ("id", "acme/alice"),
                ("columns", "display_name,is_forbidden"),
            ],
            body,
        )
        .await;
    assert_eq!(answer["data"], "Affected");

    let after = api.iam.user("acme", "alice").expect("still there");
    assert_eq!(after["displayName"], "Alice Liddell");
    assert_eq!(after["isForbidden"], true);
    assert_eq!(after["title"], "Engineer");
    assert_eq!(after["email"], "alice@acme.io");
    assert_eq!(after["properties"], json!({"managedBy": "other"}));

    // A listed column missing from the body is written as Go's zero value.
    let mut partial = json!({"owner": "acme", "name": "alice", "displayName": "Alice Liddell"});
    partial["id"] = after["id"].clone();
    let answer = api
        .post(
            "update-user",
            &[("id", "acme/alice"), ("columns", "title")],
            partial,
        )
        .await;
    assert_ok(&answer);
    assert_eq!(api.iam.user("acme", "alice").expect("kept")["title"], "");

    let calls = api.iam.stats().update_user_calls;
    assert_eq!(calls.len(), 2);
    assert_eq!(calls[0].id, "acme/alice");
    assert_eq!(calls[0].columns, ["display_name", "is_forbidden"]);
}

#[tokio::test]
async fn hanzo_refuses_camel_case_columns_and_names_them() {
    let api = Api::hanzo().await;
    api.iam.insert_user(alice());
    let mut body = alice();
    body["displayName"] = json!("Changed");
    let answer = api
        .post(
            "update-user",
            &[("id", "acme/alice"), ("columns", "displayName")],
            body,
        )
        .await;
    assert_eq!(answer["status"], "error");
    let msg = answer["msg"].as_str().unwrap_or("");
    assert!(
        msg.contains("\"displayName\"") && msg.contains("display_name"),
        "{msg}"
    );
    assert_eq!(
        api.iam.user("acme", "alice").expect("kept")["displayName"],
        "Alice"
    );
}

#[tokio::test]
async fn casdoor_ignores_unknown_columns_and_writes_admin_columns_too() {
    let api = Api::casdoor().await;
    api.iam.insert_user(alice());
    let mut body = alice();
    body["displayName"] = json!("Changed");
    body["email"] = json!("new@acme.io");
    body["title"] = json!("CTO");
    let answer = api
        .post(
            "update-user",
            &[("id", "acme/alice"), ("columns", "displayName")],
            body.clone(),
        )
        .await;
    assert_eq!(answer["data"], "Affected");
    let after = api.iam.user("acme", "alice").expect("kept");
    assert_eq!(
        after["displayName"], "Alice",
        "xorm ignores the camelCase column"
    );
    assert_eq!(
        after["email"], "new@acme.io",
        "applications are admins: email is written"
    );
    assert_eq!(after["title"], "Engineer");

    // No columns: the server's default list (title, display_name, ...).
    let answer = api.post("update-user", &[("id", "acme/alice")], body).await;
    assert_ok(&answer);
    let after = api.iam.user("acme", "alice").expect("kept");
    assert_eq!(after["title"], "CTO");
    assert_eq!(after["displayName"], "Changed");
}

#[tokio::test]
async fn update_user_errors_like_iam() {
    let api = Api::hanzo().await;
    api.iam.insert_user(alice());
    let missing = api
        .post(
            "update-user",
            &[("id", "acme/ghost"), ("columns", "title")],
            json!({"owner": "acme", "name": "ghost"}),
        )
        .await;
    assert_error(&missing, "The user: acme/ghost doesn't exist");

    let mut body = alice();
    body["displayName"] = json!("");
    let query = [("id", "acme/alice"), ("columns", "display_name")];
    let empty_name = api.post("update-user", &query, body.clone()).await;
    assert_error(&empty_name, "Display name cannot be empty");
    let allowed = [
        ("id", "acme/alice"),
        ("columns", "display_name"),
        ("allowEmpty", "1"),
    ];
    assert_ok(&api.post("update-user", &allowed, body).await);

    api.iam
        .insert_user(json!({"owner": "acme", "name": "bob", "email": "bob@acme.io"}));
    let mut steal = alice();
    steal["email"] = json!("bob@acme.io");
    let query = [("id", "acme/alice"), ("columns", "email")];
    assert_error(
        &api.post("update-user", &query, steal).await,
        "Email already exists",
    );
}

#[tokio::test]
async fn update_user_renames_when_the_name_column_is_listed() {
    let api = Api::hanzo().await;
    api.iam.insert_user(alice());
    let mut body = alice();
    body["name"] = json!("alice-l");
    let query = [("id", "acme/alice"), ("columns", "name")];
    assert_eq!(
        api.post("update-user", &query, body).await["data"],
        "Affected"
    );
    assert!(api.iam.user("acme", "alice").is_none());
    assert!(api.iam.user("acme", "alice-l").is_some());
    let by_email = api
        .get("get-user", &[("owner", "acme"), ("email", "alice@acme.io")])
        .await;
    assert_eq!(
        by_email["data"]["name"], "alice-l",
        "indexes follow the rename"
    );
}

#[tokio::test]
async fn delete_user_removes_it_and_a_missing_user_is_unaffected() {
    let api = Api::hanzo().await;
    api.iam.insert_user(alice());
    let gone = api
        .post(
            "delete-user",
            &[],
            json!({"owner": "acme", "name": "alice"}),
        )
        .await;
    assert_eq!(gone["data"], "Affected");
    assert!(api.iam.user("acme", "alice").is_none());
    let again = api
        .post(
            "delete-user",
            &[],
            json!({"owner": "acme", "name": "alice"}),
        )
        .await;
    assert_eq!(again["data"], "Unaffected");

    let soft = Api::start(FakeIamConfig {
        soft_deletion: true,
        ..FakeIamConfig::default()
    })
    .await;
    soft.iam.insert_user(alice());
    let answer = soft
        .post(
            "delete-user",
            &[],
            json!({"owner": "acme", "name": "alice"}),
        )
        .await;
    assert_eq!(answer["data"], "Affected");
    let kept = soft
        .iam
        .user("acme", "alice")
        .expect("soft deletion keeps the row");
    assert_eq!(kept["isDeleted"], true);
}

#[tokio::test]
async fn get_user_finds_by_id_user_id_email_and_phone_and_answers_null_when_missing() {
    let api = Api::hanzo().await;
    api.iam.insert_user(alice());
    let queries: [&[(&str, &str)]; 5] = [
        &[("id", "acme/alice")],
        &[("owner", "acme"), ("userId", "u-alice")],
        &[("owner", "acme"), ("email", "alice@acme.io")],
        &[("owner", "acme"), ("phone", "13800000001")],
        &[("owner", "acme"), ("phone", "+8613800000001")],
    ];
    for query in queries {
        let answer = api.get("get-user", query).await;
        assert_eq!(answer["data"]["name"], "alice", "{query:?}");
    }
    let missing = api.get("get-user", &[("id", "acme/ghost")]).await;
    assert_ok(&missing);
    assert_eq!(missing["data"], Value::Null);
    let by_user_id = api
        .get("get-user", &[("owner", "acme"), ("userId", "nobody")])
        .await;
    assert_eq!(by_user_id["data"], Value::Null);
}

#[tokio::test]
async fn get_organization_answers_the_org_or_null() {
    let api = Api::hanzo().await;
    let org = api.get("get-organization", &[("id", "admin/acme")]).await;
    assert_eq!(org["data"]["name"], "acme");
    let none = api
        .get("get-organization", &[("id", "admin/nowhere")])
        .await;
    assert_ok(&none);
    assert_eq!(none["data"], Value::Null);
    let bad = api.get("get-organization", &[("id", "acme")]).await;
    assert_eq!(bad["status"], "error");
}

#[tokio::test]
async fn group_deletion_is_refused_while_it_has_children_or_members() {
    let api = Api::hanzo().await;
    let sales = json!({"owner": "acme", "name": "sales", "displayName": "Sales",
                       "parentId": "acme", "isTopGroup": true, "type": "Virtual"});
    let eu = json!({"owner": "acme", "name": "sales-eu", "displayName": "Sales EU",
                    "parentId": "sales", "type": "Virtual"});
    assert_eq!(
        api.post("add-group", &[], sales.clone()).await["data"],
        "Affected"
    );
    assert_ok(&api.post("add-group", &[], eu.clone()).await);
    api.iam.insert_user(
        json!({"owner": "acme", "name": "erin", "displayName": "Erin",
                               "groups": ["acme/sales-eu"]}),
    );

    let groups = api.get("get-groups", &[("owner", "acme")]).await;
    let listed = groups["data"].as_array().expect("groups list");
    let eu_listed = listed
        .iter()
        .find(|g| g["name"] == "sales-eu")
        .expect("listed");
    assert_eq!(eu_listed["users"], json!(["acme/erin"]));

    assert_error(
        &api.post("delete-group", &[], sales.clone()).await,
        "group has children group",
    );
    assert_error(
        &api.post("delete-group", &[], eu.clone()).await,
        "group has users",
    );

    let erin = api.get("get-user", &[("id", "acme/erin")]).await["data"].clone();
    let mut left = erin;
    left["groups"] = json!([]);
    let query = [("id", "acme/erin"), ("columns", "groups")];
    assert_ok(&api.post("update-user", &query, left).await);
    assert_eq!(api.post("delete-group", &[], eu).await["data"], "Affected");
    assert_eq!(
        api.post("delete-group", &[], sales).await["data"],
        "Affected"
    );
    assert!(api.iam.groups("acme").is_empty());
}

#[tokio::test]
async fn group_names_are_checked_and_unique_across_organizations() {
    let api = Api::start(FakeIamConfig {
        organizations: vec!["acme".into(), "globex".into()],
        ..FakeIamConfig::default()
    })
    .await;
    let group = |owner: &str, name: &str| json!({"owner": owner, "name": name, "parentId": owner});
    assert_ok(&api.post("add-group", &[], group("acme", "1")).await);
    let clash = api.post("add-group", &[], group("globex", "1")).await;
    assert_eq!(clash["status"], "error", "group names have a unique index");
    assert_error(
        &api.post("add-group", &[], group("acme", "")).await,
        "group name can't be empty",
    );
    assert_error(
        &api.post("add-group", &[], group("acme", "globex")).await,
        "group name can't be same as the organization name",
    );

    let mut renamed = group("acme", "1");
    renamed["displayName"] = json!("One");
    let query = [("id", "acme/1")];
    assert_ok(&api.post("update-group", &query, renamed).await);
    let one = api.get("get-group", &[("id", "acme/1")]).await;
    assert_eq!(one["data"]["displayName"], "One");
    let missing = api
        .post(
            "update-group",
            &[("id", "acme/none")],
            group("acme", "none"),
        )
        .await;
    assert_eq!(missing["data"], "Unaffected");
}

#[tokio::test]
async fn injected_failures_answer_status_error_for_that_user_only() {
    let api = Api::hanzo().await;
    api.iam.fail_user_writes("bob", "boom");
    let bob = api.add_user(json!({"owner": "acme", "name": "bob"})).await;
    assert_error(&bob, "boom");
    assert_ok(&api.add_user(alice()).await);
    api.iam.clear_user_write_failures();
    assert_ok(&api.add_user(json!({"owner": "acme", "name": "bob"})).await);
}

#[tokio::test]
async fn stats_count_calls_writes_and_peak_concurrency() {
    let api = Api::start(FakeIamConfig {
        latency: Duration::from_millis(100),
        ..FakeIamConfig::default()
    })
    .await;
    let mut requests = tokio::task::JoinSet::new();
    for _ in 0..6 {
        let request = api.authed(
            api.http
                .get(api.url("get-users"))
                .query(&[("owner", "acme")]),
        );
        requests.spawn(Api::send(request));
    }
    while let Some(done) = requests.join_next().await {
        assert_ok(&done.expect("request task finishes").1);
    }
    api.add_user(alice()).await;
    api.add_user(alice()).await;

    let stats = api.iam.stats();
    assert_eq!(stats.calls_to("get-users"), 6);
    assert_eq!(stats.writes_to("add-user"), 2);
    assert_eq!(stats.total_writes, 2);
    assert_eq!(stats.applied_writes, 1, "the duplicate was refused");
    assert!(stats.max_concurrent >= 2, "{stats:?}");

    api.iam.reset_stats();
    assert_eq!(api.iam.stats().total_writes, 0);
    assert_eq!(api.iam.users("acme").len(), 1);
}

#[tokio::test]
async fn thousands_of_users_page_through_completely() {
    let api = Api::hanzo().await;
    for i in 0..3000 {
        api.iam.insert_user(json!({
            "owner": "acme", "name": format!("u{i}"), "email": format!("u{i}@acme.io"),
            "createdTime": format!("2024-01-01T00:{:02}:{:02}Z", (i / 60) % 60, i % 60),
        }));
    }
    let mut names = Vec::new();
    for p in 1..=30 {
        let page = p.to_string();
        let answer = api
            .get(
                "get-users",
                &[("owner", "acme"), ("p", &page), ("pageSize", "100")],
            )
            .await;
        assert_eq!(answer["data2"], 3000);
        let rows = answer["data"].as_array().expect("data is a list");
        names.extend(
            rows.iter()
                .filter_map(|u| u["name"].as_str())
                .map(str::to_string),
        );
    }
    names.sort();
    names.dedup();
    assert_eq!(
        names.len(),
        3000,
        "no user is skipped or repeated across pages"
    );
    let dup = api
        .add_user(json!({"owner": "acme", "name": "late", "email": "U2999@acme.io"}))
        .await;
    assert_error(&dup, "Email already exists");
}
