//! Lark's contact v3 events (schema 2.0) as [`ChangeEvent`]s: people by their `user_id` (the id
//! the full fetch keys people by), departments by their `open_department_id` (the id the full
//! fetch names departments by). Any other event type is acknowledged and ignored.

use serde_json::Value;
use syncer_core::{Change, ChangeEvent};

/// Why a decoded callback is not an event this backend can read.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum EventParseError {
    /// A field every schema 2.0 event has is missing.
    #[error("a Lark event without `{0}` (is the app's event subscription on schema 2.0?)")]
    Missing(&'static str),
}

/// The header fields of a schema 2.0 event the receiver checks.
#[derive(Debug, PartialEq, Eq)]
pub struct EventHeader {
    /// `header.token`: the app's Verification Token.
    pub token: String,
    /// `header.app_id`, when given.
    pub app_id: Option<String>,
}

/// Reads the header of a schema 2.0 event.
pub fn header(document: &Value) -> Result<EventHeader, EventParseError> {
    let header = document
        .get("header")
        .and_then(Value::as_object)
        .ok_or(EventParseError::Missing("header"))?;
    let text = |name: &str| header.get(name).and_then(Value::as_str).map(str::to_owned);
    Ok(EventHeader {
        token: text("token").ok_or(EventParseError::Missing("header.token"))?,
        app_id: text("app_id").filter(|id| !id.is_empty()),
    })
}

/// Turns a verified schema 2.0 event into what it says changed.
pub fn parse_event(document: &Value) -> Result<ChangeEvent, EventParseError> {
    let header = document
        .get("header")
        .ok_or(EventParseError::Missing("header"))?;
    let text = |name: &'static str| {
        header
            .get(name)
            .and_then(Value::as_str)
            .filter(|text| !text.is_empty())
            .map(str::to_owned)
            .ok_or(EventParseError::Missing(name))
    };
    let id = text("event_id")?;
    let kind = text("event_type")?;
    let object = document.pointer("/event/object");
    let ids = |key: &str| -> Vec<String> {
        object
            .and_then(|object| object.get(key))
            .and_then(Value::as_str)
            .filter(|id| !id.is_empty())
            .map(str::to_owned)
            .into_iter()
            .collect()
    };
    let people = |ids: Vec<String>| {
        if ids.is_empty() {
            tracing::warn!(event = %id, "a Lark contact event without user_id: grant the app the scope contact:user.employee_id:readonly, or the next full sync has to catch the change");
        }
        ids
    };
    let change = match kind.as_str() {
        "contact.user.created_v3" | "contact.user.updated_v3" => {
            Change::People(people(ids("user_id")))
        }
        "contact.user.deleted_v3" => Change::Left(people(ids("user_id"))),
        "contact.department.created_v3" | "contact.department.updated_v3" => {
            Change::Departments(ids("open_department_id"))
        }
        "contact.department.deleted_v3" => Change::DepartmentsRemoved(ids("open_department_id")),
        _ => Change::Ignored,
    };
    Ok(ChangeEvent { id, kind, change })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn event(event_type: &str, object: Value) -> Value {
        json!({
            "schema": "2.0",
            "header": {"event_id": "ev-1", "token": "tok", "create_time": "1700000000000",
                "event_type": event_type, "tenant_key": "tenant", "app_id": "cli_a"},
            "event": {"object": object},
        })
    }

    #[test]
    fn contact_events_name_people_by_user_id_and_departments_by_open_id() {
        let person = json!({"user_id": "u1", "open_id": "ou_1", "union_id": "on_1"});
        let department = json!({"department_id": "D1", "open_department_id": "od-1"});
        let cases = [
            (
                "contact.user.created_v3",
                &person,
                Change::People(vec!["u1".into()]),
            ),
            (
                "contact.user.updated_v3",
                &person,
                Change::People(vec!["u1".into()]),
            ),
            (
                "contact.user.deleted_v3",
                &person,
                Change::Left(vec!["u1".into()]),
            ),
            (
                "contact.department.created_v3",
                &department,
                Change::Departments(vec!["od-1".into()]),
            ),
            (
                "contact.department.updated_v3",
                &department,
                Change::Departments(vec!["od-1".into()]),
            ),
            (
                "contact.department.deleted_v3",
                &department,
                Change::DepartmentsRemoved(vec!["od-1".into()]),
            ),
            ("im.message.receive_v1", &person, Change::Ignored),
        ];
        for (kind, object, change) in cases {
            let parsed = parse_event(&event(kind, object.clone())).expect("an event");
            assert_eq!(parsed.id, "ev-1");
            assert_eq!(parsed.kind, kind);
            assert_eq!(parsed.change, change, "{kind}");
        }
    }

    #[test]
    fn an_event_without_its_id_or_header_is_named() {
        assert_eq!(
            parse_event(&json!({"event": {}})),
            Err(EventParseError::Missing("header"))
        );
        let mut no_id = event("contact.user.created_v3", json!({}));
        no_id["header"]["event_id"] = json!("");
        assert_eq!(
            parse_event(&no_id),
            Err(EventParseError::Missing("event_id"))
        );
        assert_eq!(
            header(&event("x", json!({}))),
            Ok(EventHeader {
                token: "tok".into(),
                app_id: Some("cli_a".into())
            })
        );
    }
}
