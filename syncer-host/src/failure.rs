//! How a command failed, and so which exit code it gets (SPEC §4). Every command returns it;
//! only [`crate::main`] turns it into an exit code.

/// How a command failed, and so which exit code it gets (SPEC §4).
#[derive(Debug)]
pub enum Failure {
    /// Usage or config error: exit 2.
    Usage(String),
    /// The work failed or was partial: exit 1 (the message may be empty when already printed).
    Run(String),
}

impl From<crate::config::ConfigError> for Failure {
    fn from(error: crate::config::ConfigError) -> Self {
        Failure::Usage(error.to_string())
    }
}

impl From<crate::runner::RunnerError> for Failure {
    fn from(error: crate::runner::RunnerError) -> Self {
        Failure::Run(error.to_string())
    }
}
