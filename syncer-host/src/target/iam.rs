//! The Hanzo IAM target: Casdoor-style HTTP API under a configurable prefix (`/v1/iam` for Hanzo,
//! `/api` for Casdoor), authenticated as an application with HTTP Basic. Every answer is HTTP
//! 200 with `{status, msg, data, data2}`; `status: "error"` is a failure whose `msg` reaches the
//! operator. Updates send the full user and the snake_case columns that changed.

use std::time::Duration;

use async_trait::async_trait;
use serde::Deserialize;
use serde_json::Value;
use syncer_core::{ConnectionCheck, FieldValue, IamField, IamGroup, IamUser, Target, TargetError};

use crate::config::IamSettings;

/// Users read per `get-users` page.
const PAGE_SIZE: usize = 500;
/// Retries of a call that got no answer or a 5xx.
const RETRIES: u32 = 2;

/// The IAM answer envelope.
#[derive(Debug, Deserialize)]
struct Envelope<T = Value> {
    #[serde(default)]
    status: String,
    #[serde(default)]
    msg: String,
    #[serde(default = "Option::default")]
    data: Option<T>,
    #[serde(default)]
    data2: Value,
}

impl Envelope {
    /// The `data` field (`null` when absent).
    fn data(&self) -> &Value {
        self.data.as_ref().unwrap_or(&Value::Null)
    }
}

/// A Hanzo IAM server as a target.
pub struct IamTarget {
    http: reqwest::Client,
    settings: IamSettings,
}

impl IamTarget {
    /// A target for the server in `settings`.
    pub fn new(settings: IamSettings) -> Self {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(60))
            .connect_timeout(Duration::from_secs(10))
            .build()
            .unwrap_or_default();
        Self { http, settings }
    }

    fn url(&self, api: &str) -> String {
        format!(
            "{}{}/{}",
            self.settings.endpoint, self.settings.api_prefix, api
        )
    }

    /// Sends a request (retrying transport errors and 5xx) and opens the envelope.
    async fn call<T: serde::de::DeserializeOwned>(
        &self,
        api: &str,
        build: impl Fn(&reqwest::Client) -> reqwest::RequestBuilder,
    ) -> Result<Envelope<T>, TargetError> {
        let unavailable = |message: String| TargetError::Unavailable {
            api: api.to_owned(),
            message: self.settings.client_secret.redact(&message),
        };
        let mut attempt = 0;
        loop {
            let request = build(&self.http).basic_auth(
                &self.settings.client_id,
                Some(self.settings.client_secret.expose()),
            );
            let failure: String = match request.send().await {
                Ok(response) if response.status().is_server_error() => {
                    format!("IAM answered HTTP {}", response.status())
                }
                Ok(response) if !response.status().is_success() => {
                    return Err(unavailable(format!(
                        "IAM answered HTTP {}; check `endpoint` and `api_prefix` (\"/v1/iam\" for Hanzo IAM, \"/api\" for Casdoor)",
                        response.status()
                    )))
                }
                Ok(response) => match response.json::<Envelope<T>>().await {
                    Ok(envelope) => return Ok(envelope),
                    Err(error) => {
                        return Err(unavailable(format!(
                            "the answer is not IAM's JSON envelope ({}); check `endpoint` and `api_prefix`",
                            error.without_url()
                        )))
                    }
                },
                Err(error) => format!(
                    "cannot reach IAM at {}: {}",
                    self.settings.endpoint,
                    error.without_url()
                ),
            };
            if attempt >= RETRIES {
                return Err(unavailable(failure));
            }
            tokio::time::sleep(Duration::from_millis(300 << attempt)).await;
            attempt += 1;
        }
    }

    /// A write: `status: "error"` is a rejection of this one user or group.
    async fn write(
        &self,
        api: &'static str,
        query: &[(&str, String)],
        body: &(impl serde::Serialize + Sync),
    ) -> Result<Envelope, TargetError> {
        let url = self.url(api);
        let envelope = self
            .call(api, |http| http.post(&url).query(query).json(body))
            .await?;
        if envelope.status == "error" {
            return Err(TargetError::Rejected {
                api: api.to_owned(),
                message: explain(&envelope.msg, &self.settings.client_id),
            });
        }
        Ok(envelope)
    }

    /// The user `owner/name` with every field, as IAM holds it now.
    async fn full_user(&self, id: &str) -> Result<serde_json::Map<String, Value>, TargetError> {
        const API: &str = "get-user";
        let url = self.url(API);
        let query = [("id", id.to_owned())];
        let envelope = self.call(API, |http| http.get(&url).query(&query)).await?;
        match envelope.data.unwrap_or(Value::Null) {
            _ if envelope.status == "error" => Err(TargetError::Rejected {
                api: API.to_owned(),
                message: explain(&envelope.msg, &self.settings.client_id),
            }),
            Value::Object(user) => Ok(user),
            _ => Err(TargetError::Rejected {
                api: "update-user".to_owned(),
                message: format!("user {id} no longer exists in IAM"),
            }),
        }
    }

    async fn page(
        &self,
        organization: &str,
        page: usize,
    ) -> Result<(Vec<IamUser>, Option<usize>), TargetError> {
        const API: &str = "get-users";
        let url = self.url(API);
        let query = [
            ("owner", organization.to_owned()),
            ("p", page.to_string()),
            ("pageSize", PAGE_SIZE.to_string()),
        ];
        // Parsed straight into users (no JSON tree of the whole page in between).
        let envelope: Envelope<Vec<IamUser>> =
            self.call(API, |http| http.get(&url).query(&query)).await?;
        if envelope.status == "error" {
            return Err(TargetError::Unavailable {
                api: API.to_owned(),
                message: explain(&envelope.msg, &self.settings.client_id),
            });
        }
        let total = envelope.data2.as_u64().map(|n| n as usize);
        let mut users = envelope.data.unwrap_or_default();
        // An IAM user has ~180 fields; keep only those a mapping can write, so 100,000 users
        // fit in memory. Updates fetch the full, current body right before writing.
        for user in &mut users {
            user.extra.retain(|key, value| {
                IamField::from_json_key(key).is_some() && !is_empty_value(value)
            });
        }
        Ok((users, total))
    }
}

/// A group without the fields IAM computes per request (`users`, `children`, ...), which it
/// would refuse or ignore in a write.
fn stored_group(group: &IamGroup) -> IamGroup {
    let mut group = group.clone();
    for computed in [
        "users",
        "children",
        "haveChildren",
        "parentName",
        "title",
        "key",
    ] {
        group.extra.remove(computed);
    }
    group
}

/// Whether a JSON value carries nothing (IAM sends every field, mostly as `""`).
fn is_empty_value(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::String(text) => text.is_empty(),
        Value::Bool(flag) => !flag,
        _ => false,
    }
}

/// IAM's message, plus the fix when it is the application allowlist or the credentials.
fn explain(msg: &str, client_id: &str) -> String {
    let lower = msg.to_lowercase();
    if lower.contains("admin_apps")
        || lower.contains("not allowed")
        || lower.contains("permission")
        || lower.contains("unauthorized")
    {
        format!(
            "{msg} — IAM does not let application `{client_id}` manage users: the IAM server operator must allow it (add it to IAM_USER_ADMIN_APPS / IAM_SYNCER_ADMIN_APPS in the server's environment, or grant the application admin rights), and check client_id / client_secret"
        )
    } else if msg.is_empty() {
        "IAM answered status \"error\" without a message".to_owned()
    } else {
        msg.to_owned()
    }
}

#[async_trait]
impl Target for IamTarget {
    fn describe(&self) -> String {
        format!(
            "Hanzo IAM at {}{}",
            self.settings.endpoint, self.settings.api_prefix
        )
    }

    async fn list_users(&self, organization: &str) -> Result<Vec<IamUser>, TargetError> {
        let mut all: Vec<IamUser> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for page in 1.. {
            let (users, total) = self.page(organization, page).await?;
            let got = users.len();
            // IAM answers a page past the end with the last page again: stop on a page that
            // brings nobody new, whatever `data2` says.
            let fresh: Vec<IamUser> = users
                .into_iter()
                .filter(|user| seen.insert(user.name.clone()))
                .collect();
            let progressed = !fresh.is_empty();
            if let Some(total) = total {
                // One allocation of the right size instead of doubling (and copying) 100k users.
                all.reserve_exact(total.saturating_sub(all.len()));
            }
            all.extend(fresh);
            let done = match total {
                Some(total) => all.len() >= total,
                None => got < PAGE_SIZE,
            };
            if done || !progressed {
                break;
            }
        }
        Ok(all)
    }

    async fn create_user(&self, user: &IamUser) -> Result<(), TargetError> {
        let envelope = self.write("add-user", &[], user).await?;
        if envelope.data() == &Value::String("Unaffected".to_owned()) {
            return Err(TargetError::Rejected {
                api: "add-user".to_owned(),
                message: format!("IAM did not add user {}", user.qualified_name()),
            });
        }
        Ok(())
    }

    async fn update_user(&self, user: &IamUser, columns: &[IamField]) -> Result<(), TargetError> {
        // Hanzo writes exactly the listed columns from a full body: send the user as IAM holds
        // it now with our columns applied, never a partial one.
        let mut body = self.full_user(&user.qualified_name()).await?;
        for column in columns {
            let value = match column {
                IamField::Groups => serde_json::json!(user.groups),
                IamField::Properties => serde_json::json!(user.properties),
                field => match user.get(*field) {
                    FieldValue::Text(text) => Value::String(text),
                    FieldValue::Flag(flag) => Value::Bool(flag),
                },
            };
            body.insert(column.json_key().to_owned(), value);
        }
        let names: Vec<&str> = columns.iter().map(|field| field.column()).collect();
        let query = [("id", user.qualified_name()), ("columns", names.join(","))];
        self.write("update-user", &query, &body).await.map(|_| ())
    }

    async fn delete_user(&self, user: &IamUser) -> Result<(), TargetError> {
        self.write("delete-user", &[], user).await.map(|_| ())
    }

    async fn list_groups(&self, organization: &str) -> Result<Vec<IamGroup>, TargetError> {
        const API: &str = "get-groups";
        let url = self.url(API);
        let query = [("owner", organization.to_owned())];
        let envelope = self.call(API, |http| http.get(&url).query(&query)).await?;
        if envelope.status == "error" {
            return Err(TargetError::Unavailable {
                api: API.to_owned(),
                message: explain(&envelope.msg, &self.settings.client_id),
            });
        }
        match envelope.data.unwrap_or(Value::Null) {
            Value::Null => Ok(Vec::new()),
            data => serde_json::from_value(data).map_err(|error| TargetError::Unavailable {
                api: API.to_owned(),
                message: format!("groups in an unexpected shape: {error}"),
            }),
        }
    }

    async fn create_group(&self, group: &IamGroup) -> Result<(), TargetError> {
        self.write("add-group", &[], &stored_group(group))
            .await
            .map(|_| ())
    }

    async fn update_group(&self, group: &IamGroup) -> Result<(), TargetError> {
        let query = [("id", group.qualified_name())];
        self.write("update-group", &query, &stored_group(group))
            .await
            .map(|_| ())
    }

    async fn delete_group(&self, group: &IamGroup) -> Result<(), TargetError> {
        self.write("delete-group", &[], &stored_group(group))
            .await
            .map(|_| ())
    }

    async fn check(&self, organization: &str) -> Vec<ConnectionCheck> {
        let mut checks = Vec::new();
        let url = self.url("get-organization");
        let query = [("id", format!("admin/{organization}"))];
        match self
            .call("get-organization", |http| http.get(&url).query(&query))
            .await
        {
            Err(error) => {
                checks.push(ConnectionCheck::failed("IAM reachable", error.to_string()));
                return checks;
            }
            Ok(envelope) if envelope.status == "error" => {
                checks.push(ConnectionCheck::failed(
                    "IAM credentials",
                    format!(
                        "IAM refused application `{}`: {} — check client_id and client_secret in [target]",
                        self.settings.client_id, envelope.msg
                    ),
                ));
                return checks;
            }
            Ok(envelope) if envelope.data().is_null() => {
                checks.push(ConnectionCheck::passed(
                    "IAM credentials",
                    "IAM accepted the application's credentials",
                ));
                checks.push(ConnectionCheck::failed(
                    "IAM organization",
                    format!("organization `{organization}` does not exist in IAM; create it or fix `organization` of this syncer"),
                ));
                return checks;
            }
            Ok(_) => {
                checks.push(ConnectionCheck::passed(
                    "IAM credentials",
                    "IAM accepted the application's credentials",
                ));
                checks.push(ConnectionCheck::passed(
                    "IAM organization",
                    format!("organization `{organization}` exists"),
                ));
            }
        }
        match self.page(organization, 1).await {
            Ok(_) => checks.push(ConnectionCheck::passed(
                "IAM user management",
                format!(
                    "application `{}` may read the organization's users",
                    self.settings.client_id
                ),
            )),
            Err(error) => checks.push(ConnectionCheck::failed(
                "IAM user management",
                error.to_string(),
            )),
        }
        checks
    }
}
