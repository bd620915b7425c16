//! The DingTalk oapi client: every call goes through the app's rate limiter, carries a cached
//! token, is judged by `errcode` (never by `errmsg`), and is retried when DingTalk is busy,
//! throttles, answers 5xx or cannot be reached. Every call sent is counted per API.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::Value;

use crate::error::{ApiFailure, DingTalkError, ErrorClass};
use syncer_core::null_as_default;
use syncer_remote::{CallLimiter, RetryPolicy, TokenCache};
use tokio::sync::SemaphorePermit;

use crate::settings::DingTalkSettings;

/// The token API.
pub const GET_TOKEN: &str = "/gettoken";

/// The head of every oapi answer, read before the payload: an error answer is judged by its
/// `errcode` whatever shape its `result` has, and an answer without `errcode` (a gateway's
/// flood-control page such as `{"status":1111,"wait":5}`) is told apart from success.
#[derive(Deserialize)]
struct Head {
    #[serde(default)]
    errcode: Option<i64>,
    #[serde(default, deserialize_with = "null_as_default")]
    errmsg: String,
    #[serde(default)]
    sub_code: Option<Value>,
    #[serde(default)]
    sub_msg: Option<String>,
    /// Seconds to wait, as DingTalk's flood control says.
    #[serde(default)]
    wait: Option<u64>,
}

/// The payload of a successful answer.
#[derive(Deserialize)]
struct Payload<T> {
    result: Option<T>,
}

#[derive(Deserialize)]
struct TokenAnswer {
    #[serde(default)]
    errcode: Option<i64>,
    #[serde(default, deserialize_with = "null_as_default")]
    errmsg: String,
    #[serde(default, deserialize_with = "null_as_default")]
    access_token: String,
    #[serde(default)]
    expires_in: Option<u64>,
}

/// The lifetime DingTalk documents for a token, used when an answer does not say.
const DEFAULT_TOKEN_LIFETIME: Duration = Duration::from_secs(7200);
/// Token refreshes one call may make after DingTalk refused its token, on top of its retries:
/// "refresh once and repeat" must not depend on how many retries are configured.
const TOKEN_RENEWALS_PER_CALL: u32 = 3;
/// The longest wait a flood-control answer's `wait` may impose on one retry.
const MAX_FLOOD_WAIT: Duration = Duration::from_secs(60);

/// A DingTalk client for one app.
pub struct DingTalkClient {
    http: reqwest::Client,
    settings: DingTalkSettings,
    token: Arc<TokenCache>,
    limiter: Arc<CallLimiter>,
    retry: RetryPolicy,
    calls: Mutex<BTreeMap<String, u64>>,
}

/// What went wrong with one attempt, and whether to try again.
enum Attempt<T> {
    Done(T),
    /// Try again (after the backoff the attempt already waited), counted against the retries.
    Retry(DingTalkError),
    /// DingTalk refused the token: it was dropped; repeat with a fresh one.
    Renew(DingTalkError),
    Fail(DingTalkError),
}

impl DingTalkClient {
    /// A client for the app in `settings`.
    pub fn new(settings: DingTalkSettings) -> Self {
        let http = reqwest::Client::builder()
            .timeout(settings.timeout)
            .connect_timeout(Duration::from_secs(10))
            .pool_max_idle_per_host(settings.max_in_flight)
            .build()
            .unwrap_or_default();
        let limiter = CallLimiter::for_app(
            &settings.endpoint,
            &settings.app_key,
            settings.rate_limit,
            settings.max_in_flight,
        );
        let token = TokenCache::for_app(
            &settings.endpoint,
            &settings.app_key,
            settings.app_secret.expose(),
        );
        Self {
            http,
            retry: RetryPolicy::new(settings.max_retries),
            settings,
            token,
            limiter,
            calls: Mutex::new(BTreeMap::new()),
        }
    }

    /// Calls made so far, by API path.
    pub fn api_calls(&self) -> BTreeMap<String, u64> {
        self.calls
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }

    /// A valid access token, fetched (by one caller at a time) when none is cached.
    pub async fn access_token(&self) -> Result<Arc<str>, DingTalkError> {
        self.token.get(|| self.fetch_token()).await
    }

    /// Calls `POST {api}` with `body` and returns its `result`, with token, limiting and retries.
    pub async fn call<T: DeserializeOwned>(
        &self,
        api: &'static str,
        body: &Value,
    ) -> Result<T, DingTalkError> {
        let mut attempt = 0;
        let mut renewals = 0;
        loop {
            let outcome = self.attempt(api, body, attempt).await;
            match outcome {
                Attempt::Done(value) => return Ok(value),
                Attempt::Fail(error) => return Err(error),
                Attempt::Renew(error) if renewals < TOKEN_RENEWALS_PER_CALL => {
                    tracing::debug!(api, %error, "DingTalk refused the token; repeating with a fresh one");
                    renewals += 1;
                }
                Attempt::Renew(error) | Attempt::Retry(error)
                    if attempt >= self.retry.max_retries =>
                {
                    return Err(DingTalkError::RetriesExhausted {
                        attempts: attempt + 1,
                        last: Box::new(error),
                    })
                }
                Attempt::Renew(error) | Attempt::Retry(error) => {
                    tracing::debug!(api, attempt, %error, "retrying DingTalk call");
                    attempt += 1;
                }
            }
        }
    }

    /// Waits until a call to `api` may go out, and only then takes the token it carries: a call
    /// queued behind the rate limit must not send a token that expired while it waited.
    async fn admit(
        &self,
        api: &'static str,
    ) -> Result<(SemaphorePermit<'_>, Arc<str>), DingTalkError> {
        loop {
            let permit = self.limiter.acquire(api).await;
            if let Some(token) = self.token.fresh() {
                return Ok((permit, token));
            }
            // Refresh without holding a permit: the refresh needs one of its own.
            drop(permit);
            self.access_token().await?;
        }
    }

    async fn attempt<T: DeserializeOwned>(
        &self,
        api: &'static str,
        body: &Value,
        attempt: u32,
    ) -> Attempt<T> {
        let url = format!("{}{}", self.settings.endpoint, api);
        let (sent, token) = {
            let (_permit, token) = match self.admit(api).await {
                Ok(admitted) => admitted,
                Err(error) => return Attempt::Fail(error),
            };
            self.count(api);
            let request = self
                .http
                .post(&url)
                .query(&[("access_token", &*token)])
                .json(body);
            (read_body(api, request).await, token)
        };
        let bytes = match sent {
            Ok(bytes) => bytes,
            Err(DingTalkError::Http { status: 429, .. }) => {
                return self
                    .throttled(api, attempt, None, transport_error(api, 429))
                    .await;
            }
            Err(error) if is_transient(&error) => {
                tokio::time::sleep(self.retry.backoff(attempt)).await;
                return Attempt::Retry(error);
            }
            Err(error) => return Attempt::Fail(error),
        };
        let head: Head = match serde_json::from_slice(&bytes) {
            Ok(head) => head,
            // Not JSON at all: DingTalk's gateway answers floods with an HTML page.
            Err(error) => {
                let error = invalid(api, format!("not JSON ({error})"));
                return self.throttled(api, attempt, None, error).await;
            }
        };
        let errcode = match head.errcode {
            Some(errcode) => errcode,
            None => {
                let error = invalid(api, "an answer without errcode (flood control?)".to_owned());
                return self.throttled(api, attempt, head.wait, error).await;
            }
        };
        if errcode == 0 {
            self.limiter.succeeded(api);
            return match serde_json::from_slice::<Payload<T>>(&bytes) {
                Ok(Payload {
                    result: Some(result),
                }) => Attempt::Done(result),
                Ok(Payload { result: None }) => {
                    Attempt::Fail(invalid(api, "errcode 0 without a result".to_owned()))
                }
                Err(error) => Attempt::Fail(invalid(api, error.to_string())),
            };
        }
        let failure = ApiFailure {
            api: api.to_owned(),
            errcode,
            errmsg: self.settings.app_secret.redact(&head.errmsg),
            sub_code: head.sub_code.map(|code| match code {
                Value::String(text) => text,
                other => other.to_string(),
            }),
            sub_msg: head
                .sub_msg
                .map(|msg| self.settings.app_secret.redact(&msg)),
        };
        self.judge(api, failure, &token, attempt).await
    }

    /// A throttled answer (errcode, HTTP 429 or flood control): slow the API down, wait at
    /// least a second (or what DingTalk asked for), and try again.
    async fn throttled<T>(
        &self,
        api: &'static str,
        attempt: u32,
        wait: Option<u64>,
        error: DingTalkError,
    ) -> Attempt<T> {
        self.limiter.throttled(api);
        let asked = Duration::from_secs(wait.unwrap_or(0)).min(MAX_FLOOD_WAIT);
        tokio::time::sleep(self.retry.throttle_backoff(attempt).max(asked)).await;
        Attempt::Retry(error)
    }

    /// Decides what a non-zero errcode means for this call.
    async fn judge<T>(
        &self,
        api: &'static str,
        failure: ApiFailure,
        token: &str,
        attempt: u32,
    ) -> Attempt<T> {
        match failure.class() {
            ErrorClass::TokenExpired => {
                self.token.invalidate(token).await;
                Attempt::Renew(DingTalkError::Api(failure))
            }
            ErrorClass::Busy => {
                tokio::time::sleep(self.retry.backoff(attempt)).await;
                Attempt::Retry(DingTalkError::Api(failure))
            }
            ErrorClass::Throttled => {
                self.throttled(api, attempt, None, DingTalkError::Api(failure))
                    .await
            }
            _ => Attempt::Fail(DingTalkError::Api(failure)),
        }
    }

    /// `GET /gettoken`, itself retried on busy, throttling, 5xx and connection errors. A token
    /// refusal code (40001, 40014, 42001) from `/gettoken` itself means the App Key / App
    /// Secret are wrong, and is classified so.
    async fn fetch_token(&self) -> Result<(String, Duration), DingTalkError> {
        let url = format!("{}{}", self.settings.endpoint, GET_TOKEN);
        let mut attempt = 0;
        loop {
            let sent = {
                let _permit = self.limiter.acquire(GET_TOKEN).await;
                self.count(GET_TOKEN);
                let request = self.http.get(&url).query(&[
                    ("appkey", self.settings.app_key.as_str()),
                    ("appsecret", self.settings.app_secret.expose()),
                ]);
                read_body(GET_TOKEN, request).await
            };
            let (error, throttled) = match sent {
                Ok(bytes) => match serde_json::from_slice::<TokenAnswer>(&bytes) {
                    Ok(answer)
                        if answer.errcode.unwrap_or(0) == 0 && !answer.access_token.is_empty() =>
                    {
                        let lifetime = match answer.expires_in {
                            Some(seconds) if seconds > 0 => Duration::from_secs(seconds),
                            _ => DEFAULT_TOKEN_LIFETIME,
                        };
                        return Ok((answer.access_token, lifetime));
                    }
                    Ok(TokenAnswer {
                        errcode: Some(errcode),
                        errmsg,
                        ..
                    }) if errcode != 0 => {
                        let failure = ApiFailure {
                            api: GET_TOKEN.to_owned(),
                            errcode,
                            errmsg: self.settings.app_secret.redact(&errmsg),
                            sub_code: None,
                            sub_msg: None,
                        };
                        match failure.class() {
                            ErrorClass::Busy => (DingTalkError::Api(failure), false),
                            ErrorClass::Throttled => (DingTalkError::Api(failure), true),
                            _ => return Err(DingTalkError::Api(failure)),
                        }
                    }
                    Ok(_) => (
                        invalid(GET_TOKEN, "an answer without access_token".to_owned()),
                        true,
                    ),
                    Err(error) => (invalid(GET_TOKEN, format!("not JSON ({error})")), true),
                },
                Err(DingTalkError::Http { status: 429, .. }) => {
                    (transport_error(GET_TOKEN, 429), true)
                }
                Err(error) if is_transient(&error) => (error, false),
                Err(error) => return Err(error),
            };
            if attempt >= self.retry.max_retries {
                return Err(DingTalkError::RetriesExhausted {
                    attempts: attempt + 1,
                    last: Box::new(error),
                });
            }
            if throttled {
                self.limiter.throttled(GET_TOKEN);
                tokio::time::sleep(self.retry.throttle_backoff(attempt)).await;
            } else {
                tokio::time::sleep(self.retry.backoff(attempt)).await;
            }
            attempt += 1;
        }
    }

    fn count(&self, api: &str) {
        let mut calls = self
            .calls
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        *calls.entry(api.to_owned()).or_default() += 1;
    }
}

/// Sends a request and reads the body of a 2xx answer; 5xx/429 and transport errors are
/// retryable errors, other statuses too (a proxy in the way), with the URL (and so the secret)
/// stripped from every message.
async fn read_body(api: &str, request: reqwest::RequestBuilder) -> Result<Vec<u8>, DingTalkError> {
    let network = |error: reqwest::Error| DingTalkError::Network {
        api: api.to_owned(),
        message: error.without_url().to_string(),
    };
    let response = request.send().await.map_err(network)?;
    let status = response.status();
    if !status.is_success() {
        return Err(DingTalkError::Http {
            api: api.to_owned(),
            status: status.as_u16(),
        });
    }
    Ok(response.bytes().await.map_err(network)?.to_vec())
}

fn invalid(api: &str, message: String) -> DingTalkError {
    DingTalkError::InvalidResponse {
        api: api.to_owned(),
        message,
    }
}

fn transport_error(api: &str, status: u16) -> DingTalkError {
    DingTalkError::Http {
        api: api.to_owned(),
        status,
    }
}

/// Whether a transport-level failure is worth retrying: connection errors, 5xx and 429.
fn is_transient(error: &DingTalkError) -> bool {
    match error {
        DingTalkError::Network { .. } => true,
        DingTalkError::Http { status, .. } => *status >= 500 || *status == 429,
        _ => false,
    }
}
