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
