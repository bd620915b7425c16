//! The directory as a [`Remote`] of the shared call loop: where the token comes from and how a
//! call carries it. What an answer means is [`crate::error`]'s.

use reqwest::{Client, RequestBuilder};
use serde::de::DeserializeOwned;
use syncer_remote::{AppCredentials, Auth, Caller, Remote};

use crate::api::TOKEN;
use crate::error::{ApiFailure, ExampleError, NAME};
use crate::settings::ExampleSettings;

/// The directory's API, as the call loop talks to it.
#[derive(Clone, Copy, Debug, Default)]
pub struct ExampleApp;

impl Remote for ExampleApp {
    type Failure = ApiFailure;
    const NAME: &'static str = NAME;
    const TOKEN_API: &'static str = TOKEN;

    fn token_request(&self, http: &Client, url: &str, app: &AppCredentials) -> RequestBuilder {
        http.post(url).json(&serde_json::json!({
            "client_id": app.id,
            "client_secret": app.secret.expose(),
        }))
    }

    fn authorize(&self, request: RequestBuilder, token: &str) -> RequestBuilder {
        request.bearer_auth(token)
    }
}

/// The call loop for the API client in `settings`.
pub fn caller(settings: &ExampleSettings) -> Result<Caller<ExampleApp>, ExampleError> {
    Caller::new(ExampleApp, &settings.remote, &settings.app)
}

/// `GET` API `api` for `department`.
pub async fn get<T: DeserializeOwned + Send>(
    caller: &Caller<ExampleApp>,
    api: &'static str,
    department: &str,
) -> Result<T, ExampleError> {
    let url = caller.url(&crate::api::path(api, department));
    caller.call(api, Auth::Token, |http| http.get(&url)).await
}
