//! Lark as a [`Remote`] of the shared call loop: the tenant access token comes from `POST`ing
//! App ID and App Secret to the token endpoint, and every call carries it as
//! `Authorization: Bearer`. Answers are judged by [`crate::error`]'s
//! [`syncer_remote::Classify`]. No loop, retry or rate limit lives here.

use serde::de::DeserializeOwned;
use syncer_remote::{Auth, Caller, TokenScheme};

use crate::api::TENANT_ACCESS_TOKEN;
use crate::error::{ApiFailure, LarkError, LARK};

syncer_remote::remote_app! {
    /// Lark's open platform, as the call loop talks to it.
    pub LarkApp {
        name: LARK,
        failure: ApiFailure,
        token: TokenScheme::json(TENANT_ACCESS_TOKEN, "app_id", "app_secret"),
    }
}

/// The call loop of one Lark app.
pub type LarkCaller = Caller<LarkApp>;

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
