//! `POST /open-apis/auth/v3/tenant_access_token/internal`: a custom app's tenant access token
//! from its App ID and App Secret (JSON body), with `expire` in seconds.

use serde::Deserialize;
use serde_json::{Map, Value};
use syncer_sim_kit::Issued;

use crate::credentials::Credentials;
use crate::envelope::ApiError;

#[derive(Deserialize)]
struct TokenRequest {
    #[serde(default)]
    app_id: String,
    #[serde(default)]
    app_secret: String,
}

/// Checks the credentials in `body` and hands out a token from `issue`.
pub(crate) fn tenant_access_token(
    body: &[u8],
    credentials: &Credentials,
    issue: impl FnOnce() -> Issued,
) -> Result<Map<String, Value>, ApiError> {
    let request: TokenRequest =
        serde_json::from_slice(body).map_err(|_| ApiError::invalid_param("body is not JSON"))?;
    if request.app_id.is_empty() || request.app_secret.is_empty() {
        return Err(ApiError::invalid_param(
            "app_id and app_secret are required",
        ));
    }
    if request.app_id != credentials.app_id {
        return Err(ApiError::invalid_param("app_id"));
    }
    if request.app_secret != credentials.app_secret {
        return Err(ApiError::app_secret_invalid());
    }
    let issued = issue();
    let mut fields = Map::new();
    fields.insert("tenant_access_token".into(), issued.token.into());
    fields.insert("expire".into(), issued.lifetime.as_secs().into());
    Ok(fields)
}
