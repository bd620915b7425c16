//! The Stream protocol's frames, as the gateway writes them (`specVersion`, `type`, `headers`,
//! `data` a JSON document in a string) and as it reads a client's answers (`code`, `headers`
//! with the `messageId` answered, `data` with the `status` of an EVENT's acknowledgement).

use serde_json::{json, Map, Value};

use super::config::StreamConfig;
use super::event::Event;

/// `contentType` of every frame.
const JSON: &str = "application/json";

/// An EVENT frame delivering `event` under `message_id`.
pub(crate) fn event_frame(
    config: &StreamConfig,
    event: &Event,
    message_id: &str,
    now_ms: i64,
) -> String {
    let headers = json!({
        "appId": config.unified_app_id,
        "contentType": JSON,
        "eventBornTime": event.born_ms.to_string(),
        "eventCorpId": config.corp_id,
        "eventId": event.event_id,
        "eventType": event.event_type,
        "eventUnifiedAppId": config.unified_app_id,
        "messageId": message_id,
        "time": now_ms.to_string(),
        "topic": "*",
    });
    frame("EVENT", headers, &event.data)
}

/// A SYSTEM frame of `topic` (`ping`, `disconnect`) under `message_id`, carrying `data`.
pub(crate) fn system_frame(topic: &str, message_id: &str, now_ms: i64, data: &Value) -> String {
    let headers = json!({
        "contentType": JSON,
        "messageId": message_id,
        "time": now_ms.to_string(),
        "topic": topic,
    });
    frame("SYSTEM", headers, data)
}

fn frame(kind: &str, headers: Value, data: &Value) -> String {
    json!({
        "specVersion": "1.0",
        "type": kind,
        "headers": headers,
        "data": data.to_string(),
    })
    .to_string()
}

/// A client's answer to one frame.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Reply {
    /// `code` (200 for OK; the Go SDK answers LATER with 500).
    pub(crate) code: Option<i64>,
    /// `headers.messageId`: which frame it answers.
    pub(crate) message_id: String,
    /// `data`, parsed once when it is a JSON string, as sent otherwise.
    pub(crate) data: Value,
    /// `data` exactly as sent, when it was a string.
    pub(crate) raw_data: Option<String>,
}

/// What an acknowledgement of an EVENT asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ack {
    /// `status` SUCCESS: done.
    Success,
    /// `status` LATER: deliver it again.
    Later,
    /// Anything else.
    Malformed,
}

impl Reply {
    /// Reads a text frame from a client; None when it is not an answer to any frame.
    pub(crate) fn parse(text: &str) -> Option<Reply> {
        let value: Value = serde_json::from_str(text).ok()?;
        let object = value.as_object()?;
        let message_id = object
            .get("headers")
            .and_then(Value::as_object)
            .and_then(|h| h.get("messageId"))
            .and_then(Value::as_str)?
            .to_owned();
        let (data, raw_data) = match object.get("data") {
            Some(Value::String(raw)) => (
                serde_json::from_str(raw).unwrap_or(Value::Null),
                Some(raw.clone()),
            ),
            Some(other) => (other.clone(), None),
            None => (Value::Null, None),
        };
        Some(Reply {
            code: object.get("code").and_then(Value::as_i64),
            message_id,
            data,
            raw_data,
        })
    }

    /// The acknowledgement an answer to an EVENT gives.
    pub(crate) fn ack(&self) -> Ack {
        let status = self.data.get("status").and_then(Value::as_str);
        match status {
            Some("SUCCESS") if self.code == Some(200) => Ack::Success,
            Some("LATER") => Ack::Later,
            _ => Ack::Malformed,
        }
    }

    /// Whether this echoes a ping that carried `data`: code 200 and the same data.
    pub(crate) fn echoes(&self, data: &str) -> bool {
        self.code == Some(200) && self.raw_data.as_deref() == Some(data)
    }
}

/// The `data` of a ping: an opaque document the client must send back unchanged.
pub(crate) fn ping_data(opaque: &str) -> Value {
    let mut data = Map::new();
    data.insert("opaque".into(), opaque.into());
    Value::Object(data)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_event_frame_carries_its_headers_and_data_as_a_string() {
        let config = StreamConfig::default();
        let event = Event {
            event_id: "e1".into(),
            event_type: "user_add_org".into(),
            born_ms: 7,
            data: json!({"userId": ["u1"]}),
        };
        let frame: Value =
            serde_json::from_str(&event_frame(&config, &event, "m1", 9)).expect("JSON");
        assert_eq!(frame["specVersion"], "1.0");
        assert_eq!(frame["type"], "EVENT");
        assert_eq!(frame["headers"]["eventId"], "e1");
        assert_eq!(frame["headers"]["eventType"], "user_add_org");
        assert_eq!(frame["headers"]["eventBornTime"], "7");
        assert_eq!(frame["headers"]["messageId"], "m1");
        assert_eq!(frame["data"], r#"{"userId":["u1"]}"#);
    }

    #[test]
    fn acknowledgements_are_read_from_their_data() {
        let ack = |code: i64, status: &str| {
            let data = json!({"status": status, "message": "x"}).to_string();
            let text = json!({"code": code, "headers": {"messageId": "m"}, "data": data});
            Reply::parse(&text.to_string()).map(|r| r.ack())
        };
        assert_eq!(ack(200, "SUCCESS"), Some(Ack::Success));
        assert_eq!(ack(500, "LATER"), Some(Ack::Later));
        assert_eq!(ack(500, "SUCCESS"), Some(Ack::Malformed));
        assert_eq!(Reply::parse("{}"), None);
        assert_eq!(Reply::parse("not json"), None);
    }
}
