//! Lark's HTTP callbacks as a [`PushReceiver`]. With an Encrypt Key the body must be
//! `{"encrypt"}` and decrypt with it, and every event must carry a valid `X-Lark-Signature`
//! (timestamp, nonce, key and raw body); without one the body is plain JSON. Either way the
//! Verification Token must match (`token` of a URL check, `header.token` of an event) and an
//! event naming an app must name this one. The URL check (`url_verification`) is answered with
//! its challenge; an event is handed back with Lark's `success`. A callback that fails any check
//! is refused with one and the same reason, so a prober learns nothing about which.

use serde_json::{json, Value};
use subtle::ConstantTimeEq;
use syncer_core::{PushReceipt, PushReceiver, PushRejected, PushReply, PushRequest};

use crate::callback_crypto::CallbackCrypto;
use crate::events::{header, parse_event};

/// The one reason every unverifiable callback is refused with.
const NOT_VERIFIED: &str = "the callback does not verify with this syncer's verification_token and encrypt_key (are they the app's, under Events & Callbacks → Encryption Strategy?)";

/// The verifier and decoder of one app's callbacks.
pub struct LarkCallbacks {
    token: String,
    crypto: Option<CallbackCrypto>,
    app_id: String,
}

impl std::fmt::Debug for LarkCallbacks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LarkCallbacks")
            .field("app_id", &self.app_id)
            .field("encrypted", &self.crypto.is_some())
            .finish_non_exhaustive()
    }
}

impl LarkCallbacks {
    /// The receiver of app `app_id`'s callbacks, carrying `token`, encrypted with `encrypt_key`
    /// when one is set.
    pub fn new(token: &str, encrypt_key: Option<&str>, app_id: &str) -> Self {
        Self {
            token: token.to_owned(),
            crypto: encrypt_key.map(CallbackCrypto::new),
            app_id: app_id.to_owned(),
        }
    }

    fn token_matches(&self, given: &str) -> bool {
        bool::from(given.as_bytes().ct_eq(self.token.as_bytes()))
    }

    /// The callback's document: the body, decrypted when an Encrypt Key is set.
    fn document(&self, request: &PushRequest) -> Result<Value, PushRejected> {
        let body: Value = serde_json::from_slice(&request.body)
            .map_err(|_| PushRejected::Malformed("the callback's body is not JSON".to_owned()))?;
        let encrypted = body.get("encrypt").and_then(Value::as_str);
        match (&self.crypto, encrypted) {
            (Some(crypto), Some(encrypt)) => crypto
                .decrypt(encrypt)
                .ok()
                .and_then(|plain| serde_json::from_str(&plain).ok())
                .ok_or_else(refused),
            // Lark encrypts every callback once an Encrypt Key is set: a plain one is not Lark's.
            (Some(_), None) => Err(refused()),
            (None, Some(_)) => Err(PushRejected::Malformed(
                "the callback is encrypted but this syncer has no encrypt_key: set encrypt_key to the app's Encrypt Key".to_owned(),
            )),
            (None, None) => Ok(body),
        }
    }

    /// Checks `X-Lark-Signature` over the raw body (when an Encrypt Key is set).
    fn verify_signature(&self, request: &PushRequest) -> Result<(), PushRejected> {
        let Some(crypto) = &self.crypto else {
            return Ok(());
        };
        let (Some(signature), Some(timestamp), Some(nonce)) = (
            request.header("x-lark-signature"),
            request.header("x-lark-request-timestamp"),
            request.header("x-lark-request-nonce"),
        ) else {
            return Err(refused());
        };
        crypto
            .verify(signature, timestamp, nonce, &request.body)
            .map_err(|_| refused())
    }
}

fn refused() -> PushRejected {
    PushRejected::BadSignature(NOT_VERIFIED.to_owned())
}

fn json_reply(body: &Value) -> PushReply {
    PushReply {
        content_type: "application/json",
        body: body.to_string().into_bytes(),
    }
}

impl PushReceiver for LarkCallbacks {
    fn receive(&self, request: &PushRequest) -> Result<PushReceipt, PushRejected> {
        let document = self.document(request)?;
        if document.get("type").and_then(Value::as_str) == Some("url_verification") {
            let token = document.get("token").and_then(Value::as_str).unwrap_or("");
            let challenge = document.get("challenge").and_then(Value::as_str);
            return match challenge {
                Some(challenge) if self.token_matches(token) => Ok(PushReceipt::Answer(
                    json_reply(&json!({ "challenge": challenge })),
                )),
                _ => Err(refused()),
            };
        }
        self.verify_signature(request)?;
        let header = header(&document).map_err(|error| match error {
            crate::events::EventParseError::Missing("header.token") => refused(),
            other => PushRejected::Malformed(other.to_string()),
        })?;
        if !self.token_matches(&header.token) {
            return Err(refused());
        }
        if header.app_id.is_some_and(|app_id| app_id != self.app_id) {
            return Err(refused());
        }
        let event = parse_event(&document).map_err(|e| PushRejected::Malformed(e.to_string()))?;
        Ok(PushReceipt::Events {
            events: vec![event],
            success: json_reply(&json!({ "msg": "success" })),
        })
    }
}
