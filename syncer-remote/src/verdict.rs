//! [`Verdict`]: what a backend's classifier says of one answer, and so what the call loop does
//! next. A backend only classifies; the loop in [`crate::Caller`] acts.

use std::time::Duration;

use crate::class::FailureClass;
use crate::error::{CallError, Failure};

/// The classification of one answer.
#[derive(Debug)]
pub enum Verdict<T, F> {
    /// Success, with the answer's payload.
    Done(T),
    /// A transient failure (busy, 5xx, no answer): try again after a backoff, within the retries.
    Retry(CallError<F>),
    /// The remote throttled the app: slow the API down and wait at least a second (or `wait`).
    Throttled {
        /// How long the remote asked to wait, if it said.
        wait: Option<Duration>,
        /// The answer, as an error in case the retries run out.
        error: CallError<F>,
    },
    /// The remote refused the access token: drop it and repeat with a fresh one.
    RenewToken(CallError<F>),
    /// The organization's API quota is used up: no retry helps, and no further call is sent.
    QuotaExhausted(CallError<F>),
    /// A failure no retry helps (permissions, credentials, not found).
    Fail(CallError<F>),
}

impl<T, F> Verdict<T, F> {
    /// The verdict on an HTTP error status that came without an answer of the remote's own:
    /// 429 is throttling, 5xx is transient, anything else (a proxy in the way) is a failure.
    pub fn of_status(remote: &'static str, api: &str, status: u16) -> Self {
        let error = CallError::Http {
            remote,
            api: api.to_owned(),
            status,
        };
        match status {
            429 => Verdict::Throttled { wait: None, error },
            500.. => Verdict::Retry(error),
            _ => Verdict::Fail(error),
        }
    }

    /// The verdict on an answer with an error code, by its [`FailureClass`]: a refused token is
    /// renewed, a busy remote retried, throttling waited out, a used-up quota stops every further
    /// call, and anything else fails for good.
    pub fn of_failure(failure: F) -> Self
    where
        F: Failure,
    {
        let class = failure.class();
        let error = CallError::Api(failure);
        match class {
            FailureClass::TokenRefused => Verdict::RenewToken(error),
            FailureClass::Busy => Verdict::Retry(error),
            FailureClass::Throttled => Verdict::Throttled { wait: None, error },
            FailureClass::QuotaExhausted => Verdict::QuotaExhausted(error),
            _ => Verdict::Fail(error),
        }
    }

    /// The same verdict with the payload of `Done` turned into `f(payload)`.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Verdict<U, F> {
        match self {
            Verdict::Done(value) => Verdict::Done(f(value)),
            Verdict::Retry(error) => Verdict::Retry(error),
            Verdict::Throttled { wait, error } => Verdict::Throttled { wait, error },
            Verdict::RenewToken(error) => Verdict::RenewToken(error),
            Verdict::QuotaExhausted(error) => Verdict::QuotaExhausted(error),
            Verdict::Fail(error) => Verdict::Fail(error),
        }
    }

    /// What the verdict says, without its payload (for observers).
    pub fn outcome(&self) -> Outcome {
        match self {
            Verdict::Done(_) => Outcome::Done,
            Verdict::Retry(_) => Outcome::Retry,
            Verdict::Throttled { .. } => Outcome::Throttled,
            Verdict::RenewToken(_) => Outcome::RenewToken,
            Verdict::QuotaExhausted(_) => Outcome::QuotaExhausted,
            Verdict::Fail(_) => Outcome::Failed,
        }
    }
}

/// What one HTTP request came to, as a [`crate::CallObserver`] sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Answered with success.
    Done,
    /// Transient failure or no answer.
    Retry,
    /// Throttled.
    Throttled,
    /// The token was refused.
    RenewToken,
    /// The API quota is used up.
    QuotaExhausted,
    /// Failed for good.
    Failed,
}
