//! HTTP push mode: each event is `POST`ed to the app's URL as DingTalk does it —
//! `?msg_signature=&timestamp=&nonce=` and `{"encrypt": ...}` — and the answer must be the
//! encrypted, signed `success` (checked: signature, decryption, owner key). A refused push is sent
//! again after 10 s and 30 s (scaled by the configured factor), then given up.

use std::sync::Arc;
use std::time::Duration;

use serde_json::{Map, Value};
use syncer_sim_kit::{push_client, DeliveryError, RetrySchedule};

use super::config::PushConfig;
use super::crypto::{signature, PushCipher};
use super::event::{now_ms, Event};
use crate::state::Shared;

/// DingTalk's delays before the retries of a failed push.
const RETRIES: [Duration; 2] = [Duration::from_secs(10), Duration::from_secs(30)];

/// Why a push configuration or a push was refused: [`PushError::BadKey`] for an aes_key that is
/// not 43 base64 characters of a 32-byte key, [`PushError::NoTarget`] before
/// [`crate::FakeDingTalk::push_to`], [`PushError::Refused`] for an answer that is not the sealed
/// `success`.
pub type PushError = DeliveryError;

/// Where events are pushed, with the keys to seal them.
#[derive(Debug)]
pub(crate) struct PushTarget {
    url: String,
    config: PushConfig,
    cipher: PushCipher,
    http: reqwest::Client,
}

impl PushTarget {
    /// A target at `url`; refused when the aes_key is not a valid key.
    pub(crate) fn new(url: String, config: PushConfig) -> Result<PushTarget, PushError> {
        let cipher = PushCipher::new(&config.aes_key).map_err(|_| PushError::BadKey)?;
        let http = push_client(config.answer_timeout)?;
        Ok(PushTarget {
            url,
            config,
            cipher,
            http,
        })
    }

    /// Pushes `event` on a task, retrying as DingTalk does; settles it in the ledger at the end.
    pub(crate) fn spawn(self: Arc<Self>, shared: &Arc<Shared>, event: Arc<Event>) {
        shared.spawn_with(move |shared| async move { self.push(&shared, &event).await });
    }

    async fn push(&self, shared: &Arc<Shared>, event: &Event) {
        let hub = shared.extension();
        let message = self.message(shared, event);
        let schedule = RetrySchedule::new(RETRIES.to_vec()).scaled(self.config.retry_factor);
        let pushed = schedule
            .run(
                || async { self.attempt(shared, &message).await.is_ok() },
                || hub.tally(|s| s.push.retried += 1),
            )
            .await;
        let settled = hub.ledger.close(&event.event_id);
        hub.tally(|s| match (pushed, settled) {
            (true, true) => s.acknowledged += 1,
            (true, false) => {}
            (false, _) => s.push.failed += 1,
        });
    }

    /// The plaintext of a pushed event: its data's keys with `EventType`, `EventTime`, `CorpId`.
    fn message(&self, shared: &Arc<Shared>, event: &Event) -> String {
        let mut message = Map::new();
        message.insert("EventType".into(), event.event_type.clone().into());
        message.insert("EventTime".into(), event.born_ms.to_string().into());
        message.insert("CorpId".into(), shared.extension().config().corp_id.into());
        if let Value::Object(data) = &event.data {
            message.extend(data.clone());
        }
        Value::Object(message).to_string()
    }

    /// One push of `message`; counted as sent and as answered or refused.
    pub(crate) async fn attempt(
        &self,
        shared: &Arc<Shared>,
        message: &str,
    ) -> Result<(), PushError> {
        let hub = shared.extension();
        let (random, nonce) = hub.with_rng(|rng| {
            let random = rng.bytes16();
            let nonce: String = (0..8)
                .map(|_| {
                    let alphabet =
                        b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
                    char::from(alphabet[rng.below(alphabet.len())])
                })
                .collect();
            (random, nonce)
        });
        let encrypt = self
            .cipher
            .seal(random, message.as_bytes(), &self.config.owner_key);
        let timestamp = now_ms().to_string();
        let msg_signature = signature(&self.config.token, &timestamp, &nonce, &encrypt);
        hub.tally(|s| s.push.sent += 1);
        let outcome = self
            .post(&msg_signature, &timestamp, &nonce, &encrypt)
            .await
            .and_then(|answer| self.check_answer(&answer));
        let answered = outcome.is_ok();
        hub.tally(|s| {
            if answered {
                s.push.answered_success += 1;
            } else {
                s.push.refused += 1;
            }
        });
        outcome
    }

    async fn post(
        &self,
        msg_signature: &str,
        timestamp: &str,
        nonce: &str,
        encrypt: &str,
    ) -> Result<Value, PushError> {
        let refused = |why: String| PushError::Refused(why);
        let response = self
            .http
            .post(&self.url)
            .query(&[
                ("msg_signature", msg_signature),
                ("timestamp", timestamp),
                ("nonce", nonce),
            ])
            .json(&serde_json::json!({ "encrypt": encrypt }))
            .send()
            .await
            .map_err(|error| refused(format!("no answer: {error}")))?;
        let status = response.status();
        if !status.is_success() {
            return Err(refused(format!("HTTP {status}")));
        }
        response
            .json()
            .await
            .map_err(|_| refused("the answer is not JSON".into()))
    }

    /// Checks an answer is the signed, encrypted `success` for this app.
    fn check_answer(&self, answer: &Value) -> Result<(), PushError> {
        let field = |name: &str| {
            answer
                .get(name)
                .and_then(Value::as_str)
                .ok_or_else(|| PushError::Refused(format!("the answer has no {name}")))
        };
        let encrypt = field("encrypt")?;
        let expected = signature(
            &self.config.token,
            field("timeStamp")?,
            field("nonce")?,
            encrypt,
        );
        if field("msg_signature")? != expected {
            return Err(PushError::Refused(
                "the answer's msg_signature is wrong".into(),
            ));
        }
        let (message, owner) = self
            .cipher
            .open(encrypt)
            .map_err(|_| PushError::Refused("the answer does not decrypt".into()))?;
        if owner != self.config.owner_key {
            return Err(PushError::Refused(
                "the answer is sealed for another app".into(),
            ));
        }
        if message != b"success" {
            return Err(PushError::Refused(format!(
                "the answer decrypts to {:?}, not \"success\"",
                String::from_utf8_lossy(&message)
            )));
        }
        Ok(())
    }
}

#[cfg(test)]
#[path = "push_tests.rs"]
mod tests;
