//! The directory as a [`Remote`] of the shared call loop: where the token comes from, how a
//! call carries it, and which function judges an answer.

use serde::de::DeserializeOwned;
use syncer_core::Secret;
use syncer_remote::{Answer, Auth, Caller, Remote, Token, Verdict};

use crate::api::TOKEN;
use crate::error::{self, ApiFailure, ExampleError, NAME};
use crate::settings::ExampleSettings;

/// One API client of the directory.
pub struct ExampleApp {
    client_id: String,
    client_secret: Secret,
}

impl Remote for ExampleApp {
    type Failure = ApiFailure;
    const NAME: &'static str = NAME;
    const TOKEN_API: &'static str = TOKEN;

    fn token_request(&self, http: &reqwest::Client, endpoint: &str) -> reqwest::RequestBuilder {
        http.post(format!("{endpoint}{TOKEN}"))
            .json(&serde_json::json!({
                "client_id": self.client_id,
                "client_secret": self.client_secret.expose(),
            }))
    }

    fn read_token(&self, answer: &Answer) -> Verdict<Token, ApiFailure> {
        error::read_token(&self.client_secret, answer)
    }

    fn authorize(&self, request: reqwest::RequestBuilder, token: &str) -> reqwest::RequestBuilder {
        request.bearer_auth(token)
    }

    fn classify<T: DeserializeOwned>(
        &self,
        api: &'static str,
        answer: &Answer,
    ) -> Verdict<T, ApiFailure> {
        error::classify(&self.client_secret, api, answer)
    }
}

/// The call loop for the API client in `settings`.
pub fn caller(settings: &ExampleSettings) -> Result<Caller<ExampleApp>, ExampleError> {
    let app = ExampleApp {
        client_id: settings.client_id.clone(),
        client_secret: settings.client_secret.clone(),
    };
    Caller::new(
        app,
        &settings.remote,
        &settings.client_id,
        &settings.client_secret,
    )
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
