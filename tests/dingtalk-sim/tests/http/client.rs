//! A minimal oapi client for the tests: just enough to call every endpoint and read the envelope.

use serde_json::{json, Value};
use syncer_dingtalk_sim::{Credentials, FakeDingTalk, Faults, Org, OrgSpec, SimUser};

/// A server plus an HTTP client pointed at it.
pub struct Sim {
    pub server: FakeDingTalk,
    http: reqwest::Client,
}

impl Sim {
    pub async fn start(org: Org, faults: Faults) -> Sim {
        let server = FakeDingTalk::start(org, Credentials::demo(), faults)
            .await
            .expect("bind a loopback port");
        Sim {
            server,
            http: reqwest::Client::new(),
        }
    }

    /// The default generated org, no faults.
    pub async fn default() -> Sim {
        Sim::start(Org::generate(&OrgSpec::default()), Faults::default()).await
    }

    /// `/gettoken` with the given credentials: HTTP status and body.
    pub async fn gettoken_with(&self, key: &str, secret: &str) -> (u16, Value) {
        let response = self
            .http
            .get(format!("{}/gettoken", self.server.url()))
            .query(&[("appkey", key), ("appsecret", secret)])
            .send()
            .await
            .expect("gettoken request");
        let status = response.status().as_u16();
        (
            status,
            response.json().await.expect("gettoken answers JSON"),
        )
    }

    /// `/gettoken` with the demo credentials.
    pub async fn gettoken(&self) -> Value {
        let demo = Credentials::demo();
        let (status, body) = self.gettoken_with(&demo.app_key, &demo.app_secret).await;
        assert_eq!(status, 200);
        body
    }

    /// A valid access token.
    pub async fn token(&self) -> String {
        let body = self.gettoken().await;
        assert_eq!(body["errcode"], 0, "{body}");
        body["access_token"]
            .as_str()
            .expect("access_token is a string")
            .to_owned()
    }

    /// POST `path?access_token=token` with a JSON body: HTTP status and raw body text.
    pub async fn post_raw(&self, path: &str, token: Option<&str>, body: &Value) -> (u16, String) {
        let mut request = self.http.post(format!("{}{path}", self.server.url()));
        if let Some(token) = token {
            request = request.query(&[("access_token", token)]);
        }
        let response = request.json(body).send().await.expect("POST request");
        let status = response.status().as_u16();
        (status, response.text().await.expect("response body"))
    }

    /// POST expecting DingTalk's HTTP 200 JSON envelope.
    pub async fn post(&self, path: &str, token: &str, body: Value) -> Value {
        let (status, text) = self.post_raw(path, Some(token), &body).await;
        assert_eq!(status, 200, "{text}");
        let value: Value = serde_json::from_str(&text).expect("JSON envelope");
        assert!(value["errcode"].is_i64(), "{value}");
        assert!(value["errmsg"].is_string(), "{value}");
        assert!(value["request_id"].is_string(), "{value}");
        value
    }

    /// One page of `/topapi/v2/user/list`.
    pub async fn user_page(&self, token: &str, dept_id: i64, cursor: i64, size: i64) -> Value {
        self.post(
            "/topapi/v2/user/list",
            token,
            json!({"dept_id": dept_id, "cursor": cursor, "size": size,
                   "contain_access_limit": false, "language": "zh_CN"}),
        )
        .await
    }

    /// Every member of a department, following the cursor.
    pub async fn all_members(&self, token: &str, dept_id: i64) -> Vec<Value> {
        let mut cursor = 0;
        let mut members = Vec::new();
        loop {
            let page = self.user_page(token, dept_id, cursor, 100).await;
            assert_eq!(page["errcode"], 0, "{page}");
            let result = &page["result"];
            members.extend(result["list"].as_array().expect("list").iter().cloned());
            if result["has_more"] != true {
                assert!(result.get("next_cursor").is_none(), "{result}");
                return members;
            }
            cursor = result["next_cursor"].as_i64().expect("next_cursor");
        }
    }
}

/// An org with one department (`id`) of `n` members under the root.
pub fn org_with_big_department(n: usize) -> (Org, i64) {
    let mut org = Org::empty("大部门公司");
    let dept = org.add_department(1, "研发中心").expect("root exists");
    for i in 0..n {
        let mut user = SimUser::new(format!("user{i:04}"), format!("员工{i}"), vec![dept]);
        user.unionid = format!("union{i:04}");
        user.mobile = format!("138{i:08}");
        org.add_user(user);
    }
    (org, dept)
}
