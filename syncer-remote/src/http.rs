//! The one HTTP client builder of every remote: the call timeout, a connect timeout and an idle
//! pool sized to the calls in flight. A client that cannot be built is an error — never a
//! default client that silently drops every timeout.

use std::time::Duration;

/// How long connecting to the remote may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// The HTTP client could not be set up (TLS backend, system certificates).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("could not set up the HTTP client: {message}; check the system's TLS certificates and proxy settings")]
pub struct HttpClientError {
    /// Why the client could not be built.
    pub message: String,
}

/// A client whose every call times out after `timeout`, keeping up to `max_idle` connections.
pub fn http_client(timeout: Duration, max_idle: usize) -> Result<reqwest::Client, HttpClientError> {
    finish(
        reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(CONNECT_TIMEOUT)
            .pool_max_idle_per_host(max_idle),
    )
}

/// Builds `builder`, turning a failure into an error that says what to check.
pub fn finish(builder: reqwest::ClientBuilder) -> Result<reqwest::Client, HttpClientError> {
    builder.build().map_err(|error| HttpClientError {
        message: error.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_client_that_cannot_be_built_is_an_error_not_a_default_client() {
        // rustls speaks no TLS below 1.2: a client limited to TLS 1.1 cannot be built.
        let builder = reqwest::Client::builder().max_tls_version(reqwest::tls::Version::TLS_1_1);
        let error = finish(builder).expect_err("no TLS version left");
        assert!(error.to_string().contains("HTTP client"), "{error}");
    }

    #[test]
    fn the_usual_client_builds() {
        assert!(http_client(Duration::from_secs(30), 8).is_ok());
    }
}
