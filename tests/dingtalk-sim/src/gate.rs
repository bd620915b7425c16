//! The checks every call passes before an endpoint answers it, in the order DingTalk's gateway
//! applies them: IP whitelist, gateway failures (5xx), the per-API rate limit, the monthly
//! quota of metered calls (`quota.rs`), the access token,
//! throttling and busy answers (every Nth call, or at random); then, once the body is read, the app's permission scopes
//! and the per-department faults.

use std::net::IpAddr;

use syncer_sim_kit::Presents;

use crate::envelope::ApiError;
use crate::faults::{DeptFault, Faults};
use crate::handlers::Api;
use crate::state::Shared;

/// Lets a call through to its endpoint, or says how it fails: the kit's gate with the monthly
/// quota ahead of the token (which `/gettoken` does not need), then DingTalk's random refusals.
pub(crate) fn admit(
    shared: &Shared,
    faults: &Faults,
    api: Api,
    peer: IpAddr,
    token: Option<&str>,
) -> Result<(), ApiError> {
    shared.admit(faults, api.path(), peer, || {
        crate::quota::gate(shared, faults)?;
        Ok(match api {
            Api::GetToken => Presents::Nothing,
            _ => Presents::Token(token),
        })
    })?;
    let core = shared.core();
    if core.every("throttle", faults.throttle_every) || core.roll(faults.throttle_rate) {
        return Err(ApiError::throttled());
    }
    if core.every("busy", faults.busy_every) || core.roll(faults.busy_rate) {
        return Err(ApiError::busy());
    }
    if core.roll(faults.flood_control_rate) {
        return Err(ApiError::FloodControl);
    }
    Ok(())
}

/// Applies the missing permission scope and the faults of the department the call is about.
pub(crate) fn authorize(faults: &Faults, api: Api, dept_id: Option<i64>) -> Result<(), ApiError> {
    if let Some(missing) = faults.missing_permission {
        if api.permission() == Some(missing) {
            return Err(ApiError::missing_scope(missing));
        }
    }
    if api == Api::UserCount && faults.busy_user_count {
        return Err(ApiError::busy());
    }
    let Some(dept_id) = dept_id else {
        return Ok(());
    };
    match faults.failing_departments.get(&dept_id) {
        None
        | Some(
            DeptFault::BrokenCursor
            | DeptFault::UnidentifiedMembers
            | DeptFault::NullList
            | DeptFault::MissingActive
            | DeptFault::EndlessPages,
        ) => Ok(()),
        Some(DeptFault::OutsideContactRange) => Err(ApiError::outside_auth_scope(dept_id)),
        Some(DeptFault::AlwaysBusy) => Err(ApiError::busy()),
        Some(DeptFault::NoPermission) => Err(ApiError::outside_contact_range(dept_id)),
        Some(DeptFault::NotFound) => Err(ApiError::dept_not_found(dept_id)),
    }
}
