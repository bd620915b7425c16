//! Who is calling: an application (client id + secret) or nobody.
//!
//! Mirrors `getUsernameByClientIdSecret` and `AutoSigninFilter` (hanzoai/iam routers/base.go,
//! routers/auto_signin_filter.go): HTTP Basic first, then `?clientId=&clientSecret=`; a wrong
//! id or secret is an error envelope, no credentials at all is the anonymous principal.

use std::collections::HashMap;

use axum::http::{header, HeaderMap};
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;

use crate::config::FakeIamConfig;
use crate::envelope::Reply;

/// The caller of one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Principal {
    Anonymous,
    /// `app/<application name>`, minted from the client credentials.
    App(String),
}

impl Principal {
    /// The session user id the server would see (`app/<name>` or `""`).
    pub(crate) fn session_id(&self) -> String {
        match self {
            Principal::Anonymous => String::new(),
            Principal::App(name) => format!("app/{name}"),
        }
    }
}

/// Go's `Request.BasicAuth`: `Basic base64(id:secret)`, scheme case-insensitive.
fn basic_auth(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, encoded) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = STANDARD.decode(encoded.trim()).ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (id, secret) = text.split_once(':')?;
    Some((id.to_string(), secret.to_string()))
}

fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let mut parts = value.split(' ');
    match (parts.next(), parts.next(), parts.next()) {
        (Some("Bearer"), Some(token), None) if !token.is_empty() => Some(token),
        _ => None,
    }
}

/// Resolves the caller, or the error envelope the server answers for bad credentials.
pub(crate) fn authenticate(
    config: &FakeIamConfig,
    headers: &HeaderMap,
    query: &HashMap<String, String>,
) -> Result<Principal, Reply> {
    let query_token = query
        .get("accessToken")
        .or_else(|| query.get("access_token"))
        .filter(|token| !token.is_empty());
    if query_token.is_some() || bearer_token(headers).is_some() {
        // The fake issues no OAuth tokens, so none exists in its "database".
        return Err(Reply::error("Access token doesn't exist in database"));
    }

    let (client_id, client_secret) = basic_auth(headers).unwrap_or_else(|| {
        let get = |key: &str| query.get(key).cloned().unwrap_or_default();
        (get("clientId"), get("clientSecret"))
    });
    if client_id.is_empty() || client_secret.is_empty() {
        return Ok(Principal::Anonymous);
    }
    if client_id != config.client_id {
        return Err(Reply::error(format!(
            "Application not found for client ID: {client_id}"
        )));
    }
    if client_secret != config.client_secret {
        return Err(Reply::error(format!(
            "Incorrect client secret for application: {}",
            config.application_name
        )));
    }
    Ok(Principal::App(config.application_name.clone()))
}
