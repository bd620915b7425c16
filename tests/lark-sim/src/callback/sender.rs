//! Sends events to the app's request URL as Lark does: the schema 2.0 document, sealed as
//! `{"encrypt"}` and signed with the `X-Lark-Request-Timestamp` / `-Nonce` / `X-Lark-Signature`
//! headers when the app has an Encrypt Key; HTTP 200 in time acknowledges it, anything else is
//! retried after 15 s, 5 min, 1 h and 6 h (scaled), then given up; with `duplicate_after_ack`
//! an acknowledged event is sent once more, as at-least-once delivery allows. The URL check sends the
//! `url_verification` challenge and expects it back.

use std::sync::Arc;
use std::time::Duration;

use serde_json::{json, Value};
use syncer_sim_kit::{push_client, unix_millis, DeliveryError, RetrySchedule};

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

/// Why a callback was not acknowledged: [`CallbackError::NoTarget`] before
/// [`crate::FakeLark::callback_to`], [`CallbackError::Refused`] when the app did not answer
/// HTTP 200 in time or answered the URL check wrongly.
pub type CallbackError = DeliveryError;

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
        Ok(Target {
            http: push_client(config.answer_timeout)?,
            url,
            config,
            app_id,
        })
    }

    /// Sends `event` on a task until acknowledged or given up, then settles it in the ledger.
    pub(crate) fn spawn(self: Arc<Self>, shared: &Arc<Shared>, event: Arc<LarkEvent>) {
        shared.spawn_with(|state| self.deliver(state, event));
    }

    async fn deliver(self: Arc<Self>, state: Arc<Shared>, event: Arc<LarkEvent>) {
        let document = event.document(
            &self.config.verification_token,
            &self.config.tenant_key,
            &self.app_id,
        );
        let callbacks = state.extension();
        let answered = RetrySchedule::new(RETRIES.to_vec())
            .scaled(self.config.retry_factor)
            .run(
                || async { self.send(&state, &document).await.is_ok() },
                || callbacks.tally(|s| s.retried += 1),
            )
            .await;
        if answered && self.config.duplicate_after_ack {
            callbacks.tally(|s| s.duplicates += 1);
            // The copy's answer does not matter: the event was acknowledged already.
            let _ = self.send(&state, &document).await;
        }
        let first = callbacks.ledger.close(event.event_id());
        if !answered {
            callbacks.tally(|s| s.failed += 1);
        } else if first {
            callbacks.tally(|s| s.acknowledged += 1);
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
