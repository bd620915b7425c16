//! The fake Lark over real HTTP, as a client of Lark's documented contract sees it: tokens,
//! paging, the envelope and the error codes.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{json, Value};
use syncer_lark_sim::{codes, paths, Credentials, DeptFault, FakeLark, Faults, LarkOrg, OrgSpec};

struct Client {
    http: reqwest::Client,
    base: String,
}

impl Client {
    fn new(server: &FakeLark) -> Client {
        Client {
            http: reqwest::Client::new(),
            base: server.url(),
        }
    }

    async fn token_answer(&self, app_id: &str, app_secret: &str) -> (u16, Value) {
        let response = self
            .http
            .post(format!("{}{}", self.base, paths::TENANT_ACCESS_TOKEN))
            .json(&json!({ "app_id": app_id, "app_secret": app_secret }))
            .send()
            .await
            .expect("token call");
        let status = response.status().as_u16();
        (status, response.json().await.expect("JSON answer"))
    }

    async fn token(&self) -> String {
        let creds = Credentials::demo();
        let (_, answer) = self.token_answer(&creds.app_id, &creds.app_secret).await;
        answer["tenant_access_token"]
            .as_str()
            .expect("token")
            .to_owned()
    }

    async fn get(&self, path: &str, token: Option<&str>, query: &[(&str, &str)]) -> (u16, Value) {
        let mut request = self.http.get(format!("{}{path}", self.base)).query(query);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.expect("call");
        let status = response.status().as_u16();
        (status, response.json().await.expect("JSON answer"))
    }

    /// Every item of a paged list, following `page_token` while `has_more`.
    async fn all(&self, path: &str, token: &str, query: &[(&str, &str)]) -> Vec<Value> {
        let mut items = Vec::new();
        let mut page_token = String::new();
        loop {
            let mut query = query.to_vec();
            if !page_token.is_empty() {
                query.push(("page_token", &page_token));
            }
            let (status, answer) = self.get(path, Some(token), &query).await;
            assert_eq!((status, &answer["code"]), (200, &json!(0)), "{answer}");
            items.extend(
                answer["data"]["items"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default(),
            );
            if answer["data"]["has_more"] != true {
                return items;
            }
            page_token = answer["data"]["page_token"]
                .as_str()
                .expect("next token")
                .to_owned();
        }
    }
}

async fn start(faults: Faults) -> (FakeLark, LarkOrg) {
    let org = LarkOrg::generate(&OrgSpec::default());
    let server = FakeLark::start(org.clone(), Credentials::demo(), faults)
        .await
        .expect("start fake Lark");
    (server, org)
}

fn children_path(department: &str) -> String {
    format!("/open-apis/contact/v3/departments/{department}/children")
}

#[tokio::test]
async fn the_token_is_handed_out_again_and_wrong_credentials_are_refused() {
    let (server, _) = start(Faults::default()).await;
    let client = Client::new(&server);
    let creds = Credentials::demo();
    let (status, first) = client.token_answer(&creds.app_id, &creds.app_secret).await;
    assert_eq!((status, &first["code"]), (200, &json!(0)));
    assert!(first["tenant_access_token"]
        .as_str()
        .is_some_and(|t| t.starts_with("t-")));
    assert_eq!(first["expire"], 7200);
    let (_, second) = client.token_answer(&creds.app_id, &creds.app_secret).await;
    assert_eq!(first["tenant_access_token"], second["tenant_access_token"]);
    let (status, wrong) = client.token_answer(&creds.app_id, "not-the-secret").await;
    assert_eq!(
        (status, &wrong["code"]),
        (400, &json!(codes::APP_SECRET_INVALID))
    );
    let (_, unknown) = client.token_answer("cli_unknown", &creds.app_secret).await;
    assert_eq!(unknown["code"], codes::INVALID_PARAM);
    assert_eq!(server.stats().tokens_issued, 1);
}

#[tokio::test]
async fn calls_without_a_valid_token_are_refused() {
    let (server, _) = start(Faults::default()).await;
    let client = Client::new(&server);
    let path = children_path("0");
    assert_eq!(
        client.get(&path, None, &[]).await.1["code"],
        codes::TOKEN_MISSING
    );
    let stale = "t-00000000000000000000000000000000";
    assert_eq!(
        client.get(&path, Some(stale), &[]).await.1["code"],
        codes::TOKEN_INVALID
    );
    assert_eq!(
        client.get(&path, Some("abc"), &[]).await.1["code"],
        codes::TOKEN_BAD_FORMAT
    );
}

#[tokio::test]
async fn paging_reaches_every_department_and_person_exactly_once() {
    let (server, org) = start(Faults::default()).await;
    let client = Client::new(&server);
    let token = client.token().await;
    let departments = client
        .all(
            &children_path("0"),
            &token,
            &[("fetch_child", "true"), ("page_size", "5")],
        )
        .await;
    assert_eq!(departments.len(), org.departments.len() - 1);
    let mut people = BTreeMap::new();
    let ids = std::iter::once("0".to_owned()).chain(
        departments
            .iter()
            .map(|d| d["open_department_id"].as_str().expect("id").to_owned()),
    );
    for id in ids {
        let query = [
            ("department_id", id.as_str()),
            ("page_size", "7"),
            ("user_id_type", "user_id"),
        ];
        for user in client.all(paths::USERS_BY_DEPARTMENT, &token, &query).await {
            let user_id = user["user_id"].as_str().expect("user_id").to_owned();
            *people.entry(user_id).or_insert(0) += 1;
            assert!(user["department_ids"]
                .as_array()
                .is_some_and(|d| d.contains(&json!(id))));
        }
    }
    let expected: BTreeSet<String> = org.users.iter().map(|u| u.user_id.clone()).collect();
    assert_eq!(people.keys().cloned().collect::<BTreeSet<_>>(), expected);
    assert!(
        people.values().any(|n| *n > 1),
        "someone sits in two departments"
    );
    let stats = server.stats();
    assert_eq!(stats.duplicate_pages(), 0);
    assert!(stats.calls(paths::DEPARTMENT_CHILDREN) >= 3);
    assert!(stats.pages(paths::USERS_BY_DEPARTMENT) >= org.departments.len() as u64);
}

#[tokio::test]
async fn page_sizes_beyond_fifty_and_foreign_page_tokens_are_refused() {
    let (server, _) = start(Faults::default()).await;
    let client = Client::new(&server);
    let token = client.token().await;
    let (status, answer) = client
        .get(&children_path("0"), Some(&token), &[("page_size", "51")])
        .await;
    assert_eq!(
        (status, &answer["code"]),
        (400, &json!(codes::PAGE_SIZE_TOO_LARGE))
    );
    let (_, first) = client
        .get(
            paths::USERS_BY_DEPARTMENT,
            Some(&token),
            &[("department_id", "0"), ("page_size", "1")],
        )
        .await;
    let page_token = first["data"]["page_token"]
        .as_str()
        .expect("more than one root member");
    let (_, foreign) = client
        .get(
            &children_path("0"),
            Some(&token),
            &[("page_token", page_token)],
        )
        .await;
    assert_eq!(foreign["code"], codes::PAGE_TOKEN_INVALID);
}

#[tokio::test]
async fn faults_answer_with_lark_codes_and_statuses() {
    let (server, org) = start(Faults::default()).await;
    let failing = org.departments[1].open_department_id.clone();
    server.set_faults(Faults {
        failing_departments: BTreeMap::from([(failing.clone(), DeptFault::NoAuthority)]),
        ..Faults::default()
    });
    let client = Client::new(&server);
    let token = client.token().await;
    let (status, answer) = client
        .get(&children_path(&failing), Some(&token), &[])
        .await;
    assert_eq!(
        (status, &answer["code"]),
        (403, &json!(codes::NO_DEPT_AUTHORITY))
    );

    server.set_faults(Faults {
        missing_contact_scope: true,
        ..Faults::default()
    });
    let (_, answer) = client.get(&children_path("0"), Some(&token), &[]).await;
    assert_eq!(answer["code"], codes::SCOPE_MISSING);
    assert!(answer["msg"]
        .as_str()
        .is_some_and(|m| m.contains("contact:contact.base:readonly")));

    server.set_faults(Faults {
        qps_limit: Some(2),
        ..Faults::default()
    });
    let mut throttled = None;
    for _ in 0..5 {
        let response = client
            .http
            .get(format!("{}{}", client.base, children_path("0")))
            .bearer_auth(&token)
            .send()
            .await
            .expect("call");
        if response.status().as_u16() == 429 {
            throttled = Some(response);
            break;
        }
    }
    let throttled = throttled.expect("the frequency limit applies");
    assert!(throttled.headers().contains_key("x-ogw-ratelimit-reset"));
    let answer: Value = throttled.json().await.expect("JSON");
    assert_eq!(answer["code"], codes::FREQUENCY_LIMIT);
    assert!(server.stats().throttled() >= 1);
}

#[tokio::test]
async fn a_hidden_user_id_and_a_short_lived_token_behave_as_documented() {
    let (server, _) = start(Faults {
        hide_user_id: true,
        token_expires_after_calls: Some(1),
        ..Faults::default()
    })
    .await;
    let client = Client::new(&server);
    let token = client.token().await;
    let query = [("department_id", "0"), ("page_size", "3")];
    let (_, page) = client
        .get(paths::USERS_BY_DEPARTMENT, Some(&token), &query)
        .await;
    let first = &page["data"]["items"][0];
    assert!(first.get("user_id").is_none() && first["open_id"].is_string());
    let (_, expired) = client
        .get(paths::USERS_BY_DEPARTMENT, Some(&token), &query)
        .await;
    assert_eq!(expired["code"], codes::TOKEN_INVALID);
    assert_ne!(client.token().await, token, "a used-up token is replaced");
}

#[tokio::test]
async fn one_person_is_read_by_any_of_their_ids_and_a_leaver_answers_41050() {
    let (server, org) = start(Faults::default()).await;
    let client = Client::new(&server);
    let token = client.token().await;
    let person = &org.users[0];
    let path = format!("/open-apis/contact/v3/users/{}", person.open_id);
    let (status, answer) = client.get(&path, Some(&token), &[]).await;
    assert_eq!((status, &answer["code"]), (200, &json!(0)), "{answer}");
    assert_eq!(answer["data"]["user"]["name"], person.name.as_str());
    assert!(answer["data"]["user"]["department_ids"].is_array());
    let by_user_id = format!("/open-apis/contact/v3/users/{}", person.user_id);
    let (_, answer) = client
        .get(&by_user_id, Some(&token), &[("user_id_type", "user_id")])
        .await;
    assert_eq!(answer["data"]["user"]["open_id"], person.open_id.as_str());
    server.leave(&person.user_id).expect("the person exists");
    let (status, gone) = client.get(&path, Some(&token), &[]).await;
    assert_eq!(
        (status, &gone["code"]),
        (400, &json!(codes::NO_USER_AUTHORITY))
    );
    assert_eq!(server.stats().calls(paths::USER_GET), 3);
    let (_, unknown_type) = client
        .get(&path, Some(&token), &[("user_id_type", "email")])
        .await;
    assert_eq!(unknown_type["code"], codes::PARAM_ERROR);
}

#[tokio::test]
async fn one_department_is_read_and_an_unknown_one_answers_40004() {
    let (server, org) = start(Faults::default()).await;
    let client = Client::new(&server);
    let token = client.token().await;
    let department = &org.departments[1];
    let path = format!(
        "/open-apis/contact/v3/departments/{}",
        department.open_department_id
    );
    let (status, answer) = client.get(&path, Some(&token), &[]).await;
    assert_eq!((status, &answer["code"]), (200, &json!(0)), "{answer}");
    assert_eq!(
        answer["data"]["department"]["name"],
        department.name.as_str()
    );
    let (status, unknown) = client
        .get(
            "/open-apis/contact/v3/departments/od-nope",
            Some(&token),
            &[],
        )
        .await;
    assert_eq!(
        (status, &unknown["code"]),
        (403, &json!(codes::NO_DEPT_AUTHORITY))
    );
    assert_eq!(server.stats().calls(paths::DEPARTMENT_GET), 2);
}

#[tokio::test]
async fn member_count_counts_the_people_below_a_department_once() {
    let (server, org) = start(Faults::default()).await;
    let client = Client::new(&server);
    let token = client.token().await;
    let (_, root) = client
        .get("/open-apis/contact/v3/departments/0", Some(&token), &[])
        .await;
    assert_eq!(
        root["data"]["department"]["member_count"],
        org.users.len(),
        "{root}"
    );
    let parent = org
        .departments
        .iter()
        .find(|d| d.parent.is_some() && !org.children_of(&d.open_department_id).is_empty())
        .expect("a department with sub-departments");
    let below: std::collections::HashSet<&str> = org
        .subtree(&parent.open_department_id)
        .iter()
        .flat_map(|d| org.members_of(d))
        .map(|u| u.user_id.as_str())
        .collect();
    let path = format!(
        "/open-apis/contact/v3/departments/{}",
        parent.open_department_id
    );
    let (_, answer) = client.get(&path, Some(&token), &[]).await;
    assert_eq!(answer["data"]["department"]["member_count"], below.len());
    assert!(below.len() > org.members_of(&parent.open_department_id).len());
}
