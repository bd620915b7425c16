//! Where users land: Hanzo IAM over HTTP, the embedded store, or a test double. The engine only
//! speaks this trait.

use std::collections::BTreeSet;

use async_trait::async_trait;

use crate::field::IamField;
use crate::group::IamGroup;
use crate::phone::normalize_phone;
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

/// The keys of a scoped read ([`Target::users_for`]): every user that has one of these names,
/// `id` values, e-mails or phones. Change events ask for the few users their people can match
/// or collide with instead of the whole organization.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UserKeys {
    /// User names (`name`, the `NAME` of `ORG/NAME`).
    pub names: BTreeSet<String>,
    /// Values of the `id` field.
    pub ids: BTreeSet<String>,
    /// E-mails, as the source has them and lowercased (IAM's lookup may compare them as given).
    pub emails: BTreeSet<String>,
    /// Phones, in every spelling worth asking for (a target compares them as given).
    pub phones: BTreeSet<String>,
}

impl UserKeys {
    /// Whether no key is asked for.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
            && self.ids.is_empty()
            && self.emails.is_empty()
            && self.phones.is_empty()
    }

    /// Whether `user` has one of the keys: a name or `id` as given, an e-mail without regard
    /// to case or surrounding blanks, a phone however it is spelled. The filter of a target
    /// that reads its whole listing; it may find more than IAM's own lookups, never less.
    pub fn wants(&self, user: &IamUser) -> bool {
        let email = user.email.trim().to_lowercase();
        let phone = normalize_phone(&user.phone);
        self.names.contains(user.name.as_str())
            || (!user.id.is_empty() && self.ids.contains(user.id.as_str()))
            || (!email.is_empty()
                && self
                    .emails
                    .iter()
                    .any(|wanted| wanted.trim().to_lowercase() == email))
            || (!phone.is_empty()
                && self
                    .phones
                    .iter()
                    .any(|wanted| normalize_phone(wanted) == phone))
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

    /// The users of `organization` that have one of `keys` (see [`UserKeys::wants`]), each
    /// once, ordered by name as [`Self::list_users`] orders them. More users than asked for
    /// are no harm: the default reads the whole listing, so a target without lookups stays
    /// correct, only slower.
    async fn users_for(
        &self,
        organization: &str,
        keys: &UserKeys,
    ) -> Result<Vec<IamUser>, TargetError> {
        let _ = keys;
        self.list_users(organization).await
    }

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
