//! Where users land: Hanzo IAM over HTTP, the embedded store, or a test double. The engine only
//! speaks this trait.

use async_trait::async_trait;

use crate::field::IamField;
use crate::group::IamGroup;
use crate::syncer::ConnectionCheck;
use crate::user::IamUser;

/// A target operation that failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TargetError {
    /// The target refused this one write (bad name, duplicate email, ...); others may succeed.
    #[error("{api} refused: {message}")]
    Rejected {
        /// The call, e.g. `add-user`.
        api: String,
        /// The target's reason.
        message: String,
    },
    /// The target could not be reached or refused us altogether (credentials, permissions).
    #[error("{api} failed: {message}")]
    Unavailable {
        /// The call, e.g. `get-users`.
        api: String,
        /// What happened and what to do.
        message: String,
    },
    /// The target took the request and gave no answer in time: the write may or may not have
    /// been applied. Several in a row mean the target has stopped answering (see the engine's
    /// circuit breaker).
    #[error("{api} got no answer: {message}")]
    NoAnswer {
        /// The call, e.g. `update-user`.
        api: String,
        /// What happened and what to do.
        message: String,
    },
}

impl TargetError {
    /// The call that failed.
    pub fn api(&self) -> &str {
        match self {
            TargetError::Rejected { api, .. }
            | TargetError::Unavailable { api, .. }
            | TargetError::NoAnswer { api, .. } => api,
        }
    }
}

/// A store of IAM users, organized by organization.
#[cfg_attr(test, mockall::automock)]
#[async_trait]
pub trait Target: Send + Sync {
    /// A short description for reports (`Hanzo IAM at https://...`, `embedded store syncer.db`).
    fn describe(&self) -> String;

    /// Every user of `organization`.
    async fn list_users(&self, organization: &str) -> Result<Vec<IamUser>, TargetError>;

    /// Creates a user.
    async fn create_user(&self, user: &IamUser) -> Result<(), TargetError>;

    /// Writes exactly `columns` of `user` (a full user, current values with the changes applied).
    async fn update_user(&self, user: &IamUser, columns: &[IamField]) -> Result<(), TargetError>;

    /// The whole user as the target holds it (every field, not only those a listing keeps),
    /// read right before the engine deletes it so the journal can bring it back. `Ok(None)`
    /// when the user is gone, or when the target gives no more than its listing (the default:
    /// the engine then journals the listed user).
    async fn full_user(&self, user: &IamUser) -> Result<Option<IamUser>, TargetError> {
        let _ = user;
        Ok(None)
    }

    /// Deletes a user.
    async fn delete_user(&self, user: &IamUser) -> Result<(), TargetError>;

    /// Every group of `organization`.
    async fn list_groups(&self, organization: &str) -> Result<Vec<IamGroup>, TargetError>;

    /// Creates a group (its parent exists already).
    async fn create_group(&self, group: &IamGroup) -> Result<(), TargetError>;

    /// Replaces a group's fields with `group`'s (a full group).
    async fn update_group(&self, group: &IamGroup) -> Result<(), TargetError>;

    /// Deletes a group (it has no users and no child groups).
    async fn delete_group(&self, group: &IamGroup) -> Result<(), TargetError>;

    /// Test Connection for the target side: reachable, credentials accepted, organization exists,
    /// allowed to manage users.
    async fn check(&self, organization: &str) -> Vec<ConnectionCheck>;
}
