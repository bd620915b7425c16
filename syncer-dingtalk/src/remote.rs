//! DingTalk as a [`Remote`] of the shared call loop: the token comes from `GET /gettoken` with
//! App Key and App Secret, and every call carries it as the `access_token` query parameter.
//! Answers are judged by [`crate::error`]'s [`syncer_remote::Classify`]. No loop, retry or rate
//! limit lives here.

use reqwest::{Client, RequestBuilder};
use serde::de::DeserializeOwned;
use serde_json::Value;
use syncer_remote::{AppCredentials, Auth, Caller, Remote};

use crate::api::GET_TOKEN;
use crate::error::{ApiFailure, DingTalkError, DINGTALK};

/// DingTalk's oapi, as the call loop talks to it.
#[derive(Clone, Copy, Debug, Default)]
pub struct DingTalkApp;

/// The call loop of one DingTalk app.
pub type DingTalkCaller = Caller<DingTalkApp>;

impl Remote for DingTalkApp {
    type Failure = ApiFailure;
    const NAME: &'static str = DINGTALK;
    const TOKEN_API: &'static str = GET_TOKEN;

    fn token_request(&self, http: &Client, url: &str, app: &AppCredentials) -> RequestBuilder {
        http.get(url).query(&[
            ("appkey", app.id.as_str()),
            ("appsecret", app.secret.expose()),
        ])
    }

    fn authorize(&self, request: RequestBuilder, token: &str) -> RequestBuilder {
        request.query(&[("access_token", token)])
    }
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
