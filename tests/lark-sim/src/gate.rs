//! The checks every call passes before its handler answers, in the order Lark's gateway applies
//! them: the app's IP whitelist, gateway failures, the per-API frequency limit, then (except on
//! the token endpoint) the access token and the app's permission scopes.

use std::net::IpAddr;

use syncer_sim_kit::TokenCheck;

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
    shared
        .pass_network(faults, api.path())
        .map_err(|refusal| ApiError::refused(refusal, peer))?;
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
    match shared.check_token(faults, Some(token)) {
        TokenCheck::Valid => {}
        TokenCheck::Unknown | TokenCheck::Expired => return Err(ApiError::token_invalid()),
    }
    if faults.missing_contact_scope {
        return Err(ApiError::scope_missing(CONTACT_SCOPES));
    }
    Ok(())
}
