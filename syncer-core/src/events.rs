//! Change events: what a directory announces when a person or a department changes.
//!
//! An event is a hint, the directory stays the truth: the host fetches each person or department
//! an event names and applies exactly the engine's semantics to it. Backends turn their wire
//! formats (DingTalk Stream frames and HTTP pushes, Lark callbacks) into [`ChangeEvent`]s; nothing
//! here knows a wire format.

use serde::Serialize;

/// One change a directory announced, with the id it is deduplicated on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ChangeEvent {
    /// The directory's unique id of this event (DingTalk `eventId`, Lark `event_id`); the same
    /// event delivered twice carries the same id.
    pub id: String,
    /// The directory's own name of the event type (`user_add_org`), for logs and reports.
    pub kind: String,
    /// What changed.
    pub change: Change,
}

/// What an event says changed; ids are the directory's own person and department ids.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "change", content = "ids", rename_all = "snake_case")]
pub enum Change {
    /// People who joined, changed or were re-activated: fetch each and apply them.
    People(Vec<String>),
    /// People the directory says left: confirm with a fetch (a person still listed is not
    /// touched), then apply the leaver policy.
    Left(Vec<String>),
    /// Departments created or changed: fetch each and update its group.
    Departments(Vec<String>),
    /// Departments removed: their groups go once they are empty.
    DepartmentsRemoved(Vec<String>),
    /// An event type the syncer has no use for: acknowledged and ignored.
    Ignored,
}

impl ChangeEvent {
    /// Whether acting on the event needs no call at all.
    pub fn is_ignored(&self) -> bool {
        matches!(self.change, Change::Ignored)
    }
}

/// What the directory says about one person now (an event's person, fetched alone).
#[derive(Clone, Debug, PartialEq)]
pub enum PersonLookup {
    /// The person is a member: their record, with every department they belong to, exactly as
    /// a full fetch would give it (same fields, same names).
    Found(crate::snapshot::SourceRecord),
    /// The directory says this id is not a member (DingTalk errcode 60121, Lark "user not
    /// found" or a deleted status): a leaver, confirmed.
    Gone,
}

/// What the directory says about one department now.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DepartmentLookup {
    /// The department exists: its id, name and parent, as a full fetch would give it.
    Found(crate::snapshot::Department),
    /// The directory says it does not exist (removed).
    Gone,
}

/// How a syncer receives its directory's change events (chosen by its config).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum EventMode {
    /// No events: full syncs only.
    #[default]
    Off,
    /// The backend keeps an outbound connection open ([`crate::Syncer::listen`]), e.g.
    /// DingTalk Stream mode.
    Stream,
    /// The directory calls the host's HTTP endpoint; the backend verifies and decodes each
    /// request ([`crate::Syncer::push_receiver`]): DingTalk HTTP push, Lark callbacks.
    Http,
}

/// What the host made of one delivered event: tells the backend how to acknowledge it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum EventOutcome {
    /// Applied, ignored, a duplicate, or recorded as failed: acknowledge it (DingTalk `SUCCESS`).
    Done,
    /// Not handled now (the target is unreachable, the syncer is busy past the answer's time):
    /// ask the directory to deliver it again (DingTalk `LATER`, or a non-200 answer).
    Later,
}

/// Where a backend hands the events it receives; the host implements it.
#[async_trait::async_trait]
pub trait EventSink: Send + Sync {
    /// Handles one event and says how to acknowledge it. Returns once the change is written to
    /// the target or recorded as failed (or it is known to be a duplicate).
    async fn deliver(&self, event: ChangeEvent) -> EventOutcome;

    /// The backend's connection to the directory went up (`true`) or down (`false`).
    fn connection_changed(&self, _connected: bool) {}
}

/// One HTTP request the directory pushed to the host's events endpoint, as it arrived.
#[derive(Clone, Debug, Default)]
pub struct PushRequest {
    /// Query parameters, in order (`msg_signature`, `timestamp`, `nonce`, ...).
    pub query: Vec<(String, String)>,
    /// Headers, names in lower case (`x-lark-signature`, ...).
    pub headers: Vec<(String, String)>,
    /// The raw body.
    pub body: Vec<u8>,
}

impl PushRequest {
    /// A query parameter's value (the first one of that name).
    pub fn query_param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }

    /// A header's value, by name in any case.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }
}

/// The body the host answers a push with (status 200).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PushReply {
    /// `Content-Type` of the answer.
    pub content_type: &'static str,
    /// The answer's body.
    pub body: Vec<u8>,
}

/// A verified, decoded push.
#[derive(Clone, Debug, PartialEq)]
pub enum PushReceipt {
    /// A URL check (DingTalk `check_url`, Lark `url_verification`): answer this at once, there
    /// is nothing to apply.
    Answer(PushReply),
    /// Events to deliver; once every one is [`EventOutcome::Done`], answer `success`. If any is
    /// [`EventOutcome::Later`], answer a non-200 status so the directory pushes again.
    Events {
        /// The events the request carried (usually one).
        events: Vec<ChangeEvent>,
        /// The answer that tells the directory the push was handled.
        success: PushReply,
    },
}

/// Why a push was refused; nothing is applied.
#[derive(Debug, thiserror::Error)]
pub enum PushRejected {
    /// The signature does not match (or is missing): answer 403.
    #[error("the push's signature does not verify: {0}")]
    BadSignature(String),
    /// The request is not a push this backend understands: answer 400.
    #[error("the push could not be read: {0}")]
    Malformed(String),
}

/// A backend's verifier and decoder of pushed requests.
pub trait PushReceiver: Send + Sync {
    /// Verifies the request (signature, token), decrypts it and turns it into events. Never
    /// echoes a secret in its errors.
    fn receive(&self, request: &PushRequest) -> Result<PushReceipt, PushRejected>;
}
