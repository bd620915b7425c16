//! The organization's monthly quota of metered API calls, as a standard-edition organization
//! has it (10,000 a month on the free edition, for all its apps together): once used up, every
//! metered API (assumed: all of them, the token API included) answers errcode 90020 with the
//! count and the quota, and no retry helps; api.dingtalk.com's endpoints (the Stream gateway)
//! answer HTTP 403 `Forbidden.AccessDenied.ApiCountLimitForOrg` instead. The month's count is the calls the server has been
//! sent since start or the last stats reset; [`crate::Faults::monthly_call_quota`] sets the quota.

use crate::envelope::ApiError;
use crate::faults::Faults;
use crate::state::Shared;

/// api.dingtalk.com's error `code` of a used-up quota.
pub(crate) const NEW_STYLE_CODE: &str = "Forbidden.AccessDenied.ApiCountLimitForOrg";

/// The month's calls (this one included) and the quota, when they exceed it.
pub(crate) fn exceeded(shared: &Shared, faults: &Faults) -> Option<(u64, u64)> {
    let quota = faults.monthly_call_quota?;
    let used = shared.core().stats().snapshot().total_calls;
    (used > quota).then_some((used, quota))
}

/// Refuses the oapi call being served when the calls of the month exceed the quota.
pub(crate) fn gate(shared: &Shared, faults: &Faults) -> Result<(), ApiError> {
    match exceeded(shared, faults) {
        Some((used, quota)) => Err(ApiError::quota_exhausted(used, quota)),
        None => Ok(()),
    }
}

/// The message of api.dingtalk.com's refusal.
pub(crate) fn new_style_message(used: u64, quota: u64) -> String {
    format!("api count limit for org (api calls this month exceeded the limit): used {used}, quota {quota}")
}
