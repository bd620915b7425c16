//! The directory as a [`syncer_remote::Remote`] of the shared call loop: where the token comes
//! from and how a call carries it, said as a [`TokenScheme`]. What an answer means is [`crate::error`]'s.

use serde::de::DeserializeOwned;
use syncer_remote::{Auth, Caller, TokenScheme};

use crate::api::TOKEN;
use crate::error::{ApiFailure, ExampleError, NAME};
use crate::settings::ExampleSettings;

syncer_remote::remote_app! {
    /// The directory's API, as the call loop talks to it: an OAuth-style token from a JSON
    /// `POST` of the client's id and secret, carried as a bearer header.
    pub ExampleApp {
        name: NAME,
        failure: ApiFailure,
        token: TokenScheme::json(TOKEN, "client_id", "client_secret"),
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
