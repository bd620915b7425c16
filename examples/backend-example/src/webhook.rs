//! Change events: the directory's webhook pushes `{"id", "type", "person"}` with the shared
//! token in `X-Events-Token`. `person.changed` names someone to read again, `person.left`
//! someone who left; the host reads each person alone (`person::fetch_person`) and applies them.

use serde::Deserialize;
use subtle::ConstantTimeEq;
use syncer_core::{
    Change, ChangeEvent, PushReceipt, PushReceiver, PushRejected, PushReply, PushRequest, Secret,
};

/// The verifier and decoder of the directory's webhook.
#[derive(Debug)]
pub struct Webhook {
    token: Secret,
}

impl Webhook {
    /// The receiver of pushes carrying `token`.
    pub fn new(token: Secret) -> Self {
        Self { token }
    }
}

/// One push as the webhook sends it.
#[derive(Deserialize)]
struct Pushed {
    id: String,
    #[serde(rename = "type")]
    kind: String,
    person: String,
}

impl PushReceiver for Webhook {
    fn receive(&self, request: &PushRequest) -> Result<PushReceipt, PushRejected> {
        // Verify before reading anything, in constant time, and never echo the token.
        let given = request.header("x-events-token").unwrap_or("");
        if !bool::from(given.as_bytes().ct_eq(self.token.expose().as_bytes())) {
            let reason = "X-Events-Token is not this syncer's events_token";
            return Err(PushRejected::BadSignature(reason.to_owned()));
        }
        let pushed: Pushed = serde_json::from_slice(&request.body)
            .map_err(|error| PushRejected::Malformed(format!("not the webhook's JSON: {error}")))?;
        let change = match pushed.kind.as_str() {
            "person.changed" => Change::People(vec![pushed.person]),
            "person.left" => Change::Left(vec![pushed.person]),
            _ => Change::Ignored,
        };
        Ok(PushReceipt::Events {
            events: vec![ChangeEvent {
                id: pushed.id,
                kind: pushed.kind,
                change,
            }],
            success: PushReply {
                content_type: "application/json",
                body: br#"{"ok":true}"#.to_vec(),
            },
        })
    }
}
