//! The checks every call passes before its handler answers, in the order Lark's gateway applies
//! them: the app's IP whitelist, gateway failures, the per-API frequency limit, then (except on
//! the token endpoint) the access token and the app's permission scopes.

use syncer_sim_kit::Presents;

use crate::call::Call;
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

/// Lets a call through to its handler, or says how it fails: the kit's gate with the token read
/// from `Authorization` (the token endpoint needs none), then the app's contact scopes.
pub(crate) fn admit(shared: &Shared, faults: &Faults, call: &Call) -> Result<(), ApiError> {
    let token_endpoint = call.api == Api::TenantAccessToken;
    shared.admit(faults, call.api.path(), call.peer, || {
        if token_endpoint {
            return Ok(Presents::Nothing);
        }
        let token = match call.authorization.as_deref().map(str::trim) {
            None | Some("") => return Err(ApiError::token_missing()),
            Some(value) => value.strip_prefix("Bearer ").unwrap_or(value).trim(),
        };
        if !token.starts_with("t-") && !token.starts_with("u-") {
            return Err(ApiError::token_bad_format());
        }
        Ok(Presents::Token(Some(token)))
    })?;
    if !token_endpoint && faults.missing_contact_scope {
        return Err(ApiError::scope_missing(CONTACT_SCOPES));
    }
    Ok(())
}
