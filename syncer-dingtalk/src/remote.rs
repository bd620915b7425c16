//! DingTalk as a [`Remote`] of the shared call loop: the token comes from `GET /gettoken` with
//! App Key and App Secret, every call carries it as the `access_token` query parameter, and
//! answers are judged by [`crate::error::classify`]. No loop, retry or rate limit lives here.

use serde::de::DeserializeOwned;
use serde_json::Value;
use syncer_core::Secret;
use syncer_remote::{Answer, Auth, Caller, Remote, Token, Verdict};

use crate::api::GET_TOKEN;
use crate::error::{self, ApiFailure, DingTalkError, DINGTALK};
use crate::settings::DingTalkSettings;

/// One DingTalk app: what the call loop needs to know of it.
pub struct DingTalkApp {
    app_key: String,
    app_secret: Secret,
}

/// The call loop of one DingTalk app.
pub type DingTalkCaller = Caller<DingTalkApp>;

impl Remote for DingTalkApp {
    type Failure = ApiFailure;
    const NAME: &'static str = DINGTALK;
    const TOKEN_API: &'static str = GET_TOKEN;

    fn token_request(&self, http: &reqwest::Client, endpoint: &str) -> reqwest::RequestBuilder {
        http.get(format!("{endpoint}{GET_TOKEN}")).query(&[
            ("appkey", self.app_key.as_str()),
            ("appsecret", self.app_secret.expose()),
        ])
    }

    fn read_token(&self, answer: &Answer) -> Verdict<Token, ApiFailure> {
        error::read_token(&self.app_secret, answer)
    }

    fn authorize(&self, request: reqwest::RequestBuilder, token: &str) -> reqwest::RequestBuilder {
        request.query(&[("access_token", token)])
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
pub fn caller(settings: &DingTalkSettings) -> Result<DingTalkCaller, DingTalkError> {
    let app = DingTalkApp {
        app_key: settings.app_key.clone(),
        app_secret: settings.app_secret.clone(),
    };
    Caller::new(
        app,
        &settings.remote,
        &settings.app_key,
        &settings.app_secret,
    )
}

/// `POST {api}` with `body`, returning its `result`.
pub async fn post<T: DeserializeOwned + Send>(
    caller: &DingTalkCaller,
    api: &'static str,
    body: &Value,
) -> Result<T, DingTalkError> {
    let url = caller.url(api);
    caller
        .call(api, Auth::Token, |http| http.post(&url).json(body))
        .await
}
