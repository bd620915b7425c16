//! The HTTP side of the Hanzo IAM target: one authenticated call, the `{status, msg, data,
//! data2}` envelope, and IAM's refusals turned into sentences that say what to fix.
//!
//! Reads are retried on connection errors and 5xx. Writes are retried only when the request
//! never reached IAM (a refused connection): a write that timed out or got a 5xx may have been
//! applied, and repeating it could turn a created user into a "Username already exists" failure.

use std::time::Duration;

use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::Value;
use syncer_core::TargetError;

use crate::config::IamSettings;

/// Retries of a call that got no answer (or, for reads, a 5xx).
const RETRIES: u32 = 2;

/// The IAM answer envelope.
#[derive(Debug, Deserialize)]
pub(super) struct Envelope<T = Value> {
    #[serde(default)]
    pub(super) status: String,
    #[serde(default)]
    pub(super) msg: String,
    #[serde(default = "Option::default")]
    pub(super) data: Option<T>,
    #[serde(default)]
    pub(super) data2: Value,
}

impl Envelope {
    /// The `data` field (`null` when absent).
    pub(super) fn data(&self) -> &Value {
        self.data.as_ref().unwrap_or(&Value::Null)
    }
}

impl<T> Envelope<T> {
    /// Whether IAM answered `status: "error"`.
    pub(super) fn is_error(&self) -> bool {
        self.status == "error"
    }
}

/// Only the status and message of an answer, for error answers whose `data` has another shape
/// than a success's.
#[derive(Deserialize)]
struct Head {
    #[serde(default)]
    status: String,
    #[serde(default)]
    msg: String,
}

/// Whether a call may be repeated after an answer that may or may not have been applied.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Idempotence {
    /// A read: repeat on connection errors and 5xx.
    Read,
    /// A write: repeat only when the request never reached IAM.
    Write,
}

/// The largest IAM answer the client reads: a `get-users` page of 500 full users is a few
/// megabytes; anything far beyond that is not a page of users and would only fill memory.
pub(super) const MAX_ANSWER_BYTES: usize = 32 * 1024 * 1024;

/// The whole-call timeout the client test builds with, and the connect timeout of every IAM
/// request (the whole-call one is the target's `timeout_seconds`).
#[cfg(test)]
const TIMEOUT: Duration = Duration::from_secs(60);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// The IAM target could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum IamClientError {
    /// The HTTP client could not be built (its TLS backend or the system's resolver settings),
    /// so no request could keep its timeouts: the target is not built at all.
    #[error("cannot build the HTTP client for Hanzo IAM at {endpoint}: {source}; check the machine's TLS and DNS configuration")]
    HttpClient {
        /// The IAM server it was for.
        endpoint: String,
        /// What reqwest said.
        #[source]
        source: reqwest::Error,
    },
}

/// An authenticated client of one IAM server.
pub(super) struct IamClient {
    http: reqwest::Client,
    pub(super) settings: IamSettings,
}

impl IamClient {
    /// A client of the server in `settings`, with the standard timeouts.
    pub(super) fn new(settings: IamSettings) -> Result<Self, IamClientError> {
        let builder = reqwest::Client::builder()
            .timeout(settings.timeout)
            .connect_timeout(CONNECT_TIMEOUT.min(settings.timeout));
        Self::with_builder(settings, builder)
    }

    /// A client built from `builder`; a builder that fails is an error, never a client without
    /// the timeouts.
    fn with_builder(
        settings: IamSettings,
        builder: reqwest::ClientBuilder,
    ) -> Result<Self, IamClientError> {
        let http = builder
            .build()
            .map_err(|source| IamClientError::HttpClient {
                endpoint: settings.endpoint.clone(),
                source,
            })?;
        Ok(Self { http, settings })
    }

    pub(super) fn url(&self, api: &str) -> String {
        format!(
            "{}{}/{}",
            self.settings.endpoint, self.settings.api_prefix, api
        )
    }

    /// Sends a request (retrying as `idempotence` allows) and opens the envelope.
    pub(super) async fn call<T: DeserializeOwned>(
        &self,
        api: &str,
        idempotence: Idempotence,
        build: impl Fn(&reqwest::Client) -> reqwest::RequestBuilder,
    ) -> Result<Envelope<T>, TargetError> {
        let unavailable = |message: String| TargetError::Unavailable {
            api: api.to_owned(),
            message: self.settings.client_secret.redact(&message),
        };
        let mut attempt = 0;
        loop {
            let request = build(&self.http).basic_auth(
                &self.settings.client_id,
                Some(self.settings.client_secret.expose()),
            );
            let failure = match request.send().await {
                Ok(response) => {
                    let status = response.status();
                    let body = read_capped(response, MAX_ANSWER_BYTES)
                        .await
                        .map_err(unavailable)?;
                    if status.is_success() {
                        return open::<T>(&body).map_err(unavailable);
                    }
                    let said = said(&body);
                    if !status.is_server_error() || idempotence == Idempotence::Write {
                        return Err(unavailable(format!(
                            "IAM answered HTTP {status}{said}; check `endpoint` and `api_prefix` (\"/v1/iam\" for Hanzo IAM, \"/api\" for Casdoor)"
                        )));
                    }
                    format!("IAM answered HTTP {status}{said}")
                }
                Err(error) if error.is_connect() || idempotence == Idempotence::Read => format!(
                    "cannot reach IAM at {}: {}",
                    self.settings.endpoint,
                    error.without_url()
                ),
                Err(error) => {
                    let timed_out = error.is_timeout();
                    let message = self.settings.client_secret.redact(&format!(
                        "no answer from IAM at {} ({}); the write may or may not have been applied — the next run compares again",
                        self.settings.endpoint,
                        error.without_url()
                    ));
                    let api = api.to_owned();
                    return Err(if timed_out {
                        TargetError::NoAnswer { api, message }
                    } else {
                        TargetError::Unavailable { api, message }
                    });
                }
            };
            if attempt >= RETRIES {
                return Err(unavailable(failure));
            }
            tokio::time::sleep(Duration::from_millis(300 << attempt)).await;
            attempt += 1;
        }
    }

    /// `GET api?query`, retried as a read; the envelope as IAM sent it, `status: "error"` too.
    pub(super) async fn get<T: DeserializeOwned>(
        &self,
        api: &str,
        query: &[(&str, String)],
    ) -> Result<Envelope<T>, TargetError> {
        let url = self.url(api);
        self.call(api, Idempotence::Read, |http| http.get(&url).query(query))
            .await
    }

    /// [`Self::get`] of a listing the sync cannot do without: `status: "error"` stops the run.
    pub(super) async fn list<T: DeserializeOwned>(
        &self,
        api: &str,
        query: &[(&str, String)],
    ) -> Result<Envelope<T>, TargetError> {
        let envelope = self.get(api, query).await?;
        if envelope.is_error() {
            return Err(TargetError::Unavailable {
                api: api.to_owned(),
                message: self.explain(&envelope.msg),
            });
        }
        Ok(envelope)
    }

    /// A write: `status: "error"` is a rejection of this one user or group.
    pub(super) async fn write(
        &self,
        api: &'static str,
        query: &[(&str, String)],
        body: &(impl serde::Serialize + Sync),
    ) -> Result<Envelope, TargetError> {
        let url = self.url(api);
        let envelope = self
            .call(api, Idempotence::Write, |http| {
                http.post(&url).query(query).json(body)
            })
            .await?;
        if envelope.is_error() {
            return Err(TargetError::Rejected {
                api: api.to_owned(),
                message: self.explain(&envelope.msg),
            });
        }
        Ok(envelope)
    }

    /// IAM's message, plus the fix when it is the application allowlist or the credentials,
    /// with the client secret masked: IAM may quote it back ("Incorrect client secret ...").
    pub(super) fn explain(&self, msg: &str) -> String {
        self.settings
            .client_secret
            .redact(&explain(msg, &self.settings.client_id))
    }
}

/// The body of `response`, read chunk by chunk and abandoned as soon as it passes `limit`
/// bytes (a `Content-Length` above it is refused before reading anything).
async fn read_capped(mut response: reqwest::Response, limit: usize) -> Result<Vec<u8>, String> {
    let too_large = || {
        format!(
            "IAM's answer is larger than {} MiB, more than any IAM page holds; the call is abandoned (check `endpoint`: is it IAM?)",
            limit / (1024 * 1024)
        )
    };
    if response
        .content_length()
        .is_some_and(|length| length > limit as u64)
    {
        return Err(too_large());
    }
    let mut body = Vec::new();
    loop {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                if body.len() + chunk.len() > limit {
                    return Err(too_large());
                }
                body.extend_from_slice(&chunk);
            }
            Ok(None) => return Ok(body),
            Err(error) => return Err(format!("IAM's answer broke off: {}", error.without_url())),
        }
    }
}

/// Parses a 2xx answer; an error answer whose `data` does not fit `T` still yields its `msg`.
fn open<T: DeserializeOwned>(body: &[u8]) -> Result<Envelope<T>, String> {
    match serde_json::from_slice::<Envelope<T>>(body) {
        Ok(envelope) => Ok(envelope),
        Err(error) => match serde_json::from_slice::<Head>(body) {
            Ok(head) if head.status == "error" => Ok(Envelope {
                status: head.status,
                msg: head.msg,
                data: None,
                data2: Value::Null,
            }),
            _ => Err(format!(
                "the answer is not IAM's JSON envelope ({error}); check `endpoint` and `api_prefix`"
            )),
        },
    }
}

/// `: "<msg>"` when an error answer carries IAM's envelope, so its reason is not lost.
fn said(body: &[u8]) -> String {
    match serde_json::from_slice::<Head>(body) {
        Ok(head) if !head.msg.is_empty() => format!(": \"{}\"", head.msg),
        _ => String::new(),
    }
}

fn explain(msg: &str, client_id: &str) -> String {
    let lower = msg.to_lowercase();
    if lower.contains("admin_apps")
        || lower.contains("not allowed")
        || lower.contains("permission")
        || lower.contains("unauthorized")
        || lower.contains("only admin")
    {
        format!(
            "{msg} — IAM does not let application `{client_id}` manage users: the IAM server operator must allow it (add it to IAM_USER_ADMIN_APPS / IAM_SYNCER_ADMIN_APPS in the server's environment, or grant the application admin rights; for \"only admin can modify\", relax that field's Modify rule under the organization's Account items), and check client_id / client_secret"
        )
    } else if lower.contains("duplicate entry") && lower.contains("group") {
        format!(
            "{msg} — IAM group names are unique across organizations: give this syncer a `group_name_prefix`"
        )
    } else if msg.is_empty() {
        "IAM answered status \"error\" without a message".to_owned()
    } else {
        msg.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> IamSettings {
        IamSettings {
            endpoint: "http://127.0.0.1:1".to_owned(),
            client_id: "app".to_owned(),
            client_secret: syncer_core::Secret::new("secret"),
            api_prefix: "/v1/iam".to_owned(),
            timeout: std::time::Duration::from_secs(60),
            max_users: 1_000_000,
        }
    }

    #[test]
    fn a_client_that_cannot_be_built_is_an_error_not_a_client_without_timeouts() {
        // rustls offers no TLS version between 1.3 and 1.2: reqwest refuses to build.
        let broken = reqwest::Client::builder()
            .timeout(TIMEOUT)
            .min_tls_version(reqwest::tls::Version::TLS_1_3)
            .max_tls_version(reqwest::tls::Version::TLS_1_2);
        let error = match IamClient::with_builder(settings(), broken) {
            Ok(_) => panic!("a failed build must not yield a default client"),
            Err(error) => error,
        };
        let message = error.to_string();
        assert!(
            message.contains("HTTP client for Hanzo IAM at http://127.0.0.1:1"),
            "{message}"
        );
        assert!(IamClient::new(settings()).is_ok());
    }

    #[test]
    fn an_error_answer_with_odd_data_keeps_its_message() {
        let body = br#"{"status":"error","msg":"Unauthorized operation","data":"x","data2":null}"#;
        let envelope = open::<Vec<Value>>(body).expect("opens");
        assert!(envelope.is_error());
        assert_eq!(envelope.msg, "Unauthorized operation");
    }

    #[test]
    fn a_body_that_is_no_envelope_says_to_check_the_prefix() {
        let error = open::<Vec<Value>>(b"<html>").expect_err("not an envelope");
        assert!(error.contains("api_prefix"), "{error}");
    }

    #[test]
    fn an_http_error_keeps_iams_message() {
        assert_eq!(
            said(br#"{"status":"error","msg":"forbidden: reserved"}"#),
            ": \"forbidden: reserved\""
        );
        assert_eq!(said(b"<html>"), "");
    }
}
