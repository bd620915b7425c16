//! One directory change event as DingTalk describes it: its type, its unique `eventId`, when it
//! was born, and its `data` (ids only, as internal apps receive them). Built here from a change of
//! the organization; how it travels (a Stream frame, an HTTP push) is `frames.rs` / `push.rs`.

use serde_json::{Map, Value};

/// The address-book event types the simulator emits.
pub mod types {
    /// A person joined the organization.
    pub const USER_ADD_ORG: &str = "user_add_org";
    /// A person's details or departments changed.
    pub const USER_MODIFY_ORG: &str = "user_modify_org";
    /// A person left the organization.
    pub const USER_LEAVE_ORG: &str = "user_leave_org";
    /// A person activated their DingTalk account.
    pub const USER_ACTIVE_ORG: &str = "user_active_org";
    /// A department was created.
    pub const ORG_DEPT_CREATE: &str = "org_dept_create";
    /// A department was renamed or moved.
    pub const ORG_DEPT_MODIFY: &str = "org_dept_modify";
    /// A department was removed.
    pub const ORG_DEPT_REMOVE: &str = "org_dept_remove";
}

/// One emitted event.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Event {
    /// DingTalk's `eventId`: unique per event, the same on every redelivery.
    pub(crate) event_id: String,
    /// `eventType`, e.g. `user_add_org`.
    pub(crate) event_type: String,
    /// When the change happened, in milliseconds since the epoch (`eventBornTime`).
    pub(crate) born_ms: i64,
    /// The event's `data` document (an object).
    pub(crate) data: Value,
}

/// Milliseconds since the epoch, now.
pub(crate) use syncer_sim_kit::unix_millis as now_ms;

/// How the keys of `data` are spelled: today's camel case or a legacy capture's capitals.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KeyCase {
    /// `timeStamp`, `userId`, `deptId`.
    Camel,
    /// `TimeStamp`, `UserId`, `DeptId`.
    Legacy,
}

impl KeyCase {
    fn key(self, camel: &'static str) -> String {
        match self {
            KeyCase::Camel => camel.to_owned(),
            KeyCase::Legacy => {
                let mut chars = camel.chars();
                chars.next().map_or_else(String::new, |first| {
                    first.to_ascii_uppercase().to_string() + chars.as_str()
                })
            }
        }
    }
}

/// The `data` of a person event: `{"timeStamp": "...", "userId": [...]}`.
pub(crate) fn user_data(case: KeyCase, born_ms: i64, userids: &[&str]) -> Map<String, Value> {
    let mut data = Map::new();
    data.insert(case.key("timeStamp"), born_ms.to_string().into());
    data.insert(
        case.key("userId"),
        Value::Array(userids.iter().map(|&id| id.into()).collect()),
    );
    data
}

/// The `data` of a department event: `{"timeStamp": "...", "deptId": [...]}`.
pub(crate) fn dept_data(case: KeyCase, born_ms: i64, dept_ids: &[i64]) -> Map<String, Value> {
    let mut data = Map::new();
    data.insert(case.key("timeStamp"), born_ms.to_string().into());
    data.insert(
        case.key("deptId"),
        Value::Array(dept_ids.iter().map(|&id| id.into()).collect()),
    );
    data
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn legacy_captures_capitalize_the_keys() {
        let data = user_data(KeyCase::Legacy, 5, &["u1"]);
        assert_eq!(
            Value::Object(data),
            serde_json::json!({"TimeStamp": "5", "UserId": ["u1"]})
        );
        let data = dept_data(KeyCase::Camel, 5, &[2, 3]);
        assert_eq!(
            Value::Object(data),
            serde_json::json!({"timeStamp": "5", "deptId": [2, 3]})
        );
    }
}
