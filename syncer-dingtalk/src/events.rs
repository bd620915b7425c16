//! DingTalk's address-book events as they arrive: Stream-mode frames (and the frames that answer
//! them) and decrypted HTTP-push messages, turned into [`ChangeEvent`]s.
//!
//! Key case varies between DingTalk's sources and years (`userId` / `UserId`, `deptId` /
//! `DeptId`), so keys are read without regard to case. Routing is on the frame's `type` and
//! `headers.eventType`, never on `topic`.

use serde_json::{json, Map, Value};
use syncer_core::{Change, ChangeEvent};

/// Why a frame or push message cannot be read.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum EventParseError {
    /// Not JSON, or not the JSON object DingTalk sends.
    #[error("a DingTalk event frame that is not a JSON object: {0}")]
    NotJson(String),
    /// A field every frame has is missing.
    #[error("a DingTalk event frame without `{0}`")]
    Missing(&'static str),
}

/// A Stream-mode frame, as far as the syncer cares.
#[derive(Debug, PartialEq, Eq)]
pub enum StreamFrame {
    /// `SYSTEM` `ping`: answer with [`pong`] at once.
    Ping {
        /// The frame's `messageId`.
        message_id: String,
        /// Its `data`, echoed back.
        data: String,
    },
    /// `SYSTEM` `disconnect`: the server closes the socket soon; acknowledge, then reconnect
    /// with a fresh ticket.
    Disconnect {
        /// The frame's `messageId`.
        message_id: String,
    },
    /// An `EVENT`: acknowledge with [`ack`] once its change is written (or recorded failed).
    Event {
        /// The frame's `messageId`.
        message_id: String,
        /// What it announces.
        event: ChangeEvent,
    },
    /// Anything else (a `CALLBACK`, an unknown system topic): acknowledged and ignored.
    Other {
        /// The frame's `messageId`.
        message_id: String,
    },
}

/// How an event frame is answered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ack {
    /// Done (or recorded as failed): never deliver it again.
    Success,
    /// Not done (IAM unreachable): deliver it again later.
    Later,
}

/// Reads one text frame of a Stream connection.
pub fn parse_frame(text: &str) -> Result<StreamFrame, EventParseError> {
    let frame: Map<String, Value> =
        serde_json::from_str(text).map_err(|e| EventParseError::NotJson(e.to_string()))?;
    let headers = field(&frame, "headers")
        .and_then(Value::as_object)
        .ok_or(EventParseError::Missing("headers"))?;
    let message_id = text_of(headers, "messageId").ok_or(EventParseError::Missing("messageId"))?;
    let data = field(&frame, "data").and_then(Value::as_str).unwrap_or("");
    let kind = text_of(&frame, "type").unwrap_or_default();
    if kind.eq_ignore_ascii_case("SYSTEM") {
        let topic = text_of(headers, "topic").unwrap_or_default();
        return Ok(match topic.as_str() {
            "ping" => StreamFrame::Ping {
                message_id,
                data: data.to_owned(),
            },
            "disconnect" => StreamFrame::Disconnect { message_id },
            _ => StreamFrame::Other { message_id },
        });
    }
    if !kind.eq_ignore_ascii_case("EVENT") {
        return Ok(StreamFrame::Other { message_id });
    }
    let event_type = text_of(headers, "eventType").ok_or(EventParseError::Missing("eventType"))?;
    let event_id = text_of(headers, "eventId").unwrap_or_else(|| message_id.clone());
    let payload: Map<String, Value> = serde_json::from_str(data).unwrap_or_default();
    Ok(StreamFrame::Event {
        message_id,
        event: ChangeEvent {
            id: event_id,
            change: change_of(&event_type, &payload),
            kind: event_type,
        },
    })
}

/// A decrypted HTTP-push message.
#[derive(Debug, PartialEq, Eq)]
pub enum PushMessage {
    /// The console's URL check (`check_url`): answer `success`, nothing else.
    CheckUrl,
    /// An address-book (or other) event.
    Event(ChangeEvent),
}

/// Reads a decrypted HTTP-push message. A push carries no event id, so its id is derived from
/// its content (the same push delivered again has the same id).
pub fn parse_push(message: &str) -> Result<PushMessage, EventParseError> {
    let payload: Map<String, Value> =
        serde_json::from_str(message).map_err(|e| EventParseError::NotJson(e.to_string()))?;
    let event_type = text_of(&payload, "EventType").ok_or(EventParseError::Missing("EventType"))?;
    if event_type == "check_url" {
        return Ok(PushMessage::CheckUrl);
    }
    let digest = ring::digest::digest(&ring::digest::SHA256, message.as_bytes());
    let id: String = digest.as_ref()[..16]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    Ok(PushMessage::Event(ChangeEvent {
        id: format!("push-{id}"),
        change: change_of(&event_type, &payload),
        kind: event_type,
    }))
}

/// The answer to an `EVENT` frame.
pub fn ack(message_id: &str, ack: Ack) -> String {
    let (code, status, message) = match ack {
        Ack::Success => (200, "SUCCESS", "success"),
        Ack::Later => (500, "LATER", "later"),
    };
    json!({
        "code": code,
        "headers": {"contentType": "application/json", "messageId": message_id},
        "message": if code == 200 { "OK" } else { "LATER" },
        "data": json!({"status": status, "message": message}).to_string(),
    })
    .to_string()
}

/// The answer to a `ping` (and to a `disconnect`): the same `messageId` and `data`.
pub fn pong(message_id: &str, data: &str) -> String {
    json!({
        "code": 200,
        "headers": {"contentType": "application/json", "messageId": message_id},
        "message": "OK",
        "data": data,
    })
    .to_string()
}

/// What an event type with this payload says changed.
fn change_of(event_type: &str, payload: &Map<String, Value>) -> Change {
    match event_type {
        "user_add_org" | "user_modify_org" | "user_active_org" => {
            Change::People(ids(payload, "userId"))
        }
        "user_leave_org" => Change::Left(ids(payload, "userId")),
        "org_dept_create" | "org_dept_modify" => Change::Departments(ids(payload, "deptId")),
        "org_dept_remove" => Change::DepartmentsRemoved(ids(payload, "deptId")),
        _ => Change::Ignored,
    }
}

/// The ids under `key` (any case): a list of strings or numbers, or a single one.
fn ids(payload: &Map<String, Value>, key: &str) -> Vec<String> {
    let one = |value: &Value| match value {
        Value::String(text) if !text.is_empty() => Some(text.clone()),
        Value::Number(number) => Some(number.to_string()),
        _ => None,
    };
    match field(payload, key) {
        Some(Value::Array(items)) => items.iter().filter_map(one).collect(),
        Some(value) => one(value).into_iter().collect(),
        None => Vec::new(),
    }
}

/// The value under `key`, whatever the case of its letters.
fn field<'a>(map: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    map.get(key).or_else(|| {
        map.iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(key))
            .map(|(_, value)| value)
    })
}

/// The text (or number, as text) under `key`, whatever its case.
fn text_of(map: &Map<String, Value>, key: &str) -> Option<String> {
    match field(map, key)? {
        Value::String(text) => Some(text.clone()),
        Value::Number(number) => Some(number.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event_frame(event_type: &str, data: &Value) -> String {
        json!({
            "specVersion": "1.0",
            "type": "EVENT",
            "headers": {
                "topic": "*", "contentType": "application/json", "messageId": "m-1",
                "time": "1700000000000", "eventType": event_type, "eventId": "ev-42",
                "eventCorpId": "ding123", "eventBornTime": "1700000000000",
            },
            "data": data.to_string(),
        })
        .to_string()
    }

    #[test]
    fn address_book_events_name_what_changed() {
        let cases = [
            (
                "user_add_org",
                json!({"userId": ["u1", "u2"]}),
                Change::People(vec!["u1".into(), "u2".into()]),
            ),
            (
                "user_modify_org",
                json!({"UserId": ["u3"], "diffInfo": []}),
                Change::People(vec!["u3".into()]),
            ),
            (
                "user_active_org",
                json!({"userid": "u4"}),
                Change::People(vec!["u4".into()]),
            ),
            (
                "user_leave_org",
                json!({"userId": ["u5"]}),
                Change::Left(vec!["u5".into()]),
            ),
            (
                "org_dept_create",
                json!({"deptId": [7, 8]}),
                Change::Departments(vec!["7".into(), "8".into()]),
            ),
            (
                "org_dept_remove",
                json!({"DeptId": [9]}),
                Change::DepartmentsRemoved(vec!["9".into()]),
            ),
            (
                "label_user_change",
                json!({"userIdList": ["u6"]}),
                Change::Ignored,
            ),
        ];
        for (event_type, data, change) in cases {
            let frame = parse_frame(&event_frame(event_type, &data)).expect("frame");
            let StreamFrame::Event { message_id, event } = frame else {
                panic!("{event_type} is an event");
            };
            assert_eq!(message_id, "m-1");
            assert_eq!(event.id, "ev-42");
            assert_eq!(event.kind, event_type);
            assert_eq!(event.change, change, "{event_type}");
        }
    }

    #[test]
    fn system_frames_are_ping_and_disconnect() {
        let ping = json!({"specVersion": "1.0", "type": "SYSTEM",
            "headers": {"topic": "ping", "messageId": "p-1", "contentType": "application/json", "time": "1"},
            "data": "{\"opaque\":\"abc\"}"})
        .to_string();
        assert_eq!(
            parse_frame(&ping),
            Ok(StreamFrame::Ping {
                message_id: "p-1".into(),
                data: "{\"opaque\":\"abc\"}".into()
            })
        );
        let answer: Value =
            serde_json::from_str(&pong("p-1", "{\"opaque\":\"abc\"}")).expect("json");
        assert_eq!(answer["headers"]["messageId"], "p-1");
        assert_eq!(answer["data"], "{\"opaque\":\"abc\"}");
        let disconnect = ping.replace("\"ping\"", "\"disconnect\"");
        assert_eq!(
            parse_frame(&disconnect),
            Ok(StreamFrame::Disconnect {
                message_id: "p-1".into()
            })
        );
    }

    #[test]
    fn an_ack_carries_the_message_id_and_its_status_as_a_json_string() {
        let success: Value = serde_json::from_str(&ack("m-9", Ack::Success)).expect("json");
        assert_eq!(success["code"], 200);
        assert_eq!(success["headers"]["messageId"], "m-9");
        let data: Value =
            serde_json::from_str(success["data"].as_str().expect("a string")).expect("json");
        assert_eq!(data["status"], "SUCCESS");
        let later: Value = serde_json::from_str(&ack("m-9", Ack::Later)).expect("json");
        let data: Value =
            serde_json::from_str(later["data"].as_str().expect("a string")).expect("json");
        assert_eq!(data["status"], "LATER");
    }

    #[test]
    fn malformed_frames_are_named_not_guessed() {
        assert!(matches!(
            parse_frame("not json"),
            Err(EventParseError::NotJson(_))
        ));
        assert_eq!(
            parse_frame("{\"type\":\"EVENT\"}"),
            Err(EventParseError::Missing("headers"))
        );
        assert_eq!(
            parse_frame("{\"type\":\"EVENT\",\"headers\":{}}"),
            Err(EventParseError::Missing("messageId"))
        );
    }

    #[test]
    fn a_push_is_a_url_check_or_an_event_with_a_stable_id() {
        assert_eq!(
            parse_push("{\"EventType\":\"check_url\"}"),
            Ok(PushMessage::CheckUrl)
        );
        let message = "{\"EventType\":\"user_leave_org\",\"TimeStamp\":\"1700000000000\",\"UserId\":[\"u7\"],\"CorpId\":\"ding1\"}";
        let PushMessage::Event(first) = parse_push(message).expect("event") else {
            panic!("an event");
        };
        assert_eq!(first.change, Change::Left(vec!["u7".into()]));
        let PushMessage::Event(again) = parse_push(message).expect("event") else {
            panic!("an event");
        };
        assert_eq!(first.id, again.id, "a redelivered push deduplicates");
        assert_eq!(parse_push("{}"), Err(EventParseError::Missing("EventType")));
    }
}
