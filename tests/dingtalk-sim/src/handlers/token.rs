//! `GET /gettoken?appkey=&appsecret=`: checks the app's credentials and hands out the access
//! token (the issuing rules live in `tokens.rs`).

use std::collections::HashMap;

use serde_json::{Map, Value};
use syncer_sim_kit::Issued;

use crate::credentials::Credentials;
use crate::envelope::{ApiError, Reply};

/// Answers `/gettoken`: wrong or missing key/secret is errcode 40089; otherwise `issue` gives the
/// token, answered with its lifetime in seconds.
pub(crate) fn gettoken(
    query: &HashMap<String, String>,
    expected: &Credentials,
    issue: impl FnOnce() -> Issued,
) -> Result<Reply, ApiError> {
    let key = query.get("appkey").map(String::as_str);
    let secret = query.get("appsecret").map(String::as_str);
    if key != Some(expected.app_key.as_str()) || secret != Some(expected.app_secret.as_str()) {
        return Err(ApiError::bad_app_credentials());
    }
    let issued = issue();
    let mut fields = Map::new();
    fields.insert("access_token".into(), Value::String(issued.token));
    fields.insert("expires_in".into(), issued.lifetime.as_secs().into());
    Ok(Reply::TopLevel(fields))
}
