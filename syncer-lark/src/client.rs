//! The Lark open-platform client: every call goes through the app's rate limiter, carries the
//! cached tenant access token as `Authorization: Bearer`, is judged by the envelope's `code`
//! (Lark pairs error codes with 4xx statuses, so the body is read whatever the status), and is
//! retried on frequency limits, internal errors, 5xx and connection failures. A refused token is
//! dropped and fetched again, mid-sync included. Every call sent is counted per API.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::Value;
use syncer_remote::{CallLimiter, RetryPolicy, TokenCache};
use tokio::sync::SemaphorePermit;

use crate::api::TENANT_ACCESS_TOKEN;
use crate::error::{ApiFailure, ErrorClass, LarkError};
use crate::settings::LarkSettings;

/// The envelope of every contact answer: `code` 0 means ok, the payload sits in `data`.
#[derive(Deserialize)]
struct Envelope {
    #[serde(default)]
    code: i64,
    #[serde(default)]
    msg: String,
    #[serde(default)]
    data: Option<Value>,
}

/// The token endpoint's answer (fields at the top level).
#[derive(Deserialize)]
struct TokenAnswer {
    #[serde(default)]
    code: i64,
    #[serde(default)]
    msg: String,
    #[serde(default)]
    tenant_access_token: String,
    #[serde(default)]
    expire: u64,
}

/// One HTTP answer: its status and body.
struct Answer {
    status: u16,
    body: Vec<u8>,
}

/// What one attempt came to.
enum Attempt<T> {
    Done(T),
    Retry(LarkError),
    Fail(LarkError),
}

/// A Lark client for one custom app.
pub struct LarkClient {
    http: reqwest::Client,
    settings: LarkSettings,
    token: Arc<TokenCache>,
    limiter: Arc<CallLimiter>,
    retry: RetryPolicy,
    calls: Mutex<BTreeMap<String, u64>>,
}

impl LarkClient {
    /// A client for the app in `settings`.
    pub fn new(settings: LarkSettings) -> Self {
        let http = reqwest::Client::builder()
            .timeout(settings.timeout)
            .connect_timeout(Duration::from_secs(10))
            .pool_max_idle_per_host(settings.max_in_flight)
            .build()
            .unwrap_or_default();
        let limiter = CallLimiter::for_app(
            &settings.endpoint,
            &settings.app_id,
            settings.rate_limit,
            settings.max_in_flight,
        );
        let token = TokenCache::for_app(
            &settings.endpoint,
            &settings.app_id,
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

    /// Calls made so far, by API.
    pub fn api_calls(&self) -> BTreeMap<String, u64> {
        self.calls
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }

    /// A valid tenant access token, fetched (by one caller at a time) when none is cached.
    pub async fn access_token(&self) -> Result<Arc<str>, LarkError> {
        self.token.get(|| self.fetch_token()).await
    }

    /// `GET {path}?{query}` of API `api` (its limiter key and name in errors), returning `data`.
    pub async fn get<T: DeserializeOwned>(
        &self,
        api: &'static str,
        path: &str,
        query: &[(&'static str, String)],
    ) -> Result<T, LarkError> {
        let mut attempt = 0;
        loop {
            match self.attempt(api, path, query, attempt).await {
                Attempt::Done(value) => return Ok(value),
                Attempt::Fail(error) => return Err(error),
                Attempt::Retry(error) if attempt >= self.retry.max_retries => {
                    return Err(LarkError::RetriesExhausted {
                        attempts: attempt + 1,
                        last: Box::new(error),
                    })
                }
                Attempt::Retry(error) => {
                    tracing::debug!(api, attempt, %error, "retrying Lark call");
                    attempt += 1;
                }
            }
        }
    }

    /// Waits until a call to `api` may go out, and only then takes its token, so a call queued
    /// behind the rate limit never sends a token that expired while it waited.
    async fn admit(&self, api: &'static str) -> Result<(SemaphorePermit<'_>, Arc<str>), LarkError> {
        loop {
            let permit = self.limiter.acquire(api).await;
            if let Some(token) = self.token.fresh() {
                return Ok((permit, token));
            }
            // The refresh takes a permit of its own.
            drop(permit);
            self.access_token().await?;
        }
    }

    async fn attempt<T: DeserializeOwned>(
        &self,
        api: &'static str,
        path: &str,
        query: &[(&'static str, String)],
        attempt: u32,
    ) -> Attempt<T> {
        let url = format!("{}{path}", self.settings.endpoint);
        let (sent, token) = {
            let (_permit, token) = match self.admit(api).await {
                Ok(admitted) => admitted,
                Err(error) => return Attempt::Fail(error),
            };
            self.count(api);
            let request = self.http.get(&url).query(query).bearer_auth(&*token);
            (send(api, request).await, token)
        };
        let answer = match sent {
            Ok(answer) => answer,
            Err(error) => {
                tokio::time::sleep(self.retry.backoff(attempt)).await;
                return Attempt::Retry(error);
            }
        };
        let envelope = match serde_json::from_slice::<Envelope>(&answer.body) {
            Ok(envelope) => envelope,
            Err(error) => return self.without_envelope(api, &answer, &error, attempt).await,
        };
        if envelope.code != 0 {
            let failure = ApiFailure {
                api: api.to_owned(),
                code: envelope.code,
                msg: self.settings.app_secret.redact(&envelope.msg),
            };
            return self.judge(api, failure, &token, attempt).await;
        }
        self.limiter.succeeded(api);
        let data = envelope.data.unwrap_or(Value::Null);
        match serde_json::from_value(data) {
            Ok(value) => Attempt::Done(value),
            Err(error) => Attempt::Fail(LarkError::InvalidResponse {
                api: api.to_owned(),
                message: format!("code 0 with unexpected data: {error}"),
            }),
        }
    }

    /// An answer that is not a Lark envelope: a gateway or proxy spoke.
    async fn without_envelope<T>(
        &self,
        api: &'static str,
        answer: &Answer,
        error: &serde_json::Error,
        attempt: u32,
    ) -> Attempt<T> {
        let status = answer.status;
        if status == 429 {
            self.limiter.throttled(api);
            tokio::time::sleep(self.retry.throttle_backoff(attempt)).await;
            return Attempt::Retry(LarkError::Http {
                api: api.to_owned(),
                status,
            });
        }
        if status >= 500 {
            tokio::time::sleep(self.retry.backoff(attempt)).await;
            return Attempt::Retry(LarkError::Http {
                api: api.to_owned(),
                status,
            });
        }
        if (200..300).contains(&status) {
            return Attempt::Fail(LarkError::InvalidResponse {
                api: api.to_owned(),
                message: error.to_string(),
            });
        }
        Attempt::Fail(LarkError::Http {
            api: api.to_owned(),
            status,
        })
    }

    /// Decides what a non-zero code means for this call.
    async fn judge<T>(
        &self,
        api: &'static str,
        failure: ApiFailure,
        token: &str,
        attempt: u32,
    ) -> Attempt<T> {
        match failure.class() {
            ErrorClass::TokenInvalid => {
                self.token.invalidate(token).await;
                Attempt::Retry(LarkError::Api(failure))
            }
            ErrorClass::Busy => {
                tokio::time::sleep(self.retry.backoff(attempt)).await;
                Attempt::Retry(LarkError::Api(failure))
            }
            ErrorClass::Throttled => {
                self.limiter.throttled(api);
                tokio::time::sleep(self.retry.throttle_backoff(attempt)).await;
                Attempt::Retry(LarkError::Api(failure))
            }
            _ => Attempt::Fail(LarkError::Api(failure)),
        }
    }

    /// `POST` the token endpoint with App ID and App Secret, itself retried on frequency
    /// limits, 5xx and connection errors.
    async fn fetch_token(&self) -> Result<(String, Duration), LarkError> {
        let url = format!("{}{TENANT_ACCESS_TOKEN}", self.settings.endpoint);
        let body = serde_json::json!({
            "app_id": self.settings.app_id,
            "app_secret": self.settings.app_secret.expose(),
        });
        let mut attempt = 0;
        loop {
            let sent = {
                let _permit = self.limiter.acquire(TENANT_ACCESS_TOKEN).await;
                self.count(TENANT_ACCESS_TOKEN);
                send(TENANT_ACCESS_TOKEN, self.http.post(&url).json(&body)).await
            };
            let error = match sent {
                Ok(answer) => match serde_json::from_slice::<TokenAnswer>(&answer.body) {
                    Ok(token) if token.code == 0 && !token.tenant_access_token.is_empty() => {
                        let lifetime = Duration::from_secs(token.expire.max(60));
                        return Ok((token.tenant_access_token, lifetime));
                    }
                    Ok(token) => {
                        let failure = ApiFailure {
                            api: TENANT_ACCESS_TOKEN.to_owned(),
                            code: token.code,
                            msg: self.settings.app_secret.redact(&token.msg),
                        };
                        match failure.class() {
                            ErrorClass::Busy | ErrorClass::Throttled => LarkError::Api(failure),
                            _ => return Err(LarkError::Api(failure)),
                        }
                    }
                    Err(_) if answer.status >= 500 || answer.status == 429 => LarkError::Http {
                        api: TENANT_ACCESS_TOKEN.to_owned(),
                        status: answer.status,
                    },
                    Err(error) => {
                        return Err(LarkError::InvalidResponse {
                            api: TENANT_ACCESS_TOKEN.to_owned(),
                            message: error.to_string(),
                        })
                    }
                },
                Err(error) => error,
            };
            if attempt >= self.retry.max_retries {
                return Err(LarkError::RetriesExhausted {
                    attempts: attempt + 1,
                    last: Box::new(error),
                });
            }
            tokio::time::sleep(self.retry.backoff(attempt)).await;
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

/// Sends a request and reads its status and body; transport failures (the only errors) carry no
/// URL, so no query parameter can leak.
async fn send(api: &str, request: reqwest::RequestBuilder) -> Result<Answer, LarkError> {
    let network = |error: reqwest::Error| LarkError::Network {
        api: api.to_owned(),
        message: error.without_url().to_string(),
    };
    let response = request.send().await.map_err(network)?;
    let status = response.status().as_u16();
    let body = response.bytes().await.map_err(network)?.to_vec();
    Ok(Answer { status, body })
}
