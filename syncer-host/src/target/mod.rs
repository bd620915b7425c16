//! The targets the host can write to, built from `[target]`.

mod embedded;
mod iam;

pub use embedded::EmbeddedTarget;
pub use iam::{IamClientError, IamTarget};

use syncer_core::{Target, TargetError};

use crate::config::TargetSettings;

/// Why the configured target could not be built.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// The embedded store could not be opened.
    #[error(transparent)]
    Embedded(#[from] TargetError),
    /// The Hanzo IAM client could not be set up.
    #[error(transparent)]
    Iam(#[from] IamClientError),
}

/// Builds the configured target.
pub fn build(settings: &TargetSettings) -> Result<Box<dyn Target>, BuildError> {
    match settings {
        TargetSettings::Embedded { path } => Ok(Box::new(EmbeddedTarget::open(path)?)),
        TargetSettings::Iam(settings) => Ok(Box::new(IamTarget::new(settings.clone())?)),
    }
}
