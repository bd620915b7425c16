//! [`declared_record`]: a person's record read from the API's own answer type by the fields the
//! backend declares. Every [`SourceField`] is looked up in the type's serde form by its name (a
//! dotted name is a path into nested objects, `avatar.avatar_origin`), so a backend names each
//! field once, in its `SOURCE_FIELDS`, and no record carries a field nobody declared. Knows no
//! backend.

use serde::Serialize;
use serde_json::Value;
use syncer_core::{SourceField, SourceRecord};

/// The record of the person `id` whose answer is `person`, holding every field of `declared`
/// the answer has: text and numbers as text (empty text left out), booleans as flags. A field
/// that is absent, `null`, a list or an object is left out, so a mapping from it leaves the IAM
/// field as it is. Fields the answer type cannot give (one computed from others) are set by
/// the backend afterwards.
pub fn declared_record<T: Serialize>(
    id: impl Into<String>,
    person: &T,
    declared: &'static [SourceField],
) -> SourceRecord {
    let mut record = SourceRecord::new(id);
    let mut answer = match serde_json::to_value(person) {
        Ok(answer) => answer,
        Err(error) => {
            // A derived `Serialize` of plain fields cannot fail; should one ever, the record
            // holds no fields rather than a guess, and the log says why.
            tracing::error!(%error, "a person's answer could not be read as JSON");
            return record;
        }
    };
    for field in declared {
        match take(&mut answer, field.name) {
            Value::String(text) => record.set_text(field.name, text),
            Value::Number(number) => record.set_text(field.name, number.to_string()),
            Value::Bool(flag) => record.set_flag(field.name, Some(flag)),
            Value::Null | Value::Array(_) | Value::Object(_) => {}
        }
    }
    record
}

/// The value at the dotted `path` of `answer`, taken out (`null` when there is none).
fn take(answer: &mut Value, path: &str) -> Value {
    let mut at = answer;
    for step in path.split('.') {
        match at.get_mut(step) {
            Some(next) => at = next,
            None => return Value::Null,
        }
    }
    at.take()
}

#[cfg(test)]
mod tests {
    use syncer_core::FieldValue;

    use super::*;

    const fn field(name: &'static str) -> SourceField {
        SourceField {
            name,
            description: "",
            permission: None,
        }
    }

    const DECLARED: &[SourceField] = &[
        field("name"),
        field("empty"),
        field("hired"),
        field("active"),
        field("unknown"),
        field("avatar.big"),
        field("avatar.missing"),
        field("teams"),
        field("absent"),
    ];

    #[derive(Serialize)]
    struct Avatar {
        big: String,
    }

    #[derive(Serialize)]
    struct Person {
        name: String,
        empty: String,
        hired: Option<i64>,
        active: bool,
        unknown: Option<bool>,
        avatar: Avatar,
        teams: Vec<String>,
        undeclared: String,
    }

    #[test]
    fn every_declared_field_the_answer_has_is_read_and_nothing_else() {
        let person = Person {
            name: "王芳".to_owned(),
            empty: String::new(),
            hired: Some(1_700_000_000_000),
            active: false,
            unknown: None,
            avatar: Avatar {
                big: "https://a/b.png".to_owned(),
            },
            teams: vec!["x".to_owned()],
            undeclared: "kept out".to_owned(),
        };
        let record = declared_record("u1", &person, DECLARED);
        assert_eq!(record.id, "u1");
        let text = |value: &str| FieldValue::Text(value.into());
        let mut fields: Vec<_> = record.fields.iter().collect();
        fields.sort_by_key(|(name, _)| *name);
        let expected = [
            ("active", FieldValue::Flag(false)),
            ("avatar.big", text("https://a/b.png")),
            ("hired", text("1700000000000")),
            ("name", text("王芳")),
        ];
        assert_eq!(fields.len(), expected.len(), "{fields:?}");
        for ((name, value), (want_name, want_value)) in fields.into_iter().zip(expected) {
            assert_eq!((name, value), (want_name, &want_value));
        }
    }
}
