//! Change events: the directory's webhook pushes `{"id", "type", "person"}` with the shared
//! token in `X-Events-Token`. `person.changed` names someone to read again, `person.left`
//! someone who left; the host reads each person alone ([`fetch_person`]) and applies them.

use serde::Deserialize;
use subtle::ConstantTimeEq;
use syncer_core::{
    Change, ChangeEvent, FetchError, PersonLookup, PushReceipt, PushReceiver, PushRejected,
    PushReply, PushRequest, Secret,
};
use syncer_remote::Caller;

use crate::api::{self, ApiPerson};
use crate::records::to_record;
use crate::remote::{get, ExampleApp};

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

/// One person alone: `GET /v1/people/:id`, built by the full fetch's own [`to_record`]. Only
/// the directory's `not_found` means gone; any other failure is an error, so a person who
/// cannot be read is never taken for a leaver.
pub async fn fetch_person(
    caller: &Caller<ExampleApp>,
    id: &str,
) -> Result<PersonLookup, FetchError> {
    match get::<ApiPerson>(caller, api::PERSON, id).await {
        Ok(person) => {
            let mut record = to_record(person.user);
            record.departments = person.departments;
            Ok(PersonLookup::Found(record))
        }
        Err(error) if error.failure().is_some_and(|f| f.code == "not_found") => {
            Ok(PersonLookup::Gone)
        }
        Err(error) => Err(error.to_fetch_error()),
    }
}
