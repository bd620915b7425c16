//! DingTalk as a [`Remote`] of the shared call loop: the token comes from `GET /gettoken` with
//! App Key and App Secret, and every call carries it as the `access_token` query parameter.
//! Answers are judged by [`crate::error`]'s [`syncer_remote::Classify`]. No loop, retry or rate
//! limit lives here.

use serde::de::DeserializeOwned;
use serde_json::Value;
use syncer_remote::{Auth, Caller, TokenScheme};

use crate::api::GET_TOKEN;
use crate::error::{ApiFailure, DingTalkError, DINGTALK};

syncer_remote::remote_app! {
    /// DingTalk's oapi, as the call loop talks to it.
    pub DingTalkApp {
        name: DINGTALK,
        failure: ApiFailure,
        token: TokenScheme::query(GET_TOKEN, "appkey", "appsecret").carried_in_query("access_token"),
    }
}

/// The call loop of one DingTalk app.
pub type DingTalkCaller = Caller<DingTalkApp>;

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
