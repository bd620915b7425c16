//! [`DeliveryError`]: why a simulator could not hand an event to the app (no URL to send it to, a
//! key the vendor's console would never issue, or the app's answer), for every vendor's push.

use std::fmt;
use std::time::Duration;

/// Why an event push or callback was not delivered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeliveryError {
    /// No URL is set to deliver to.
    NoTarget,
    /// The encryption key is not one the vendor's console hands out.
    BadKey,
    /// The app did not answer as the vendor requires: why.
    Refused(String),
}

impl fmt::Display for DeliveryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DeliveryError::NoTarget => f.write_str("no URL to deliver events to is set"),
            DeliveryError::BadKey => f.write_str("the encryption key is not a valid console key"),
            DeliveryError::Refused(why) => write!(f, "the app refused the delivery: {why}"),
        }
    }
}

impl std::error::Error for DeliveryError {}

/// The HTTP client a vendor pushes with: an answer not complete within `timeout` is a refusal.
pub fn push_client(timeout: Duration) -> Result<reqwest::Client, DeliveryError> {
    reqwest::Client::builder()
        .timeout(timeout)
        .build()
        .map_err(|error| DeliveryError::Refused(format!("no HTTP client: {error}")))
}
