//! One Lark event (schema 2.0): `{"schema": "2.0", "header": {event_id, token, create_time,
//! event_type, tenant_key, app_id}, "event": {...}}`. Contact events carry the full `object` and,
//! for updates and deletions, the `old_object`.

use serde_json::{json, Map, Value};

/// The contact v3 events the fake sends for its tenant changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ContactEvent {
    /// A person joined.
    UserCreated,
    /// A person changed; `old_object` holds the changed fields' previous values.
    UserUpdated,
    /// A person was deleted; `old_object.department_ids` holds their departments.
    UserDeleted,
    /// A department was created.
    DepartmentCreated,
    /// A department changed; `old_object` holds what it was.
    DepartmentUpdated,
    /// A department was deleted.
    DepartmentDeleted,
}

impl ContactEvent {
    /// `header.event_type`, e.g. `contact.user.created_v3`.
    pub fn event_type(self) -> &'static str {
        match self {
            ContactEvent::UserCreated => "contact.user.created_v3",
            ContactEvent::UserUpdated => "contact.user.updated_v3",
            ContactEvent::UserDeleted => "contact.user.deleted_v3",
            ContactEvent::DepartmentCreated => "contact.department.created_v3",
            ContactEvent::DepartmentUpdated => "contact.department.updated_v3",
            ContactEvent::DepartmentDeleted => "contact.department.deleted_v3",
        }
    }
}

/// One emitted event: the header fields it is born with (`event_id`, `event_type`,
/// `create_time`) and its `event`; the subscription's token, tenant and app are stamped on it
/// when it is sent.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct LarkEvent {
    header: Map<String, Value>,
    event: Value,
}

impl LarkEvent {
    /// An event of `event_type` born now-ish (`create_time` in milliseconds).
    pub(crate) fn new(
        event_id: String,
        event_type: &str,
        create_time: i64,
        event: Value,
    ) -> LarkEvent {
        let mut header = Map::new();
        header.insert("event_id".into(), event_id.into());
        header.insert("create_time".into(), create_time.to_string().into());
        header.insert("event_type".into(), event_type.into());
        LarkEvent { header, event }
    }

    /// `header.event_id`, the same on every retry.
    pub(crate) fn event_id(&self) -> &str {
        self.header
            .get("event_id")
            .and_then(Value::as_str)
            .unwrap_or_default()
    }

    /// The schema 2.0 document sent for this event.
    pub(crate) fn document(&self, token: &str, tenant_key: &str, app_id: &str) -> Value {
        let mut header = self.header.clone();
        header.insert("token".into(), token.into());
        header.insert("tenant_key".into(), tenant_key.into());
        header.insert("app_id".into(), app_id.into());
        json!({ "schema": "2.0", "header": header, "event": self.event })
    }
}
