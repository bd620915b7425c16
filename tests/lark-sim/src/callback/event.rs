//! One Lark event (schema 2.0): `{"schema": "2.0", "header": {event_id, token, create_time,
//! event_type, tenant_key, app_id}, "event": {...}}`. Contact events carry the full `object` and,
//! for updates and deletions, the `old_object`.

use serde_json::{json, Value};

/// The contact event types the fake emits.
pub mod types {
    /// A person joined.
    pub const USER_CREATED: &str = "contact.user.created_v3";
    /// A person changed (`old_object` holds the changed fields' previous values).
    pub const USER_UPDATED: &str = "contact.user.updated_v3";
    /// A person was deleted (`old_object.department_ids` their departments).
    pub const USER_DELETED: &str = "contact.user.deleted_v3";
    /// A department was created.
    pub const DEPARTMENT_CREATED: &str = "contact.department.created_v3";
    /// A department changed.
    pub const DEPARTMENT_UPDATED: &str = "contact.department.updated_v3";
    /// A department was deleted.
    pub const DEPARTMENT_DELETED: &str = "contact.department.deleted_v3";
}

/// One emitted event, before the subscription's token is stamped on it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct LarkEvent {
    /// `header.event_id`, the same on every retry.
    pub(crate) event_id: String,
    /// `header.event_type`.
    pub(crate) event_type: String,
    /// `header.create_time`, milliseconds since the epoch.
    pub(crate) create_time: i64,
    /// `event`.
    pub(crate) event: Value,
}

impl LarkEvent {
    /// The schema 2.0 document sent for this event.
    pub(crate) fn document(&self, token: &str, tenant_key: &str, app_id: &str) -> Value {
        json!({
            "schema": "2.0",
            "header": {
                "event_id": self.event_id,
                "token": token,
                "create_time": self.create_time.to_string(),
                "event_type": self.event_type,
                "tenant_key": tenant_key,
                "app_id": app_id,
            },
            "event": self.event,
        })
    }
}
