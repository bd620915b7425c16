//! The plugin registry: each backend declares itself once with `inventory::submit!` and the host
//! finds it by type name. Nothing here names a backend.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::meter::{ScheduleDefaults, SharedMeter};
use crate::secret::Secret;
use crate::syncer::Syncer;

/// The value type of a plugin config field.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ConfigKind {
    /// Free text (also used for secrets).
    Text,
    /// A URL.
    Url,
    /// A whole number.
    Integer,
    /// A number, possibly fractional.
    Number,
    /// `true` / `false`.
    Boolean,
}

/// One config key a plugin accepts, described well enough for a UI to render a form.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct ConfigField {
    /// The key in the syncer's config table (`app_key`).
    pub name: &'static str,
    /// The label a UI shows (`App Key`).
    pub label: &'static str,
    /// One sentence of help: what it is and where to find it.
    pub help: &'static str,
    /// The value type.
    pub kind: ConfigKind,
    /// Whether a config without it is an error.
    pub required: bool,
    /// Whether the value is a secret (masked everywhere).
    pub secret: bool,
    /// The value used when the key is absent.
    pub default: Option<&'static str>,
}

impl ConfigField {
    /// An optional key `name` of `kind`, labelled `label`, with one sentence of `help`: no
    /// default, not secret. [`ConfigField::secret`], [`ConfigField::required`] and
    /// [`ConfigField::defaulting_to`] say more.
    pub const fn new(
        name: &'static str,
        label: &'static str,
        kind: ConfigKind,
        help: &'static str,
    ) -> Self {
        Self {
            name,
            label,
            help,
            kind,
            required: false,
            secret: false,
            default: None,
        }
    }

    /// The same key, a secret: masked everywhere it is shown.
    pub const fn secret(self) -> Self {
        Self {
            secret: true,
            ..self
        }
    }

    /// The same key, required: a config without it is an error.
    pub const fn required(self) -> Self {
        Self {
            required: true,
            ..self
        }
    }

    /// The same key, `value` when it is absent.
    pub const fn defaulting_to(self, value: &'static str) -> Self {
        Self {
            default: Some(value),
            ..self
        }
    }
}

/// How a source value becomes an IAM value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Transform {
    /// As it is.
    Copy,
    /// A boolean, negated (`active` → `IsForbidden`).
    Invert,
    /// As it is, or this other source field's value when it is empty (`unionid` or `userid`).
    FallbackTo(&'static str),
}

/// A mapping rule as a plugin declares it (static data).
#[derive(Clone, Copy, Debug)]
pub struct MappingSpec {
    /// The source field.
    pub source: &'static str,
    /// The IAM field name (any spelling [`IamField::parse`] accepts).
    pub target: &'static str,
    /// The transform.
    pub transform: Transform,
}

/// A field the source provides for each person.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct SourceField {
    /// Its name, as used in mappings (`userid`).
    pub name: &'static str,
    /// What it holds.
    pub description: &'static str,
    /// The permission the source app needs to read it, as the operator grants it (`the scope
    /// contact:user.phone:readonly`), when it needs one beyond reading people at all. Named
    /// when the field comes back empty for everyone: the app has probably lost it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub permission: Option<&'static str>,
}

/// A configured value of a plugin field.
#[derive(Clone, Debug, PartialEq)]
pub enum ConfigValue {
    /// Text.
    Text(String),
    /// A whole number.
    Integer(i64),
    /// A fractional number.
    Number(f64),
    /// A boolean.
    Boolean(bool),
}

/// A plugin config that failed validation; every variant names the key.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PluginConfigError {
    /// A key the plugin does not know.
    #[error("unknown key `{key}` for type {plugin}; known keys: {known}")]
    UnknownKey {
        /// The plugin type.
        plugin: String,
        /// The key as written.
        key: String,
        /// The keys the plugin accepts.
        known: String,
    },
    /// A required key is absent or empty.
    #[error("missing required key `{key}` ({label}) for type {plugin}")]
    MissingKey {
        /// The plugin type.
        plugin: String,
        /// The key.
        key: String,
        /// Its label.
        label: String,
    },
    /// A key has a value of the wrong type or range.
    #[error("key `{key}`: {problem}")]
    InvalidValue {
        /// The key.
        key: String,
        /// What is wrong and what is expected.
        problem: String,
    },
}

impl PluginConfigError {
    /// The error of key `key` whose value is wrong, `problem` saying how and what to do.
    pub fn invalid(key: &str, problem: impl Into<String>) -> Self {
        PluginConfigError::InvalidValue {
            key: key.to_owned(),
            problem: problem.into(),
        }
    }
}

/// A validated plugin config: every key known, required keys present, defaults filled in; and
/// the host's [`crate::CallMeter`], if it counts the backend's calls.
#[derive(Clone)]
pub struct PluginConfig {
    plugin: &'static PluginDescriptor,
    values: BTreeMap<String, ConfigValue>,
    meter: Option<SharedMeter>,
}

impl std::fmt::Debug for PluginConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut map = f.debug_map();
        for (key, value) in &self.values {
            if self.plugin.is_secret(key) {
                map.entry(key, &Secret::MASK);
            } else {
                map.entry(key, value);
            }
        }
        map.finish()
    }
}

impl PluginConfig {
    /// Validates raw values against the plugin's declared fields.
    pub fn new(
        plugin: &'static PluginDescriptor,
        raw: BTreeMap<String, ConfigValue>,
    ) -> Result<Self, PluginConfigError> {
        let mut values = BTreeMap::new();
        for (key, value) in raw {
            let Some(field) = plugin.config_fields.iter().find(|f| f.name == key) else {
                return Err(PluginConfigError::UnknownKey {
                    plugin: plugin.type_name.to_owned(),
                    key,
                    known: plugin.config_field_names().join(", "),
                });
            };
            values.insert(key, check_kind(field, value)?);
        }
        for field in plugin.config_fields {
            let present =
                matches!(values.get(field.name), Some(v) if *v != ConfigValue::Text(String::new()));
            if present {
                continue;
            }
            if let Some(default) = field.default {
                let value = check_kind(field, ConfigValue::Text(default.to_owned()))?;
                values.insert(field.name.to_owned(), value);
            } else if field.required {
                return Err(PluginConfigError::MissingKey {
                    plugin: plugin.type_name.to_owned(),
                    key: field.name.to_owned(),
                    label: field.label.to_owned(),
                });
            }
        }
        Ok(Self {
            plugin,
            values,
            meter: None,
        })
    }

    /// The same config, with `meter` told of every call the syncer built from it sends.
    pub fn with_meter(mut self, meter: SharedMeter) -> Self {
        self.meter = Some(meter);
        self
    }

    /// The host's meter of the backend's calls, if it gave one: a backend passes it to its call
    /// loop (`syncer-remote` does this for every `RemoteSyncer`).
    pub fn meter(&self) -> Option<SharedMeter> {
        self.meter.clone()
    }

    /// A text value (empty when absent and without default).
    pub fn text(&self, key: &str) -> String {
        match self.values.get(key) {
            Some(ConfigValue::Text(text)) => text.clone(),
            Some(ConfigValue::Integer(n)) => n.to_string(),
            Some(ConfigValue::Number(n)) => n.to_string(),
            Some(ConfigValue::Boolean(b)) => b.to_string(),
            None => String::new(),
        }
    }

    /// An optional text value (`None` when absent or empty).
    pub fn optional_text(&self, key: &str) -> Option<String> {
        Some(self.text(key)).filter(|text| !text.is_empty())
    }

    /// A secret value.
    pub fn secret(&self, key: &str) -> Secret {
        Secret::new(self.text(key))
    }

    /// A numeric value (`None` when absent).
    pub fn number(&self, key: &str) -> Option<f64> {
        match self.values.get(key)? {
            ConfigValue::Integer(n) => Some(*n as f64),
            ConfigValue::Number(n) => Some(*n),
            _ => None,
        }
    }

    /// A boolean value (`None` when absent).
    pub fn boolean(&self, key: &str) -> Option<bool> {
        match self.values.get(key)? {
            ConfigValue::Boolean(b) => Some(*b),
            _ => None,
        }
    }
}

fn check_kind(field: &ConfigField, value: ConfigValue) -> Result<ConfigValue, PluginConfigError> {
    let invalid = |problem: String| PluginConfigError::InvalidValue {
        key: field.name.to_owned(),
        problem,
    };
    // A value is quoted back only when it is not a secret: a secret is never shown, whatever
    // its type (an App Secret written as a bare number is still the App Secret).
    let shown = |text: &str| {
        if field.secret {
            "a value (not shown: this key is secret)".to_owned()
        } else {
            format!("`{text}`")
        }
    };
    match (field.kind, value) {
        (ConfigKind::Text, ConfigValue::Text(text)) => Ok(ConfigValue::Text(text)),
        (ConfigKind::Url, ConfigValue::Text(text)) => {
            check_url(&text).map_err(&invalid)?;
            Ok(ConfigValue::Text(text.trim_end_matches('/').to_owned()))
        }
        (ConfigKind::Integer, ConfigValue::Integer(n)) => Ok(ConfigValue::Integer(n)),
        (ConfigKind::Number, ConfigValue::Integer(n)) => Ok(ConfigValue::Number(n as f64)),
        (ConfigKind::Number, ConfigValue::Number(n)) if n.is_finite() => Ok(ConfigValue::Number(n)),
        (ConfigKind::Number, ConfigValue::Number(_)) => Err(invalid(
            "must be a finite number (this one overflows); write an ordinary number".to_owned(),
        )),
        (ConfigKind::Integer, ConfigValue::Text(text)) => text
            .trim()
            .parse()
            .map(ConfigValue::Integer)
            .map_err(|_| invalid(format!("expected a whole number, got {}", shown(&text)))),
        (ConfigKind::Number, ConfigValue::Text(text)) => text
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|n| n.is_finite())
            .map(ConfigValue::Number)
            .ok_or_else(|| invalid(format!("expected a number, got {}", shown(&text)))),
        (ConfigKind::Boolean, ConfigValue::Boolean(b)) => Ok(ConfigValue::Boolean(b)),
        (ConfigKind::Boolean, ConfigValue::Text(text)) => match text.trim() {
            "true" => Ok(ConfigValue::Boolean(true)),
            "false" => Ok(ConfigValue::Boolean(false)),
            _ => Err(invalid(format!(
                "expected true or false, got {}",
                shown(&text)
            ))),
        },
        (kind, other) => Err(invalid(format!(
            "expected {}, got {}; write it like `{} = {}`",
            kind_phrase(kind),
            value_phrase(&other),
            field.name,
            kind_example(kind),
        ))),
    }
}

/// Checks that `text` is an `http(s)://HOST` URL (empty means "the default"); the problem
/// never shows a URL's credentials.
fn check_url(text: &str) -> Result<(), String> {
    if text.is_empty() {
        return Ok(());
    }
    let masked = crate::secret::mask_url_credentials(text);
    if !(text.starts_with("http://") || text.starts_with("https://")) {
        return Err(format!(
            "`{masked}` is not a URL; write it with http:// or https://"
        ));
    }
    match url::Url::parse(text) {
        Ok(parsed) if parsed.host_str().is_some_and(|host| !host.is_empty()) => Ok(()),
        Ok(_) => Err(format!(
            "`{masked}` names no host; write it like `https://host[:port]`"
        )),
        Err(error) => Err(format!(
            "`{masked}` is not a valid URL ({error}); write it like `https://host[:port]`"
        )),
    }
}

/// How a config kind reads in "expected ...".
fn kind_phrase(kind: ConfigKind) -> &'static str {
    match kind {
        ConfigKind::Text => "a string",
        ConfigKind::Url => "a URL in quotes",
        ConfigKind::Integer => "a whole number",
        ConfigKind::Number => "a number",
        ConfigKind::Boolean => "true or false",
    }
}

/// An example value of a config kind, as written in TOML.
fn kind_example(kind: ConfigKind) -> &'static str {
    match kind {
        ConfigKind::Text => "\"...\"",
        ConfigKind::Url => "\"https://host\"",
        ConfigKind::Integer => "10",
        ConfigKind::Number => "1.5",
        ConfigKind::Boolean => "true",
    }
}

/// The type of a configured value, never the value itself.
fn value_phrase(value: &ConfigValue) -> &'static str {
    match value {
        ConfigValue::Text(_) => "a string",
        ConfigValue::Integer(_) => "an integer",
        ConfigValue::Number(_) => "a decimal number",
        ConfigValue::Boolean(_) => "a boolean",
    }
}

/// Builds a syncer from its validated config.
pub type BuildSyncer = fn(&PluginConfig) -> Result<Box<dyn Syncer>, PluginConfigError>;

/// Everything a backend declares about itself; registered with `inventory::submit!`.
#[derive(Debug)]
pub struct PluginDescriptor {
    /// The type name users write in config (`"DingTalk"`).
    pub type_name: &'static str,
    /// One or two sentences for lists and UIs.
    pub description: &'static str,
    /// The plugin-specific config keys.
    pub config_fields: &'static [ConfigField],
    /// The fields the source provides per person.
    pub source_fields: &'static [SourceField],
    /// The default mapping of source fields onto IAM fields.
    pub default_mapping: &'static [MappingSpec],
    /// The default schedule and the monthly budget of metered calls of the backend's remote.
    pub schedule: ScheduleDefaults,
    /// The constructor.
    pub build: BuildSyncer,
}

inventory::collect!(PluginDescriptor);

impl PluginDescriptor {
    /// Whether `key` is a secret field of this plugin.
    pub fn is_secret(&self, key: &str) -> bool {
        self.config_fields
            .iter()
            .any(|field| field.name == key && field.secret)
    }

    /// The names of the plugin's config keys.
    pub fn config_field_names(&self) -> Vec<&'static str> {
        self.config_fields.iter().map(|field| field.name).collect()
    }

    /// A serializable view for `plugins --json` and the HTTP API.
    pub fn info(&self) -> PluginInfo {
        PluginInfo {
            type_name: self.type_name,
            description: self.description,
            config_fields: self.config_fields.to_vec(),
            source_fields: self.source_fields.to_vec(),
            schedule: self.schedule,
            default_mapping: self
                .default_mapping
                .iter()
                .map(|spec| MappingInfo {
                    source: spec.source,
                    target: spec.target,
                    transform: match spec.transform {
                        Transform::Copy => "copy".to_owned(),
                        Transform::Invert => "invert".to_owned(),
                        Transform::FallbackTo(other) => format!("fallback to {other} when empty"),
                    },
                })
                .collect(),
        }
    }
}

/// A registered plugin described for output.
#[derive(Clone, Debug, Serialize)]
pub struct PluginInfo {
    /// The type name.
    #[serde(rename = "type")]
    pub type_name: &'static str,
    /// Its description.
    pub description: &'static str,
    /// Its config keys.
    pub config_fields: Vec<ConfigField>,
    /// The source fields it provides.
    pub source_fields: Vec<SourceField>,
    /// Its default schedule and monthly call budget.
    pub schedule: ScheduleDefaults,
    /// Its default mapping.
    pub default_mapping: Vec<MappingInfo>,
}

/// One default mapping rule described for output.
#[derive(Clone, Debug, Serialize)]
pub struct MappingInfo {
    /// The source field.
    pub source: &'static str,
    /// The IAM field.
    pub target: &'static str,
    /// How the value is transformed.
    pub transform: String,
}

/// Every registered plugin, sorted by type name.
pub fn plugins() -> Vec<&'static PluginDescriptor> {
    let mut all: Vec<_> = inventory::iter::<PluginDescriptor>.into_iter().collect();
    all.sort_by_key(|plugin| plugin.type_name);
    all
}

/// The plugin registered under `type_name` (exact match, as written in config).
pub fn find_plugin(type_name: &str) -> Option<&'static PluginDescriptor> {
    inventory::iter::<PluginDescriptor>
        .into_iter()
        .find(|plugin| plugin.type_name == type_name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(name: &'static str, kind: ConfigKind, secret: bool) -> ConfigField {
        ConfigField {
            name,
            label: name,
            help: "",
            kind,
            required: false,
            secret,
            default: None,
        }
    }

    fn problem(field: &ConfigField, value: ConfigValue) -> String {
        match check_kind(field, value) {
            Err(PluginConfigError::InvalidValue { problem, .. }) => problem,
            other => panic!("expected an invalid value, got {other:?}"),
        }
    }

    #[test]
    fn a_secret_of_the_wrong_type_is_never_shown() {
        let secret = field("app_secret", ConfigKind::Text, true);
        let message = problem(&secret, ConfigValue::Integer(12_345_678));
        assert!(!message.contains("12345678"), "{message}");
        assert!(
            message.contains("a string") && message.contains("an integer"),
            "{message}"
        );
        let number = field("pin", ConfigKind::Integer, true);
        let message = problem(&number, ConfigValue::Text("s3cret-pin".into()));
        assert!(!message.contains("s3cret-pin"), "{message}");
    }

    #[test]
    fn a_non_secret_value_is_quoted_to_help_the_fix() {
        let limit = field("rate_limit", ConfigKind::Integer, false);
        assert!(problem(&limit, ConfigValue::Text("fast".into())).contains("`fast`"));
    }

    #[test]
    fn an_endpoint_must_be_a_valid_url_and_its_credentials_are_never_shown() {
        let endpoint = field("endpoint", ConfigKind::Url, false);
        for bad in [
            "http://",
            "https://exa mple.com",
            "http://[::1",
            "https://:80",
        ] {
            let message = problem(&endpoint, ConfigValue::Text(bad.into()));
            assert!(
                message.contains("URL") || message.contains("host"),
                "{bad}: {message}"
            );
        }
        let message = problem(
            &endpoint,
            ConfigValue::Text("ftp://user:PROXYSECRET@host".into()),
        );
        assert!(!message.contains("PROXYSECRET"), "{message}");
        let message = problem(
            &endpoint,
            ConfigValue::Text("http://user:PROXYSECRET@ho st".into()),
        );
        assert!(!message.contains("PROXYSECRET"), "{message}");
        assert_eq!(
            check_kind(
                &endpoint,
                ConfigValue::Text("http://127.0.0.1:8080/".into())
            ),
            Ok(ConfigValue::Text("http://127.0.0.1:8080".into()))
        );
    }

    #[test]
    fn an_overflowing_number_is_refused() {
        let number = field("ratio", ConfigKind::Number, false);
        let message = problem(&number, ConfigValue::Number(f64::INFINITY));
        assert!(message.contains("finite"), "{message}");
        assert!(check_kind(&number, ConfigValue::Text("1e309".into())).is_err());
    }
}
