//! The App Key / App Secret pair the fake accepts on `/gettoken`.

/// An internal app's credentials, as shown on its page of the DingTalk developer console.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    /// The App Key (DingTalk's `appkey`).
    pub app_key: String,
    /// The App Secret (DingTalk's `appsecret`).
    pub app_secret: String,
}

impl Credentials {
    /// Credentials with this key and secret.
    pub fn new(app_key: impl Into<String>, app_secret: impl Into<String>) -> Credentials {
        Credentials {
            app_key: app_key.into(),
            app_secret: app_secret.into(),
        }
    }

    /// The fixed pair the `demo` command and tests use.
    pub fn demo() -> Credentials {
        Credentials::new(
            "dingsimdemo000000001",
            "SimDemoSecret-0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMN",
        )
    }
}
