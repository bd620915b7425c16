//! Where and how the fake Lark sends event callbacks, as an app's event subscription page
//! configures them: the request URL, the Verification Token, the optional Encrypt Key, and
//! Lark's retry timing (scaled for tests).

use std::time::Duration;

/// The app's event subscription.
#[derive(Debug, Clone, PartialEq)]
pub struct CallbackConfig {
    /// The Verification Token: in every event's `header.token` and in the URL check.
    pub verification_token: String,
    /// The Encrypt Key: bodies are sealed and signed with it; `None` sends them in the clear,
    /// unsigned, as Lark does for an app without one.
    pub encrypt_key: Option<String>,
    /// The tenant's `tenant_key` in every header.
    pub tenant_key: String,
    /// Multiplies Lark's retry delays (15 s, 5 min, 1 h, 6 h): 1.0 as Lark does it.
    pub retry_factor: f64,
    /// How long a callback waits for HTTP 200 (Lark allows 3 s; the URL check 1 s).
    pub answer_timeout: Duration,
    /// Sends every acknowledged event once more, as Lark's at-least-once delivery may.
    pub duplicate_after_ack: bool,
}

impl CallbackConfig {
    /// A subscription with this token and Encrypt Key and Lark's timing.
    pub fn new(
        verification_token: impl Into<String>,
        encrypt_key: Option<String>,
    ) -> CallbackConfig {
        CallbackConfig {
            verification_token: verification_token.into(),
            encrypt_key,
            tenant_key: "736588c9260f175d".to_owned(),
            retry_factor: 1.0,
            answer_timeout: Duration::from_secs(3),
            duplicate_after_ack: false,
        }
    }
}
