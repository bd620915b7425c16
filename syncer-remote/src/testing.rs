//! Helpers for a backend's own tests of its classifier and its record builder (feature
//! `test-support`). Knows no backend.

use serde_json::Value;
use syncer_core::Secret;

use crate::caller::{Answer, Classify};
use crate::verdict::Verdict;

/// The error text of an answer (`status`, `body`) of `api` that `F` must judge a used-up quota;
/// panics, naming the verdict, when it judges it otherwise. The app's secret is `s3cret`.
pub fn used_up_quota_text<F: Classify + std::fmt::Debug + std::fmt::Display>(
    api: &'static str,
    status: u16,
    body: &[u8],
) -> String {
    let answer = Answer {
        status,
        body: body.to_vec(),
    };
    match F::classify::<Value>(&Secret::new("s3cret"), api, &answer) {
        Verdict::QuotaExhausted(error) => error.to_string(),
        verdict => panic!("not a used-up quota: {verdict:?}"),
    }
}

/// Which declared fields of a backend are not text, for [`answer_with_every_field`].
#[derive(Clone, Copy, Debug, Default)]
pub struct FieldKinds<'a> {
    /// Booleans: `true` in the answer, a set flag in the record.
    pub flags: &'a [&'a str],
    /// Numbers: `7` in the answer, the text `7` in the record.
    pub numbers: &'a [&'a str],
    /// Computed by the backend from other fields: not in the answer, not checked here.
    pub computed: &'a [&'a str],
}

impl FieldKinds<'_> {
    /// The value field `name` has in the answer and the value its record must hold; `None`
    /// for a computed field.
    fn sample(&self, name: &str) -> Option<(Value, syncer_core::FieldValue)> {
        use syncer_core::FieldValue;
        if self.computed.contains(&name) {
            None
        } else if self.flags.contains(&name) {
            Some((Value::Bool(true), FieldValue::Flag(true)))
        } else if self.numbers.contains(&name) {
            Some((Value::from(7), FieldValue::Text("7".into())))
        } else {
            let text = format!("{name} value");
            Some((Value::String(text.clone()), FieldValue::Text(text.into())))
        }
    }
}

/// An answer holding every field of `declared` (but the computed ones) at its dotted path:
/// text `"<name> value"`, flags `true`, numbers `7`. Deserialize it as the API's answer type to
/// check a backend's record builder reads every field it declares.
pub fn answer_with_every_field(
    declared: &[syncer_core::SourceField],
    kinds: &FieldKinds<'_>,
) -> Value {
    let mut answer = Value::Object(serde_json::Map::new());
    for field in declared {
        let Some((value, _)) = kinds.sample(field.name) else {
            continue;
        };
        let mut at = &mut answer;
        for step in field.name.split('.') {
            if !at.is_object() {
                *at = Value::Object(serde_json::Map::new());
            }
            at = &mut at[step];
        }
        *at = value;
    }
    answer
}

/// Panics, naming the field, unless `record` holds every field of `declared` (but the computed
/// ones) as [`answer_with_every_field`] gave it, and no field `declared` does not name.
pub fn assert_every_declared_field_read(
    record: &syncer_core::SourceRecord,
    declared: &[syncer_core::SourceField],
    kinds: &FieldKinds<'_>,
) {
    for field in declared {
        let Some((_, expected)) = kinds.sample(field.name) else {
            continue;
        };
        assert_eq!(record.field(field.name), Some(&expected), "{}", field.name);
    }
    for (name, _) in record.fields.iter() {
        assert!(
            declared.iter().any(|field| field.name == name),
            "the record holds {name}, which is not declared"
        );
    }
}
