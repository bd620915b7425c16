//! The Hanzo IAM target: Casdoor-style HTTP API under a configurable prefix (`/v1/iam` for Hanzo,
//! `/api` for Casdoor), authenticated as an application with HTTP Basic. Every answer is HTTP
//! 200 with `{status, msg, data, data2}`; `status: "error"` is a failure whose `msg` reaches the
//! operator. Updates send the full user and the snake_case columns that changed.

mod client;
mod lookup;
mod test_connection;

use async_trait::async_trait;
use serde_json::Value;
use syncer_core::{
    ConnectionCheck, FieldValue, IamField, IamGroup, IamUser, ListedUser, Target, TargetError,
    UserKeys,
};

use crate::config::IamSettings;
use client::{Envelope, IamClient};

pub use client::IamClientError;

/// Users read per `get-users` page.
const PAGE_SIZE: usize = 500;

/// The call that reads one whole user.
const GET_USER: &str = "get-user";

/// What a JSON value is, for messages about answers of the wrong shape.
fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// A user object IAM sent, without what is never journaled (passwords, hashes, keys, tokens).
fn without_secrets(mut user: serde_json::Map<String, Value>) -> serde_json::Map<String, Value> {
    user.retain(|key, _| !syncer_core::is_secret_key(key));
    user
}

/// A Hanzo IAM server as a target.
pub struct IamTarget {
    client: IamClient,
}

impl IamTarget {
    /// A target for the server in `settings`; fails when its HTTP client cannot be built.
    pub fn new(settings: IamSettings) -> Result<Self, IamClientError> {
        Ok(Self {
            client: IamClient::new(settings)?,
        })
    }

    /// The user `owner/name` with every field, as IAM holds it now.
    async fn stored_user(&self, id: &str) -> Result<serde_json::Map<String, Value>, TargetError> {
        self.stored_user_if_any(id)
            .await?
            .ok_or_else(|| TargetError::Rejected {
                api: GET_USER.to_owned(),
                message: format!("user {id} no longer exists in IAM"),
            })
    }

    /// [`Self::stored_user`], `None` when IAM has no such user (`data: null`).
    async fn stored_user_if_any(
        &self,
        id: &str,
    ) -> Result<Option<serde_json::Map<String, Value>>, TargetError> {
        let envelope: Envelope = self.client.get(GET_USER, &[("id", id.to_owned())]).await?;
        match envelope.data.unwrap_or(Value::Null) {
            _ if envelope.status == "error" => Err(TargetError::Rejected {
                api: GET_USER.to_owned(),
                message: self.client.explain(&envelope.msg),
            }),
            Value::Object(user) => Ok(Some(user)),
            Value::Null => Ok(None),
            other => Err(TargetError::Unavailable {
                api: GET_USER.to_owned(),
                message: format!(
                    "IAM answered user {id} with {}, not a user object; check `endpoint` and `api_prefix`",
                    kind_of(&other)
                ),
            }),
        }
    }

    /// One page of the organization's users, ordered by name: IAM's default order
    /// (`created_time DESC`) has no tiebreaker, and users created in the same second would
    /// come in a different order on every page request — skipping some, repeating others.
    async fn page(
        &self,
        organization: &str,
        page: usize,
    ) -> Result<(Vec<IamUser>, Option<usize>), TargetError> {
        let query = [
            ("owner", organization.to_owned()),
            ("p", page.to_string()),
            ("pageSize", PAGE_SIZE.to_string()),
            ("sortField", "name".to_owned()),
            ("sortOrder", "ascend".to_owned()),
        ];
        // Parsed straight into lean users: no JSON tree of the page, and of a user's ~180
        // fields only those a mapping can write. Updates fetch the full body before writing.
        let envelope: Envelope<Vec<ListedUser>> = self.client.list("get-users", &query).await?;
        let total = match &envelope.data2 {
            Value::Number(n) => match n.as_u64() {
                Some(n) => Some(usize::try_from(n).unwrap_or(usize::MAX)),
                None => {
                    return Err(TargetError::Unavailable {
                        api: "get-users".to_owned(),
                        message: format!(
                            "IAM counts `{n}` users in organization `{organization}`, which is no number of users; the run stops before planning anything"
                        ),
                    })
                }
            },
            _ => None,
        };
        let users: Vec<IamUser> = envelope
            .data
            .unwrap_or_default()
            .into_iter()
            .map(|ListedUser(user)| user)
            .collect();
        Ok((users, total))
    }

    /// Every user of the organization, page by page, and how many IAM says it has. Nothing is
    /// sized from IAM's count, and the read is bounded: by the count IAM gives (a listing that
    /// keeps bringing users past it stops there), and by `max_users` (a count above it, or a
    /// listing without a count that passes it, is an error naming the number).
    async fn read_all_users(
        &self,
        organization: &str,
    ) -> Result<(Vec<IamUser>, Option<usize>), TargetError> {
        let max_users = self.client.settings.max_users;
        let too_many = |what: String| {
            TargetError::Unavailable {
            api: "get-users".to_owned(),
            message: format!(
                "{what} in organization `{organization}`, more than the {max_users} users the syncer reads from one organization (`max_users` in [target]); raise it if the organization is really that large, otherwise IAM's listing is broken and the run stops before planning anything"
            ),
        }
        };
        let mut all: Vec<IamUser> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        let mut announced = None;
        for page in 1.. {
            let (users, total) = self.page(organization, page).await?;
            if let Some(total) = total.filter(|total| *total > max_users) {
                return Err(too_many(format!("IAM counts {total} users")));
            }
            let got = users.len();
            // IAM answers a page past the end with the last page again: stop on a page that
            // brings nobody new, whatever `data2` says.
            let fresh: Vec<IamUser> = users
                .into_iter()
                .filter(|user| seen.insert(user.name.clone()))
                .collect();
            let progressed = !fresh.is_empty();
            announced = total.or(announced);
            all.extend(fresh);
            if all.len() > max_users {
                return Err(too_many(format!(
                    "IAM kept listing new users past {max_users} without a count that ends the listing"
                )));
            }
            let done = match total {
                Some(total) => all.len() >= total,
                None => got < PAGE_SIZE,
            };
            if done || !progressed {
                break;
            }
        }
        Ok((all, announced))
    }

    /// Re-reads a user after a write of `is_forbidden` and fails when IAM kept the old value:
    /// an organization rule can make IAM drop the change silently while answering "Affected",
    /// and a leaver reported as disabled who can still sign in is the worst outcome of all.
    async fn confirm_forbidden(&self, user: &IamUser) -> Result<(), TargetError> {
        let stored = self.stored_user(&user.qualified_name()).await?;
        let stored = stored
            .get(IamField::IsForbidden.json_key())
            .and_then(Value::as_bool)
            .unwrap_or(false);
        if stored == user.is_forbidden {
            return Ok(());
        }
        Err(TargetError::Rejected {
            api: "update-user".to_owned(),
            message: format!(
                "IAM accepted the write but kept is_forbidden = {stored} for {}: the organization's account item \"Is forbidden\" keeps application `{}` from changing it — set its View rule to Public and Modify rule to Self in IAM (Organizations → {} → Account items), or make the application an administrator",
                user.qualified_name(),
                self.client.settings.client_id,
                user.owner
            ),
        })
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

#[async_trait]
impl Target for IamTarget {
    fn describe(&self) -> String {
        format!(
            "Hanzo IAM at {}{}",
            self.client.settings.endpoint, self.client.settings.api_prefix
        )
    }

    async fn list_users(&self, organization: &str) -> Result<Vec<IamUser>, TargetError> {
        // A listing shorter than IAM's own count (users added or removed while paging) is read
        // once more; still short, it is an error: a user missing from the listing would be
        // planned as a create (and refused), a leaver missing from it never deprovisioned.
        let mut shortfall = (0, 0);
        for _ in 0..2 {
            let (users, announced) = self.read_all_users(organization).await?;
            match announced {
                Some(total) if users.len() < total => shortfall = (users.len(), total),
                _ => return Ok(users),
            }
        }
        Err(TargetError::Unavailable {
            api: "get-users".to_owned(),
            message: format!(
                "IAM listed {} of the {} users it counts in organization `{organization}`, twice; the run stops before planning anything",
                shortfall.0, shortfall.1
            ),
        })
    }

    async fn users_for(
        &self,
        organization: &str,
        keys: &UserKeys,
    ) -> Result<Vec<IamUser>, TargetError> {
        lookup::users_for(&self.client, organization, keys).await
    }

    async fn create_user(&self, user: &IamUser) -> Result<(), TargetError> {
        let envelope = self.client.write("add-user", &[], user).await?;
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
        let mut body = self.stored_user(&user.qualified_name()).await?;
        for column in columns {
            let value = match column {
                IamField::Groups => serde_json::json!(user.groups),
                IamField::Properties => serde_json::json!(user.properties),
                field => match user.get(*field) {
                    FieldValue::Text(text) => Value::String(text.into()),
                    FieldValue::Flag(flag) => Value::Bool(flag),
                },
            };
            body.insert(column.json_key().to_owned(), value);
        }
        let names: Vec<&str> = columns.iter().map(|field| field.column()).collect();
        let query = [("id", user.qualified_name()), ("columns", names.join(","))];
        let envelope = self.client.write("update-user", &query, &body).await?;
        if envelope.data() == &Value::String("Unaffected".to_owned()) {
            return Err(TargetError::Rejected {
                api: "update-user".to_owned(),
                message: format!(
                    "IAM answered \"Unaffected\": nothing of {} was written ({})",
                    user.qualified_name(),
                    names.join(", ")
                ),
            });
        }
        if columns.contains(&IamField::IsForbidden) {
            self.confirm_forbidden(user).await?;
        }
        Ok(())
    }

    async fn full_user(&self, user: &IamUser) -> Result<Option<IamUser>, TargetError> {
        let Some(stored) = self.stored_user_if_any(&user.qualified_name()).await? else {
            return Ok(None);
        };
        serde_json::from_value(Value::Object(without_secrets(stored)))
            .map(Some)
            .map_err(|error| TargetError::Unavailable {
                api: GET_USER.to_owned(),
                message: format!(
                    "IAM answered user {} in an unexpected shape ({error}); check `endpoint` and `api_prefix`",
                    user.qualified_name()
                ),
            })
    }

    async fn delete_user(&self, user: &IamUser) -> Result<(), TargetError> {
        self.client
            .write("delete-user", &[], user)
            .await
            .map(|_| ())
    }

    async fn list_groups(&self, organization: &str) -> Result<Vec<IamGroup>, TargetError> {
        const API: &str = "get-groups";
        let query = [("owner", organization.to_owned())];
        let envelope: Envelope = self.client.list(API, &query).await?;
        match envelope.data.unwrap_or(Value::Null) {
            Value::Null => Ok(Vec::new()),
            data => serde_json::from_value(data).map_err(|error| TargetError::Unavailable {
                api: API.to_owned(),
                message: format!("groups in an unexpected shape: {error}"),
            }),
        }
    }

    async fn create_group(&self, group: &IamGroup) -> Result<(), TargetError> {
        let mut group = stored_group(group);
        // IAM inserts the body as it is: a group without these lands disabled and undated.
        group.extra.entry("isEnabled").or_insert(Value::Bool(true));
        group.extra.entry("createdTime").or_insert_with(|| {
            Value::String(chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        });
        self.client
            .write("add-group", &[], &group)
            .await
            .map(|_| ())
    }

    async fn update_group(&self, group: &IamGroup) -> Result<(), TargetError> {
        let query = [("id", group.qualified_name())];
        self.client
            .write("update-group", &query, &stored_group(group))
            .await
            .map(|_| ())
    }

    async fn delete_group(&self, group: &IamGroup) -> Result<(), TargetError> {
        self.client
            .write("delete-group", &[], &stored_group(group))
            .await
            .map(|_| ())
    }

    async fn check(&self, organization: &str) -> Vec<ConnectionCheck> {
        let can_read_users = async { self.page(organization, 1).await.map(|_| ()) };
        test_connection::check(&self.client, organization, can_read_users).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::routing::get;

    /// An IAM that knows no user: `get-user` answers `data: null`.
    async fn iam_without_users() -> String {
        let app = axum::Router::new().route(
            "/v1/iam/get-user",
            get(|| async {
                axum::Json(serde_json::json!({"status": "ok", "msg": "", "data": null}))
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("address"));
        tokio::spawn(async move { axum::serve(listener, app).await });
        url
    }

    /// An IAM whose `get-user` answers `answer` for every user.
    async fn iam_answering(answer: serde_json::Value) -> IamTarget {
        let app = axum::Router::new().route(
            "/v1/iam/get-user",
            get(move || {
                let answer = answer.clone();
                async move { axum::Json(answer) }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("address"));
        tokio::spawn(async move { axum::serve(listener, app).await });
        IamTarget::new(IamSettings {
            endpoint: url,
            client_id: "app".to_owned(),
            client_secret: syncer_core::Secret::new("secret"),
            api_prefix: "/v1/iam".to_owned(),
            timeout: std::time::Duration::from_secs(60),
            max_users: 1_000_000,
        })
        .expect("client")
    }

    fn alice() -> IamUser {
        IamUser {
            owner: "acme".into(),
            name: "alice".into(),
            ..IamUser::default()
        }
    }

    #[tokio::test]
    async fn the_whole_user_comes_without_its_secrets() {
        let target = iam_answering(serde_json::json!({"status": "ok", "msg": "", "data": {
            "owner": "acme", "name": "alice", "displayName": "Alice", "title": "Engineer",
            "password": "***", "passwordSalt": "salt", "accessSecret": "s3cret",
            "totpSecret": "totp", "createdTime": "2024-01-01T00:00:00Z"
        }}))
        .await;
        let user = target
            .full_user(&alice())
            .await
            .expect("read")
            .expect("a user");
        assert_eq!(user.display_name, "Alice");
        assert_eq!(user.extra["createdTime"], "2024-01-01T00:00:00Z");
        for secret in ["password", "passwordSalt", "accessSecret", "totpSecret"] {
            assert!(!user.extra.contains_key(secret), "{secret} is never kept");
        }
    }

    #[tokio::test]
    async fn a_user_iam_does_not_have_is_none_and_a_refusal_names_get_user() {
        let target =
            iam_answering(serde_json::json!({"status": "ok", "msg": "", "data": null})).await;
        assert_eq!(target.full_user(&alice()).await.expect("read"), None);
        let target = iam_answering(
            serde_json::json!({"status": "error", "msg": "Unauthorized operation", "data": null}),
        )
        .await;
        let error = target.full_user(&alice()).await.expect_err("refused");
        assert_eq!(error.api(), "get-user", "{error}");
        assert!(
            error.to_string().contains("Unauthorized operation"),
            "{error}"
        );
    }

    #[tokio::test]
    async fn a_vanished_user_is_reported_by_the_call_that_found_it_gone() {
        let target = IamTarget::new(IamSettings {
            endpoint: iam_without_users().await,
            client_id: "app".to_owned(),
            client_secret: syncer_core::Secret::new("secret"),
            api_prefix: "/v1/iam".to_owned(),
            timeout: std::time::Duration::from_secs(60),
            max_users: 1_000_000,
        })
        .expect("client");
        let user = IamUser {
            owner: "acme".into(),
            name: "alice".into(),
            ..IamUser::default()
        };
        let error = target
            .update_user(&user, &[IamField::DisplayName])
            .await
            .expect_err("the user is gone");
        assert_eq!(error.api(), "get-user", "{error}");
        assert!(
            error.to_string().contains("acme/alice no longer exists"),
            "{error}"
        );
    }
}
