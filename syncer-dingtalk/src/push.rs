//! DingTalk's HTTP push as a [`PushReceiver`]: the signature (`msg_signature`, or the older
//! `signature`, over token, `timestamp` / `timeStamp`, `nonce` and the body's `encrypt`) is
//! checked first, then the body decrypted and its owner key checked against the app key, then
//! the message read. A URL check is answered at once; an event is handed back with the
//! encrypted `success` that tells DingTalk it was handled. A push that fails any of the three
//! checks is refused with one and the same reason, so a prober learns nothing about which.

use std::time::{SystemTime, UNIX_EPOCH};

use serde::Deserialize;
use syncer_core::{PushReceipt, PushReceiver, PushRejected, PushReply, PushRequest};

use crate::events::{parse_push, PushMessage};
use crate::push_crypto::{PushCrypto, PushCryptoError};

/// The one reason every unverifiable push is refused with.
const NOT_VERIFIED: &str = "the push does not verify with this syncer's callback_token, aes_key and app_key (is the console's event subscription set to this syncer's values?)";

/// The verifier and decoder of one app's pushes.
#[derive(Debug)]
pub struct DingTalkPush {
    crypto: PushCrypto,
}

/// A push's body.
#[derive(Deserialize)]
struct Body {
    encrypt: String,
}

impl DingTalkPush {
    /// The receiver of pushes signed with `token`, encrypted with `aes_key` for `app_key`.
    pub fn new(token: &str, aes_key: &str, app_key: &str) -> Result<Self, PushCryptoError> {
        Ok(Self {
            crypto: PushCrypto::new(token, aes_key, app_key)?,
        })
    }

    /// The encrypted, signed `success` every handled push is answered with.
    fn success(&self) -> PushReply {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |elapsed| elapsed.as_millis());
        let reply = self.crypto.success_reply(&now.to_string());
        PushReply {
            content_type: "application/json",
            body: serde_json::to_vec(&reply).unwrap_or_default(),
        }
    }
}

impl PushReceiver for DingTalkPush {
    fn receive(&self, request: &PushRequest) -> Result<PushReceipt, PushRejected> {
        let body: Body = serde_json::from_slice(&request.body).map_err(|_| {
            PushRejected::Malformed(
                "the body is not DingTalk's JSON object {\"encrypt\": ...}".to_owned(),
            )
        })?;
        let param = |names: &[&str]| names.iter().find_map(|name| request.query_param(name));
        let refused = || PushRejected::BadSignature(NOT_VERIFIED.to_owned());
        let (Some(signature), Some(timestamp), Some(nonce)) = (
            param(&["msg_signature", "signature"]),
            param(&["timestamp", "timeStamp"]),
            param(&["nonce"]),
        ) else {
            return Err(PushRejected::BadSignature(
                "the push lacks msg_signature, timestamp or nonce in its query".to_owned(),
            ));
        };
        let message = self
            .crypto
            .open(signature, timestamp, nonce, &body.encrypt)
            .map_err(|_| refused())?;
        match parse_push(&message) {
            Ok(PushMessage::CheckUrl) => Ok(PushReceipt::Answer(self.success())),
            Ok(PushMessage::Event(event)) => Ok(PushReceipt::Events {
                events: vec![event],
                success: self.success(),
            }),
            Err(error) => Err(PushRejected::Malformed(error.to_string())),
        }
    }
}
