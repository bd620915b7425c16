//! The checks every call passes before its handler answers, in the order Lark's gateway applies
//! them: the app's IP whitelist, gateway failures, the per-API frequency limit, then (except on
//! the token endpoint) the access token and the app's permission scopes.

use std::net::IpAddr;

use syncer_sim_kit::{Refusal, TokenCheck};

use crate::envelope::ApiError;
use crate::faults::Faults;
use crate::handlers::Api;
use crate::state::Shared;

/// The scopes of which contact APIs need any one.
const CONTACT_SCOPES: &[&str] = &[
    "contact:contact.base:readonly",
    "contact:department.organize:readonly",
    "contact:contact:access_as_app",
    "contact:contact:readonly",
    "contact:contact:readonly_as_app",
];

/// Lets a call through to its handler, or says how it fails.
pub(crate) fn admit(
    shared: &Shared,
    faults: &Faults,
    api: Api,
    peer: IpAddr,
    authorization: Option<&str>,
) -> Result<(), ApiError> {
    let core = shared.core();
    let network = core.pass_network(
        faults.ip_denied,
        faults.http_5xx_rate,
        faults.qps_limit,
        api.path(),
    );
    network.map_err(|refusal| match refusal {
        Refusal::IpDenied => ApiError::ip_denied(&peer.to_string()),
        Refusal::Gateway(status) => ApiError::Gateway(status),
        Refusal::RateLimited => ApiError::frequency_limit(),
    })?;
    if api == Api::TenantAccessToken {
        return Ok(());
    }
    let token = match authorization.map(str::trim) {
        None | Some("") => return Err(ApiError::token_missing()),
        Some(value) => value.strip_prefix("Bearer ").unwrap_or(value).trim(),
    };
    if !token.starts_with("t-") && !token.starts_with("u-") {
        return Err(ApiError::token_bad_format());
    }
    match core.check_token(Some(token), faults.token_expires_after_calls) {
        TokenCheck::Valid => {}
        TokenCheck::Unknown | TokenCheck::Expired => return Err(ApiError::token_invalid()),
    }
    if faults.missing_contact_scope {
        return Err(ApiError::scope_missing(CONTACT_SCOPES));
    }
    Ok(())
}
