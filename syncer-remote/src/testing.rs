//! Helpers for a backend's own tests (feature `test-support`): of its classifier and its record
//! builder, and the config a test builds its syncer from, through the plugin registry as the
//! host does. Knows no backend.

use std::collections::BTreeMap;

use serde_json::Value;
use syncer_core::{find_plugin, ConfigValue, PluginConfig, PluginDescriptor, Secret, Syncer};

use crate::app::AppKeys;
use crate::caller::{Answer, Classify};
use crate::verdict::Verdict;

/// The config values of a backend's app: its id and secret under the keys the backend declares
/// (`keys`), and `settings` besides (`endpoint`, `rate_limit`, event keys, ...), later ones
/// winning.
pub fn app_values<'a>(
    keys: &AppKeys,
    id: &str,
    secret: &str,
    settings: impl IntoIterator<Item = (&'a str, ConfigValue)>,
) -> BTreeMap<String, ConfigValue> {
    let mut values = BTreeMap::from([
        (keys.id.to_owned(), ConfigValue::Text(id.to_owned())),
        (keys.secret.to_owned(), ConfigValue::Text(secret.to_owned())),
    ]);
    values.extend(
        settings
            .into_iter()
            .map(|(key, value)| (key.to_owned(), value)),
    );
    values
}

/// The settings of a test against a simulator at `endpoint` that wants its calls never slowed
/// down and a failing part to fail fast: 500 calls a second and one retry.
pub fn quick_settings(endpoint: String) -> [(&'static str, ConfigValue); 3] {
    [
        ("endpoint", ConfigValue::Text(endpoint)),
        ("rate_limit", ConfigValue::Number(500.0)),
        ("max_retries", ConfigValue::Integer(1)),
    ]
}

/// Settings given as text, as a config file gives them, for [`app_values`].
pub fn texts<'a>(
    pairs: &'a [(&'a str, &'a str)],
) -> impl Iterator<Item = (&'a str, ConfigValue)> + 'a {
    pairs
        .iter()
        .map(|(key, value)| (*key, ConfigValue::Text((*value).to_owned())))
}

/// The plugin registered as `type_name`; panics when it is not (the test binary must name the
/// backend's crate, which links its registration).
pub fn registered(type_name: &str) -> &'static PluginDescriptor {
    find_plugin(type_name).unwrap_or_else(|| panic!("the {type_name} plugin registers"))
}

/// The syncer the plugin registered as `type_name` builds from `values`, validated and built
/// the way the host does; panics naming the step that refused.
pub fn registered_syncer(
    type_name: &str,
    values: BTreeMap<String, ConfigValue>,
) -> Box<dyn Syncer> {
    let plugin = registered(type_name);
    let config = PluginConfig::new(plugin, values)
        .unwrap_or_else(|error| panic!("a valid {type_name} config: {error}"));
    (plugin.build)(&config).unwrap_or_else(|error| panic!("the {type_name} syncer builds: {error}"))
}

/// Panics unless `plugin` declares each of `fields` (a key, and whether it is a secret) as an
/// optional config field of that secrecy.
pub fn assert_optional_fields(plugin: &PluginDescriptor, fields: &[(&str, bool)]) {
    for &(name, secret) in fields {
        let field = plugin
            .config_fields
            .iter()
            .find(|field| field.name == name)
            .unwrap_or_else(|| panic!("{name} is declared"));
        assert_eq!(field.secret, secret, "{name}");
        assert!(!field.required, "{name} is optional");
    }
}

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
