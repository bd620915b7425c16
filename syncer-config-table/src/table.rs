//! The shape of a `config.toml` and the checks it must pass: the app's credential keys
//! (`[app]`), the defaults of the shared remote block (`[remote]`), the help of the `events` key
//! (`[events]`) and the backend's own keys (`[[field]]`), in the order a form shows them.

use std::collections::BTreeSet;

use serde::Deserialize;

use crate::error::ConfigTableError;

/// Keys the shared blocks own; a backend's own field must not take one.
const SHARED_KEYS: [&str; 6] = [
    "endpoint",
    "rate_limit",
    "max_in_flight",
    "max_retries",
    "timeout_seconds",
    "events",
];

/// Constant names the generated code takes for itself.
pub(crate) const GENERATED_CONSTS: [&str; 5] = [
    "DEFAULT_ENDPOINT",
    "PRESETS",
    "APP_KEYS",
    "OWN_FIELDS",
    "CONFIG_FIELDS",
];

/// A whole `config.toml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ConfigTable {
    /// How the remote names the app's credentials; absent for a backend without app credentials.
    pub app: Option<AppTable>,
    /// The shared remote block's defaults.
    pub remote: RemoteTable,
    /// The `events` key, for a backend with change events.
    pub events: Option<EventsTable>,
    /// The backend's own keys.
    #[serde(default)]
    pub field: Vec<FieldTable>,
}

/// `[app]`: the names, labels and help texts of the app's id and secret.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct AppTable {
    pub id: String,
    pub id_label: String,
    pub id_help: String,
    pub secret: String,
    pub secret_label: String,
    pub secret_help: String,
}

/// `[remote]`: the defaults and help texts of `endpoint`, `rate_limit` and `max_in_flight`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RemoteTable {
    pub endpoint: String,
    pub endpoint_help: String,
    pub rate_limit: f64,
    pub rate_limit_help: String,
    pub max_in_flight: u32,
}

/// `[events]`: the help of the `events` key (its values and what each needs).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct EventsTable {
    pub help: String,
}

/// The value type of a field, as the table spells it.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub(crate) enum FieldKind {
    Text,
    Url,
    Integer,
    Number,
    Boolean,
}

impl FieldKind {
    /// The `syncer_core::ConfigKind` variant.
    pub fn variant(self) -> &'static str {
        match self {
            Self::Text => "Text",
            Self::Url => "Url",
            Self::Integer => "Integer",
            Self::Number => "Number",
            Self::Boolean => "Boolean",
        }
    }

    /// Why `value` is no default of this kind, if it is not.
    fn default_problem(self, value: &str) -> Option<&'static str> {
        match self {
            Self::Text => None,
            Self::Url => (!(value.starts_with("https://") || value.starts_with("http://")))
                .then_some("must be an http:// or https:// URL"),
            Self::Integer => value
                .parse::<i64>()
                .is_err()
                .then_some("must be a whole number"),
            Self::Number => {
                (!value.parse::<f64>().is_ok_and(f64::is_finite)).then_some("must be a number")
            }
            Self::Boolean => {
                (value != "true" && value != "false").then_some("must be true or false")
            }
        }
    }
}

/// `[[field]]`: one key of the backend's own.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct FieldTable {
    pub name: String,
    pub label: String,
    pub kind: FieldKind,
    pub help: String,
    pub default: Option<String>,
    #[serde(default)]
    pub secret: bool,
    #[serde(default)]
    pub required: bool,
    /// The name of a `pub const` the default is also published as, for the backend's code.
    #[serde(rename = "const")]
    pub constant: Option<String>,
}

impl ConfigTable {
    /// Reads `text`, the contents of `file`, and checks it.
    pub fn parse(text: &str, file: &str) -> Result<Self, ConfigTableError> {
        let table: Self = toml::from_str(text).map_err(|source| ConfigTableError::Parse {
            file: file.to_owned(),
            source,
        })?;
        table.check(file)?;
        Ok(table)
    }

    fn check(&self, file: &str) -> Result<(), ConfigTableError> {
        let invalid = |key: String, problem: &str| ConfigTableError::Invalid {
            file: file.to_owned(),
            key,
            problem: problem.to_owned(),
        };
        let mut texts: Vec<(String, &str)> = Vec::new();
        let mut names: Vec<(String, &str)> = Vec::new();
        if let Some(app) = &self.app {
            names.push(("app.id".into(), &app.id));
            names.push(("app.secret".into(), &app.secret));
            texts.push(("app.id_label".into(), &app.id_label));
            texts.push(("app.id_help".into(), &app.id_help));
            texts.push(("app.secret_label".into(), &app.secret_label));
            texts.push(("app.secret_help".into(), &app.secret_help));
        }
        texts.push(("remote.endpoint_help".into(), &self.remote.endpoint_help));
        texts.push((
            "remote.rate_limit_help".into(),
            &self.remote.rate_limit_help,
        ));
        if let Some(events) = &self.events {
            texts.push(("events.help".into(), &events.help));
        }
        for (index, field) in self.field.iter().enumerate() {
            names.push((format!("field[{index}].name"), &field.name));
            texts.push((format!("field[{index}].label"), &field.label));
            texts.push((format!("field[{index}].help"), &field.help));
        }
        if let Some((key, _)) = texts.iter().find(|(_, text)| text.trim().is_empty()) {
            return Err(invalid(
                key.clone(),
                "is empty: a form shows it, so say what the key is and where to find it",
            ));
        }
        let mut seen = BTreeSet::new();
        for (key, name) in &names {
            if !is_snake_case(name) {
                return Err(invalid(
                    key.clone(),
                    "must be a snake_case key (lowercase letters, digits and _), like app_key",
                ));
            }
            if SHARED_KEYS.contains(name) {
                return Err(invalid(
                    key.clone(),
                    "is a key of the shared block; set its default in [remote] or [events] instead",
                ));
            }
            if !seen.insert(*name) {
                return Err(invalid(
                    key.clone(),
                    "names a key declared before; give each key once",
                ));
            }
        }
        if let Some(problem) = FieldKind::Url.default_problem(&self.remote.endpoint) {
            return Err(invalid("remote.endpoint".into(), problem));
        }
        if !(self.remote.rate_limit.is_finite() && self.remote.rate_limit > 0.0) {
            return Err(invalid(
                "remote.rate_limit".into(),
                "must be a number of calls per second above 0",
            ));
        }
        if self.remote.max_in_flight == 0 {
            return Err(invalid("remote.max_in_flight".into(), "must be 1 or more"));
        }
        let mut constants = BTreeSet::new();
        for (index, field) in self.field.iter().enumerate() {
            check_field(field, &mut constants)
                .map_err(|(key, problem)| invalid(format!("field[{index}].{key}"), problem))?;
        }
        Ok(())
    }
}

/// Checks one `[[field]]`; the error is the key within it and the problem.
fn check_field<'a>(
    field: &'a FieldTable,
    constants: &mut BTreeSet<&'a str>,
) -> Result<(), (&'static str, &'static str)> {
    if let Some(default) = &field.default {
        if field.secret {
            return Err((
                "default",
                "is set on a secret: a shipped default secret is no secret; drop it",
            ));
        }
        if let Some(problem) = field.kind.default_problem(default) {
            return Err(("default", problem));
        }
        if field.required {
            return Err((
                "required",
                "is true with a default: a key that has a default is never missing",
            ));
        }
    }
    if let Some(constant) = &field.constant {
        if field.default.is_none() {
            return Err(("const", "needs a default to publish"));
        }
        if !is_screaming_snake_case(constant) {
            return Err((
                "const",
                "must be a SCREAMING_SNAKE_CASE constant name, like DEFAULT_STREAM_ENDPOINT",
            ));
        }
        if GENERATED_CONSTS.contains(&constant.as_str()) || !constants.insert(constant) {
            return Err((
                "const",
                "names a constant that already exists; choose another name",
            ));
        }
    }
    Ok(())
}

fn is_snake_case(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

fn is_screaming_snake_case(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_uppercase())
        && name
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}
