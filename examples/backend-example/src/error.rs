//! What the directory's answers mean: a failure that names the API, the code and the fix, its
//! class in the shared vocabulary ([`FailureClass`]), and the [`Verdict`] the shared call loop
//! acts on. This is all the "retry logic" a backend has.

use std::fmt;
use std::time::Duration;

use serde::de::DeserializeOwned;
use syncer_core::Secret;
use syncer_remote::{Answer, CallError, Classify, Failure, FailureClass, Token, Verdict};

use crate::api::{ErrorAnswer, TokenAnswer, TOKEN};

/// The remote's name in messages.
pub const NAME: &str = "Example Directory";

/// A failed call.
pub type ExampleError = CallError<ApiFailure>;

/// An error answer of the directory.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiFailure {
    /// The API path.
    pub api: String,
    /// The directory's code.
    pub code: String,
    /// Its message, the secret masked.
    pub message: String,
}

impl ApiFailure {
    /// What the operator should do, in one sentence.
    pub fn advice(&self) -> &'static str {
        match self.code.as_str() {
            "invalid_client" => "the Client ID / Client Secret were rejected: copy both again from the admin console (API clients)",
            "forbidden" => "the API client may not read the directory: grant it the directory.read scope",
            "quota_exhausted" => "the month's API quota is used up: retrying does not help until next month",
            _ => "unexpected answer; report it with the code if it persists",
        }
    }
}

impl fmt::Display for ApiFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{NAME} {} answered {} \"{}\": {}",
            self.api,
            self.code,
            self.message,
            self.advice()
        )
    }
}

impl Failure for ApiFailure {
    fn api(&self) -> &str {
        &self.api
    }

    /// The directory's codes in the shared vocabulary, which decides what the loop does.
    fn class(&self) -> FailureClass {
        match self.code.as_str() {
            "token_expired" => FailureClass::TokenRefused,
            "rate_limited" => FailureClass::Throttled,
            "busy" => FailureClass::Busy,
            "invalid_client" => FailureClass::BadCredentials,
            "forbidden" => FailureClass::NoPermission,
            "not_found" => FailureClass::UserNotFound,
            "quota_exhausted" => FailureClass::QuotaExhausted,
            _ => FailureClass::Other,
        }
    }
}

impl Classify for ApiFailure {
    /// What an answer of the token endpoint means.
    fn read_token(secret: &Secret, answer: &Answer) -> Verdict<Token, ApiFailure> {
        Self::classify::<TokenAnswer>(secret, TOKEN, answer).map(|token| Token {
            value: token.access_token,
            lifetime: Duration::from_secs(token.expires_in),
        })
    }

    /// What an answer of `api` means.
    fn classify<T: DeserializeOwned>(
        secret: &Secret,
        api: &'static str,
        answer: &Answer,
    ) -> Verdict<T, ApiFailure> {
        if answer.is_success() {
            return match serde_json::from_slice(&answer.body) {
                Ok(value) => Verdict::Done(value),
                Err(error) => Verdict::Fail(CallError::invalid(NAME, api, error.to_string())),
            };
        }
        let Ok(ErrorAnswer { error }) = serde_json::from_slice(&answer.body) else {
            // No answer of the directory's own: a proxy or gateway spoke (429, 5xx, …).
            return Verdict::of_status(NAME, api, answer.status);
        };
        Verdict::of_failure(ApiFailure {
            api: api.to_owned(),
            code: error.code,
            message: secret.redact(&error.message),
        })
    }
}
