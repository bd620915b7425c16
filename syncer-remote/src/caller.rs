//! [`Caller`]: the one remote-call loop. For every call it waits for the API's rate limit, takes
//! the cached token at the last moment, sends, lets the backend's [`Remote::classify`] judge the
//! answer, and acts on the [`Verdict`]: retry with backoff, wait out throttling, renew a refused
//! token (with a budget of its own, whatever `max_retries` says), stop at a used-up quota. The
//! token fetch is a call like any other (rate-limited, retried, throttling waited out).
//! Knows no API of any backend: paths, request bodies and answer shapes come from the backend.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use futures::future::BoxFuture;
use parking_lot::Mutex;
use serde::de::DeserializeOwned;
use syncer_core::{Secret, SharedMeter};
use tokio::sync::SemaphorePermit;

use crate::app::AppCredentials;
use crate::error::{CallError, Failure};
use crate::http::http_client;
use crate::limiter::CallLimiter;
use crate::retry::RetryPolicy;
use crate::settings::RemoteSettings;
use crate::token::TokenCache;
use crate::token_scheme::TokenScheme;
use crate::verdict::{Outcome, Verdict};

/// Token renewals one call may make after the remote refused its token, on top of its retries:
/// "refresh once and repeat" must not depend on how many retries are configured.
pub const TOKEN_RENEWALS_PER_CALL: u32 = 3;
/// The largest answer body a call reads: a page of 100 members is a few hundred KB, so 8 MiB
/// leaves room for any real answer while a runaway one cannot exhaust memory. Larger answers
/// fail the call (not retried: the remote would send the same again).
pub const MAX_ANSWER_BYTES: usize = 8 * 1024 * 1024;
/// The longest wait a throttled answer's own `wait` may impose on one retry.
const MAX_ASKED_WAIT: Duration = Duration::from_secs(60);

/// One HTTP answer: its status and body, whatever the status.
#[derive(Clone, Debug)]
pub struct Answer {
    /// The HTTP status.
    pub status: u16,
    /// The body.
    pub body: Vec<u8>,
}

impl Answer {
    /// Whether the status is 2xx.
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

/// An access token and how long it lives.
#[derive(Clone, Debug)]
pub struct Token {
    /// The token.
    pub value: String,
    /// Its lifetime from now.
    pub lifetime: Duration,
}

/// Whether a call carries the access token.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Auth {
    /// The call carries the cached token (fetched first when there is none).
    Token,
    /// The call carries no token.
    None,
}

/// What a backend tells the call loop: its name, its failure type (whose [`Classify`] says what
/// an answer means) and its [`TokenScheme`]. Nothing else — no loop, no retry, no rate limit.
pub trait Remote: Send + Sync {
    /// The backend's failure of an answer with an error code (names API, code and the fix), and
    /// its judge of answers.
    type Failure: Classify + fmt::Display + fmt::Debug + Clone + Send + Sync + 'static;
    /// The remote's name in messages (`DingTalk`).
    const NAME: &'static str;
    /// Where the token comes from and how a call carries it.
    const TOKEN: TokenScheme;

    /// The request that asks the token API at `url` for a token of `app`: by default what
    /// [`Remote::TOKEN`] says.
    fn token_request(
        &self,
        http: &reqwest::Client,
        url: &str,
        app: &AppCredentials,
    ) -> reqwest::RequestBuilder {
        Self::TOKEN.request(http, url, app)
    }
    /// `request` carrying `token`: by default as [`Remote::TOKEN`] says.
    fn authorize(&self, request: reqwest::RequestBuilder, token: &str) -> reqwest::RequestBuilder {
        Self::TOKEN.authorize(request, token)
    }
}

/// What a backend's answers mean, said by its failure type (the backend's `error.rs`): every
/// answer becomes a [`Verdict`] the loop acts on. `secret` is the app's, to mask in anything an
/// answer quotes.
pub trait Classify: Failure + Sized {
    /// What an answer of the token API means.
    fn read_token(secret: &Secret, answer: &Answer) -> Verdict<Token, Self>;
    /// What an answer of `api` means, with its payload read as `T` on success.
    fn classify<T: DeserializeOwned>(
        secret: &Secret,
        api: &'static str,
        answer: &Answer,
    ) -> Verdict<T, Self>;
}

/// Told of every HTTP request a [`Caller`] sends (an API quota counter, metrics).
pub trait CallObserver: Send + Sync {
    /// One request to `api` was sent and came to `outcome`.
    fn observed(&self, api: &str, outcome: Outcome);
}

type Failed<R> = CallError<<R as Remote>::Failure>;

/// The call loop of one app of remote `R`.
pub struct Caller<R: Remote> {
    remote: R,
    app: AppCredentials,
    http: reqwest::Client,
    endpoint: String,
    limiter: Arc<CallLimiter>,
    token: Arc<TokenCache>,
    retry: RetryPolicy,
    observers: Vec<Arc<dyn CallObserver>>,
    /// The host's count of metered calls (every request sent, token fetches included).
    meter: Option<SharedMeter>,
    calls: Mutex<BTreeMap<String, u64>>,
    /// Set once the remote said the quota is used up: later calls fail without being sent.
    quota: OnceLock<Failed<R>>,
}

impl<R: Remote> Caller<R> {
    /// A caller for app `app` of `remote`, sharing the app's rate limit and token with every
    /// other caller of the same app in this process.
    pub fn new(
        remote: R,
        settings: &RemoteSettings,
        app: &AppCredentials,
    ) -> Result<Self, Failed<R>> {
        let http = http_client(settings.timeout, settings.max_in_flight).map_err(|source| {
            CallError::Client {
                remote: R::NAME,
                source,
            }
        })?;
        Ok(Self {
            remote,
            app: app.clone(),
            http,
            endpoint: settings.endpoint.trim_end_matches('/').to_owned(),
            limiter: CallLimiter::for_app(
                &settings.endpoint,
                &app.id,
                settings.rate_limit,
                settings.max_in_flight,
            ),
            token: TokenCache::for_app(&settings.endpoint, &app.id, app.secret.expose()),
            retry: RetryPolicy::new(settings.max_retries),
            observers: Vec::new(),
            meter: None,
            calls: Mutex::new(BTreeMap::new()),
            quota: OnceLock::new(),
        })
    }

    /// The same caller, also telling `observer` of every request it sends.
    pub fn observed_by(mut self, observer: Arc<dyn CallObserver>) -> Self {
        self.observers.push(observer);
        self
    }

    /// The same caller, counting every request it sends on the host's `meter` (and telling it
    /// when the remote says the quota is used up).
    pub fn metered_by(mut self, meter: Option<SharedMeter>) -> Self {
        self.meter = meter;
        self
    }

    /// The remote's answer that its API quota is used up, if one came: from then on this
    /// caller sends nothing.
    pub fn quota_exhausted(&self) -> Option<&Failed<R>> {
        self.quota.get()
    }

    /// The backend.
    pub fn remote(&self) -> &R {
        &self.remote
    }

    /// The endpoint's URL of `path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.endpoint)
    }

    /// Requests sent so far, by API path.
    pub fn api_calls(&self) -> BTreeMap<String, u64> {
        self.calls.lock().clone()
    }

    /// A valid access token, fetched (by one caller at a time) when none is cached.
    pub async fn access_token(&self) -> Result<Arc<str>, Failed<R>> {
        self.token.get(|| self.fetch_token()).await
    }

    /// Calls `api` with the request `request` builds (from the HTTP client), through the loop,
    /// and returns the answer's payload.
    pub async fn call<T, B>(
        &self,
        api: &'static str,
        auth: Auth,
        request: B,
    ) -> Result<T, Failed<R>>
    where
        T: DeserializeOwned + Send,
        B: Fn(&reqwest::Client) -> reqwest::RequestBuilder + Sync,
    {
        self.run(api, auth, &request, &|answer| {
            R::Failure::classify(&self.app.secret, api, answer)
        })
        .await
    }

    fn fetch_token(&self) -> BoxFuture<'_, Result<(String, Duration), Failed<R>>> {
        Box::pin(async move {
            let url = self.url(R::TOKEN.api);
            let request = |http: &reqwest::Client| self.remote.token_request(http, &url, &self.app);
            let token = self
                .run(R::TOKEN.api, Auth::None, &request, &|answer| {
                    R::Failure::read_token(&self.app.secret, answer)
                })
                .await?;
            Ok((token.value, token.lifetime))
        })
    }

    async fn run<T: Send>(
        &self,
        api: &'static str,
        auth: Auth,
        request: &(dyn Fn(&reqwest::Client) -> reqwest::RequestBuilder + Sync),
        classify: &(dyn Fn(&Answer) -> Verdict<T, R::Failure> + Sync),
    ) -> Result<T, Failed<R>> {
        let mut attempt = 0;
        let mut renewals = 0;
        loop {
            if let Some(exhausted) = self.quota.get() {
                return Err(exhausted.clone());
            }
            let (sent, token) = {
                let (_permit, token) = self.admit(api, auth).await?;
                // Again after the wait: a call queued behind one that met the used-up quota
                // must not be sent either.
                if let Some(exhausted) = self.quota.get() {
                    return Err(exhausted.clone());
                }
                let mut built = request(&self.http);
                if let Some(token) = &token {
                    built = self.remote.authorize(built, token);
                }
                (send(built).await, token)
            };
            let verdict = match sent {
                Ok(answer) => classify(&answer),
                Err(Unsent::Transport(message)) => Verdict::Retry(CallError::Network {
                    remote: R::NAME,
                    api: api.to_owned(),
                    message,
                }),
                Err(Unsent::TooLarge) => Verdict::Fail(CallError::TooLarge {
                    remote: R::NAME,
                    api: api.to_owned(),
                    limit: MAX_ANSWER_BYTES,
                }),
            };
            self.observe(api, verdict.outcome());
            let (error, wait) = match verdict {
                Verdict::Done(value) => {
                    self.limiter.succeeded(api);
                    return Ok(value);
                }
                Verdict::Fail(error) => return Err(error),
                Verdict::QuotaExhausted(error) => {
                    tracing::error!(api, %error, "the remote's API quota is used up; no further call is sent");
                    if let Some(meter) = &self.meter {
                        meter.exhausted(api, &error.to_string());
                    }
                    let _ = self.quota.set(error.clone());
                    return Err(error);
                }
                Verdict::RenewToken(error) => {
                    // A call without a token (the token fetch) cannot have its token refused:
                    // the remote refuses the credentials, which no renewal fixes.
                    let Some(token) = &token else {
                        return Err(error);
                    };
                    self.token.invalidate(token).await;
                    if renewals < TOKEN_RENEWALS_PER_CALL {
                        tracing::debug!(api, %error, "the token was refused; repeating with a fresh one");
                        renewals += 1;
                        continue;
                    }
                    (error, self.retry.backoff(attempt))
                }
                Verdict::Retry(error) => (error, self.retry.backoff(attempt)),
                Verdict::Throttled { wait, error } => {
                    self.limiter.throttled(api);
                    let asked = wait.unwrap_or_default().min(MAX_ASKED_WAIT);
                    (error, self.retry.throttle_backoff(attempt).max(asked))
                }
            };
            if attempt >= self.retry.max_retries {
                return Err(CallError::RetriesExhausted {
                    attempts: attempt + 1,
                    last: Box::new(error),
                });
            }
            tracing::debug!(api, attempt, %error, "retrying the call");
            tokio::time::sleep(wait).await;
            attempt += 1;
        }
    }

    /// Waits until a call to `api` may go out, and only then takes the token it carries: a call
    /// queued behind the rate limit must not send a token that expired while it waited.
    async fn admit(
        &self,
        api: &'static str,
        auth: Auth,
    ) -> Result<(SemaphorePermit<'_>, Option<Arc<str>>), Failed<R>> {
        loop {
            let permit = self.limiter.acquire(api).await;
            if auth == Auth::None {
                return Ok((permit, None));
            }
            if let Some(token) = self.token.fresh() {
                return Ok((permit, Some(token)));
            }
            // Refresh without holding a permit: the refresh needs one of its own.
            drop(permit);
            self.access_token().await?;
        }
    }

    fn observe(&self, api: &str, outcome: Outcome) {
        *self.calls.lock().entry(api.to_owned()).or_default() += 1;
        if let Some(meter) = &self.meter {
            meter.sent(api);
        }
        for observer in &self.observers {
            observer.observed(api, outcome);
        }
    }
}

/// Why [`send`] has no answer to classify.
enum Unsent {
    /// A transport failure: its message, without the URL.
    Transport(String),
    /// The body is larger than [`MAX_ANSWER_BYTES`].
    TooLarge,
}

/// Sends a request and reads its status and body, at most [`MAX_ANSWER_BYTES`] of it (read in
/// chunks, stopping as soon as the cap is passed; a `Content-Length` above it is refused before
/// any is read). A transport failure is its message without the URL, so no query parameter (a
/// token, a secret) can leak.
async fn send(request: reqwest::RequestBuilder) -> Result<Answer, Unsent> {
    let message = |error: reqwest::Error| Unsent::Transport(error.without_url().to_string());
    let mut response = request.send().await.map_err(message)?;
    let status = response.status().as_u16();
    let announced = response.content_length().unwrap_or(0);
    if usize::try_from(announced).map_or(true, |length| length > MAX_ANSWER_BYTES) {
        return Err(Unsent::TooLarge);
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(message)? {
        if body.len() + chunk.len() > MAX_ANSWER_BYTES {
            return Err(Unsent::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(Answer { status, body })
}
