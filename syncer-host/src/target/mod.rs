//! The targets the host can write to, built from `[target]`.

mod embedded;
mod iam;

pub use embedded::EmbeddedTarget;
pub use iam::IamTarget;

use syncer_core::{Target, TargetError};

use crate::config::TargetSettings;

/// Builds the configured target.
pub fn build(settings: &TargetSettings) -> Result<Box<dyn Target>, TargetError> {
    match settings {
        TargetSettings::Embedded { path } => Ok(Box::new(EmbeddedTarget::open(path)?)),
        TargetSettings::Iam(settings) => Ok(Box::new(IamTarget::new(settings.clone()))),
    }
}
