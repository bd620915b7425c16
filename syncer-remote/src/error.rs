//! [`CallError`]: how a remote call failed, naming the remote, the API and (through the
//! backend's failure type `F`) the code and what the operator should do. Built from answers
//! whose secrets the backend has already masked, and from transport errors without their URL.

use std::fmt;

use crate::class::FailureClass;

/// A failed call of a remote whose own failures (an answer with an error code) are `F`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CallError<F> {
    /// The remote answered with an error code.
    Api(F),
    /// The remote (or a proxy) answered with an HTTP error status and no answer of its own.
    Http {
        /// The remote's name (`DingTalk`).
        remote: &'static str,
        /// The API path.
        api: String,
        /// The HTTP status.
        status: u16,
    },
    /// The call got no answer (connection refused, timeout, DNS).
    Network {
        /// The remote's name.
        remote: &'static str,
        /// The API path.
        api: String,
        /// The transport error, without URL.
        message: String,
    },
    /// The answer was not the JSON the remote sends.
    InvalidResponse {
        /// The remote's name.
        remote: &'static str,
        /// The API path.
        api: String,
        /// What was wrong.
        message: String,
    },
    /// The answer was larger than the cap on one answer ([`crate::MAX_ANSWER_BYTES`]); it was
    /// not read further.
    TooLarge {
        /// The remote's name.
        remote: &'static str,
        /// The API path.
        api: String,
        /// The cap, in bytes.
        limit: usize,
    },
    /// The HTTP client could not be set up, so no call was made.
    Client {
        /// The remote's name.
        remote: &'static str,
        /// Why.
        source: crate::HttpClientError,
    },
    /// Retries ran out.
    RetriesExhausted {
        /// Attempts made.
        attempts: u32,
        /// The last failure.
        last: Box<CallError<F>>,
    },
}

impl<F: fmt::Display> fmt::Display for CallError<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CallError::Api(failure) => failure.fmt(f),
            CallError::Http { remote, api, status } => write!(
                f,
                "{remote} {api} answered HTTP {status}; retried with backoff — check the endpoint and any proxy if it persists"
            ),
            CallError::Network { remote, api, message } => write!(
                f,
                "could not reach {remote} {api}: {message}; check the network path to the endpoint"
            ),
            CallError::InvalidResponse { remote, api, message } => write!(
                f,
                "{remote} {api} sent an answer that is not valid JSON of the expected shape: {message}"
            ),
            CallError::TooLarge { remote, api, limit } => write!(
                f,
                "{remote} {api} sent an answer larger than {} MiB, the cap on one answer (a page of members is a few hundred KB); it was not read — check the endpoint and any proxy in between",
                limit / (1024 * 1024)
            ),
            CallError::Client { remote, source } => write!(f, "{remote}: {source}"),
            CallError::RetriesExhausted { attempts, last } => {
                write!(f, "{last} (gave up after {attempts} attempts)")
            }
        }
    }
}

impl<F: fmt::Display + fmt::Debug> std::error::Error for CallError<F> {}

/// What a backend's failure type tells the call loop about itself.
pub trait Failure {
    /// The API path the failure concerns.
    fn api(&self) -> &str;

    /// What kind of failure it is (deciding retries, whether a fetch can go on, and advice).
    fn class(&self) -> FailureClass {
        FailureClass::Other
    }
}

impl<F: Failure> CallError<F> {
    /// The API the error concerns (empty when no call was made).
    pub fn api(&self) -> &str {
        match self {
            CallError::Api(failure) => failure.api(),
            CallError::Http { api, .. }
            | CallError::Network { api, .. }
            | CallError::InvalidResponse { api, .. }
            | CallError::TooLarge { api, .. } => api,
            CallError::Client { .. } => "",
            CallError::RetriesExhausted { last, .. } => last.api(),
        }
    }

    /// The class of the remote's failure behind this error, if it answered with an error code.
    pub fn class(&self) -> Option<FailureClass> {
        self.failure().map(Failure::class)
    }
}

impl<F> CallError<F> {
    /// The remote's own failure behind this error, if it answered with an error code.
    pub fn failure(&self) -> Option<&F> {
        match self {
            CallError::Api(failure) => Some(failure),
            CallError::RetriesExhausted { last, .. } => last.failure(),
            _ => None,
        }
    }

    /// This error as the error of a whole fetch (naming its API when a call failed).
    pub fn to_fetch_error(&self) -> syncer_core::FetchError
    where
        F: Failure + fmt::Display,
    {
        syncer_core::FetchError {
            api: Some(self.api().to_owned()).filter(|api| !api.is_empty()),
            message: self.to_string(),
        }
    }

    /// An answer of `api` that is not the JSON `remote` sends.
    pub fn invalid(remote: &'static str, api: &str, message: impl Into<String>) -> Self {
        CallError::InvalidResponse {
            remote,
            api: api.to_owned(),
            message: message.into(),
        }
    }
}
