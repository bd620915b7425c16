//! The fence of a run under a lease: a [`FencedTarget`] wraps the target the engine writes to
//! and refuses every write once the run's lease is no longer known to be held (the renewal task
//! clears the flag when it cannot renew before the lease expires), so a run that lost its lease
//! never writes again, even while it is still planning or in the middle of its writes.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use async_trait::async_trait;
use syncer_core::{ConnectionCheck, IamField, IamGroup, IamUser, Target, TargetError, UserKeys};

/// Whether a run still holds its lease; shared by the renewal task and the fenced target.
#[derive(Clone, Debug)]
pub struct Fence(Arc<AtomicBool>);

impl Default for Fence {
    fn default() -> Self {
        Self(Arc::new(AtomicBool::new(true)))
    }
}

impl Fence {
    /// Whether the lease is held.
    pub fn is_held(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }

    /// Records that the lease is lost; nothing is written after this.
    pub fn lose(&self) {
        self.0.store(false, Ordering::SeqCst);
    }
}

/// The message of a run that lost its lease.
pub const LOST: &str = "lost its lease: the shared state could not be reached to renew it before it expired (or another replica took it over), so the run stopped writing; writes it had sent stay, and the next run sends the rest";

/// A target whose writes pass only while the fence says the lease is held.
pub struct FencedTarget<'a> {
    inner: &'a dyn Target,
    fence: Fence,
}

impl<'a> FencedTarget<'a> {
    /// `inner`, fenced by `fence`.
    pub fn new(inner: &'a dyn Target, fence: Fence) -> Self {
        Self { inner, fence }
    }

    fn check(&self, api: &str) -> Result<(), TargetError> {
        if self.fence.is_held() {
            Ok(())
        } else {
            Err(TargetError::Unavailable {
                api: api.to_owned(),
                message: format!("not sent: the run {LOST}"),
            })
        }
    }
}

#[async_trait]
impl Target for FencedTarget<'_> {
    fn describe(&self) -> String {
        self.inner.describe()
    }

    async fn list_users(&self, organization: &str) -> Result<Vec<IamUser>, TargetError> {
        self.inner.list_users(organization).await
    }

    async fn users_for(
        &self,
        organization: &str,
        keys: &UserKeys,
    ) -> Result<Vec<IamUser>, TargetError> {
        self.inner.users_for(organization, keys).await
    }

    async fn create_user(&self, user: &IamUser) -> Result<(), TargetError> {
        self.check("add-user")?;
        self.inner.create_user(user).await
    }

    async fn update_user(&self, user: &IamUser, columns: &[IamField]) -> Result<(), TargetError> {
        self.check("update-user")?;
        self.inner.update_user(user, columns).await
    }

    async fn full_user(&self, user: &IamUser) -> Result<Option<IamUser>, TargetError> {
        // A read: the journal's image of a user about to be deleted (the delete is fenced).
        self.inner.full_user(user).await
    }

    async fn delete_user(&self, user: &IamUser) -> Result<(), TargetError> {
        self.check("delete-user")?;
        self.inner.delete_user(user).await
    }

    async fn list_groups(&self, organization: &str) -> Result<Vec<IamGroup>, TargetError> {
        self.inner.list_groups(organization).await
    }

    async fn create_group(&self, group: &IamGroup) -> Result<(), TargetError> {
        self.check("add-group")?;
        self.inner.create_group(group).await
    }

    async fn update_group(&self, group: &IamGroup) -> Result<(), TargetError> {
        self.check("update-group")?;
        self.inner.update_group(group).await
    }

    async fn delete_group(&self, group: &IamGroup) -> Result<(), TargetError> {
        self.check("delete-group")?;
        self.inner.delete_group(group).await
    }

    async fn check(&self, organization: &str) -> Vec<ConnectionCheck> {
        self.inner.check(organization).await
    }
}
