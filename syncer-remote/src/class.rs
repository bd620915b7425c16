//! [`FailureClass`]: what kind of failure an error answer is, in one vocabulary for every
//! backend. A backend's `error.rs` maps its own codes onto it (and words the advice); the call
//! loop and the directory walk act on the class, so no backend repeats what a class means.
//! Knows no error code of any remote.

/// What kind of failure an answer with an error code is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FailureClass {
    /// The remote is busy or had an internal error: try again after a backoff.
    Busy,
    /// The call rate was exceeded: back off at least a second and slow down.
    Throttled,
    /// The access token is missing, invalid or expired: renew it and repeat.
    TokenRefused,
    /// The app's id / secret were rejected.
    BadCredentials,
    /// The app is disabled or not installed in the organization.
    AppUnavailable,
    /// The server's IP address is not on the app's allow list.
    IpNotAllowed,
    /// The app lacks a permission (scope).
    NoPermission,
    /// The department or person is outside the app's contact range.
    OutsideContactRange,
    /// The department does not exist (removed, or removed mid-sync).
    DepartmentNotFound,
    /// The person does not exist, or is no longer a member.
    UserNotFound,
    /// The organization's API quota is used up: no retry helps.
    QuotaExhausted,
    /// Anything else: not retried.
    Other,
}

impl FailureClass {
    /// Whether a failure of this class, reading the root department, means the app can read
    /// nothing at all (credentials, the app itself, the network allow list, permissions,
    /// contact range, quota): the fetch then stops with it instead of going on.
    pub fn is_fatal_at_root(self) -> bool {
        matches!(
            self,
            FailureClass::BadCredentials
                | FailureClass::AppUnavailable
                | FailureClass::IpNotAllowed
                | FailureClass::NoPermission
                | FailureClass::OutsideContactRange
                | FailureClass::QuotaExhausted
        )
    }
}
