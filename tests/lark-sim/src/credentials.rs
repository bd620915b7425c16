//! The App ID / App Secret pair the fake accepts on the token endpoint.

/// A custom app's credentials, as its Credentials & Basic Info page shows them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    /// The App ID (`cli_…`).
    pub app_id: String,
    /// The App Secret.
    pub app_secret: String,
}

impl Credentials {
    /// Credentials with this id and secret.
    pub fn new(app_id: impl Into<String>, app_secret: impl Into<String>) -> Credentials {
        Credentials {
            app_id: app_id.into(),
            app_secret: app_secret.into(),
        }
    }

    /// A fixed pair for examples and tests.
    pub fn demo() -> Credentials {
        Credentials::new(
            "cli_a1b2c3d4e5f60718",
            "LarkSimSecret-0123456789abcdefABCDEF",
        )
    }
}
