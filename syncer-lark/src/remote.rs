//! Lark as a [`Remote`] of the shared call loop: the tenant access token comes from `POST`ing
//! App ID and App Secret to the token endpoint, every call carries it as
//! `Authorization: Bearer`, and answers are judged by [`crate::error::classify`]. No loop,
//! retry or rate limit lives here.

use serde::de::DeserializeOwned;
use syncer_core::Secret;
use syncer_remote::{Answer, Auth, Caller, Remote, Token, Verdict};

use crate::api::TENANT_ACCESS_TOKEN;
use crate::error::{self, ApiFailure, LarkError, LARK};
use crate::settings::LarkSettings;

/// One Lark custom app: what the call loop needs to know of it.
pub struct LarkApp {
    app_id: String,
    app_secret: Secret,
}

/// The call loop of one Lark app.
pub type LarkCaller = Caller<LarkApp>;

impl Remote for LarkApp {
    type Failure = ApiFailure;
    const NAME: &'static str = LARK;
    const TOKEN_API: &'static str = TENANT_ACCESS_TOKEN;

    fn token_request(&self, http: &reqwest::Client, endpoint: &str) -> reqwest::RequestBuilder {
        http.post(format!("{endpoint}{TENANT_ACCESS_TOKEN}"))
            .json(&serde_json::json!({
                "app_id": self.app_id,
                "app_secret": self.app_secret.expose(),
            }))
    }

    fn read_token(&self, answer: &Answer) -> Verdict<Token, ApiFailure> {
        error::read_token(&self.app_secret, answer)
    }

    fn authorize(&self, request: reqwest::RequestBuilder, token: &str) -> reqwest::RequestBuilder {
        request.bearer_auth(token)
    }

    fn classify<T: DeserializeOwned>(
        &self,
        api: &'static str,
        answer: &Answer,
    ) -> Verdict<T, ApiFailure> {
        error::classify(&self.app_secret, api, answer)
    }
}

/// The call loop for the app in `settings`.
pub fn caller(settings: &LarkSettings) -> Result<LarkCaller, LarkError> {
    let app = LarkApp {
        app_id: settings.app_id.clone(),
        app_secret: settings.app_secret.clone(),
    };
    Caller::new(
        app,
        &settings.remote,
        &settings.app_id,
        &settings.app_secret,
    )
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
