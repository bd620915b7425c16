//! The organization's monthly quota of metered API calls, as a standard-edition organization
//! has it (10,000 a month on the free edition, for all its apps together): once used up, every
//! metered API (assumed: all of them, the token API included) answers errcode 90020 with the
//! count and the quota, and no retry helps. The month's count is the calls the server has been
//! sent since start or the last stats reset; [`crate::Faults::monthly_call_quota`] sets the quota.

use crate::envelope::ApiError;
use crate::faults::Faults;
use crate::state::Shared;

/// Refuses the call being served when the calls of the month (this one included) exceed the
/// quota.
pub(crate) fn gate(shared: &Shared, faults: &Faults) -> Result<(), ApiError> {
    let Some(quota) = faults.monthly_call_quota else {
        return Ok(());
    };
    let used = shared.core().stats().snapshot().total_calls;
    if used <= quota {
        return Ok(());
    }
    Err(ApiError::quota_exhausted(used, quota))
}
