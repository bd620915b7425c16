//! Lark as a [`Remote`] of the shared call loop: the tenant access token comes from `POST`ing
//! App ID and App Secret to the token endpoint, and every call carries it as
//! `Authorization: Bearer`. Answers are judged by [`crate::error`]'s
//! [`syncer_remote::Classify`]. No loop, retry or rate limit lives here.

use reqwest::{Client, RequestBuilder};
use serde::de::DeserializeOwned;
use syncer_remote::{AppCredentials, Auth, Caller, Remote};

use crate::api::TENANT_ACCESS_TOKEN;
use crate::error::{ApiFailure, LarkError, LARK};

/// Lark's open platform, as the call loop talks to it.
#[derive(Clone, Copy, Debug, Default)]
pub struct LarkApp;

/// The call loop of one Lark app.
pub type LarkCaller = Caller<LarkApp>;

impl Remote for LarkApp {
    type Failure = ApiFailure;
    const NAME: &'static str = LARK;
    const TOKEN_API: &'static str = TENANT_ACCESS_TOKEN;

    fn token_request(&self, http: &Client, url: &str, app: &AppCredentials) -> RequestBuilder {
        http.post(url).json(&serde_json::json!({
            "app_id": app.id,
            "app_secret": app.secret.expose(),
        }))
    }

    fn authorize(&self, request: RequestBuilder, token: &str) -> RequestBuilder {
        request.bearer_auth(token)
    }
}

/// `GET {path}?{query}` of API `api` (its rate-limit key and name in errors), returning `data`.
pub async fn get<T: DeserializeOwned + Send>(
    caller: &LarkCaller,
    api: &'static str,
    path: &str,
    query: &[(&'static str, String)],
) -> Result<T, LarkError> {
    let url = caller.url(path);
    caller
        .call(api, Auth::Token, |http| http.get(&url).query(query))
        .await
}
