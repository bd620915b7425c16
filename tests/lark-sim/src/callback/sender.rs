//! Sends events to the app's request URL as Lark does: the schema 2.0 document, sealed as
//! `{"encrypt"}` and signed with the `X-Lark-Request-Timestamp` / `-Nonce` / `X-Lark-Signature`
//! headers when the app has an Encrypt Key; HTTP 200 in time acknowledges it, anything else is
//! retried after 15 s, 5 min, 1 h and 6 h (scaled), then given up. The URL check sends the
//! `url_verification` challenge and expects it back.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use serde_json::{json, Value};
use syncer_sim_kit::{unix_millis, RetrySchedule};

use super::config::CallbackConfig;
use super::crypto::{seal, signature};
use super::event::LarkEvent;
use crate::state::Shared;

/// Lark's delays before the retries of an unanswered callback.
const RETRIES: [Duration; 4] = [
    Duration::from_secs(15),
    Duration::from_secs(5 * 60),
    Duration::from_secs(60 * 60),
    Duration::from_secs(6 * 60 * 60),
];

/// Why a callback was not acknowledged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallbackError {
    /// No request URL is set ([`crate::FakeLark::callback_to`]).
    NoTarget,
    /// The app did not answer HTTP 200 in time, or answered the URL check wrongly: why.
    Refused(String),
}

impl fmt::Display for CallbackError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CallbackError::NoTarget => write!(f, "no request URL is set: call callback_to first"),
            CallbackError::Refused(why) => write!(f, "the callback was refused: {why}"),
        }
    }
}

impl std::error::Error for CallbackError {}

/// The app's request URL and subscription.
#[derive(Debug)]
pub(crate) struct Target {
    url: String,
    config: CallbackConfig,
    app_id: String,
    http: reqwest::Client,
}

impl Target {
    /// A target at `url` for the app `app_id`.
    pub(crate) fn new(
        url: String,
        config: CallbackConfig,
        app_id: String,
    ) -> Result<Target, CallbackError> {
        let http = reqwest::Client::builder()
            .timeout(config.answer_timeout)
            .build()
            .map_err(|error| CallbackError::Refused(error.to_string()))?;
        Ok(Target {
            url,
            config,
            app_id,
            http,
        })
    }

    /// Sends `event` on a task until acknowledged or given up, then settles it in the ledger.
    pub(crate) fn spawn(self: Arc<Self>, shared: &Arc<Shared>, event: Arc<LarkEvent>) {
        let shared = Arc::clone(shared);
        let stop = shared.extension().stop.clone();
        tokio::spawn(async move {
            tokio::select! {
                () = stop.cancelled() => {}
                () = self.deliver(&shared, &event) => {}
            }
        });
    }

    async fn deliver(&self, shared: &Arc<Shared>, event: &LarkEvent) {
        let callbacks = shared.extension();
        let document = event.document(
            &self.config.verification_token,
            &self.config.tenant_key,
            &self.app_id,
        );
        let schedule = RetrySchedule::new(RETRIES.to_vec()).scaled(self.config.retry_factor);
        let mut retry = 0;
        loop {
            if self.send(shared, &document).await.is_ok() {
                if callbacks.ledger.close(&event.event_id) {
                    callbacks.tally(|s| s.acknowledged += 1);
                }
                return;
            }
            let Some(delay) = schedule.delay(retry) else {
                callbacks.tally(|s| s.failed += 1);
                callbacks.ledger.close(&event.event_id);
                return;
            };
            tokio::time::sleep(delay).await;
            callbacks.tally(|s| s.retried += 1);
            retry += 1;
        }
    }

    /// The URL check: the challenge must come back in `{"challenge"}`.
    pub(crate) async fn verify(&self, shared: &Arc<Shared>) -> Result<(), CallbackError> {
        let challenge = shared.extension().random_id();
        let document = json!({
            "challenge": challenge,
            "token": self.config.verification_token,
            "type": "url_verification",
        });
        let answer = self.send(shared, &document).await?;
        if answer.get("challenge").and_then(Value::as_str) == Some(challenge.as_str()) {
            Ok(())
        } else {
            shared.extension().tally(|s| s.refused += 1);
            Err(CallbackError::Refused(format!(
                "the URL check was answered {answer} instead of the challenge"
            )))
        }
    }

    /// One request with `document`; counted as sent, and as refused unless HTTP 200 came in time.
    async fn send(&self, shared: &Arc<Shared>, document: &Value) -> Result<Value, CallbackError> {
        let callbacks = shared.extension();
        let mut request = self.http.post(&self.url);
        let body = match &self.config.encrypt_key {
            Some(key) => {
                let (iv, nonce) = callbacks.with_rng(|rng| (rng.bytes16(), rng.hex32()));
                let body = json!({ "encrypt": seal(key, iv, document.to_string().as_bytes()) })
                    .to_string();
                let timestamp = (unix_millis() / 1000).to_string();
                request = request
                    .header("X-Lark-Request-Timestamp", &timestamp)
                    .header("X-Lark-Request-Nonce", &nonce)
                    .header(
                        "X-Lark-Signature",
                        signature(&timestamp, &nonce, key, body.as_bytes()),
                    );
                body
            }
            None => document.to_string(),
        };
        callbacks.tally(|s| s.sent += 1);
        let outcome = async {
            let response = request
                .header(
                    reqwest::header::CONTENT_TYPE,
                    "application/json; charset=utf-8",
                )
                .body(body)
                .send()
                .await
                .map_err(|error| format!("no answer: {error}"))?;
            let status = response.status();
            if status != reqwest::StatusCode::OK {
                return Err(format!("HTTP {status}"));
            }
            let text = response.text().await.map_err(|error| error.to_string())?;
            Ok(serde_json::from_str(&text).unwrap_or(Value::Null))
        }
        .await;
        outcome.map_err(|why| {
            callbacks.tally(|s| s.refused += 1);
            CallbackError::Refused(why)
        })
    }
}
