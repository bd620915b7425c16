//! Registration metadata: what `syncer-host plugins` and a UI show must be complete, and the
//! default mapping must be usable as declared.

use std::collections::BTreeMap;

use super::findings::Findings;
use crate::field::IamField;
use crate::mapping::FieldMapping;
use crate::plugin::{find_plugin, plugins, ConfigKind, PluginDescriptor, Transform};

/// Words in a config key that mean its value is a secret.
const SECRET_WORDS: &[&str] = &[
    "secret",
    "password",
    "token",
    "private_key",
    "api_key",
    "credential",
];

/// Checks the plugin's declaration and registration.
pub fn check_registration(plugin: &'static PluginDescriptor) -> Findings {
    let mut findings = Findings::new();
    check_identity(plugin, &mut findings);
    check_config_fields(plugin, &mut findings);
    check_source_fields(plugin, &mut findings);
    check_default_mapping(plugin, &mut findings);
    findings
}

fn check_identity(plugin: &'static PluginDescriptor, findings: &mut Findings) {
    const PART: &str = "registration";
    let name = plugin.type_name;
    if name.is_empty() || name.contains(char::is_whitespace) {
        findings.fail(
            PART,
            format!("type name `{name}` must be one word users can type in config (`Lark`)"),
        );
    }
    if plugin.description.trim().is_empty() {
        findings.fail(
            PART,
            format!("type {name} has no description: say in a sentence what it imports and how it authenticates"),
        );
    }
    match find_plugin(name) {
        None => findings.fail(
            PART,
            format!("type {name} is not registered: add `inventory::submit! {{ PluginDescriptor {{ .. }} }}` to the crate and link the crate"),
        ),
        Some(found) if !std::ptr::eq(found, plugin) => findings.fail(
            PART,
            format!("another plugin is registered under the type name {name}"),
        ),
        Some(_) => {}
    }
    let same_name = plugins().iter().filter(|p| p.type_name == name).count();
    if same_name > 1 {
        findings.fail(
            PART,
            format!("{same_name} plugins are registered under the type name {name}; type names must be unique"),
        );
    }
}

fn check_config_fields(plugin: &PluginDescriptor, findings: &mut Findings) {
    const PART: &str = "registration";
    let mut seen = BTreeMap::new();
    for field in plugin.config_fields {
        let key = field.name;
        if key.is_empty()
            || !key
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        {
            findings.fail(
                PART,
                format!("config field `{key}`: keys are snake_case (`app_secret`)"),
            );
        }
        if seen.insert(key, ()).is_some() {
            findings.fail(PART, format!("config field `{key}` is declared twice"));
        }
        if field.label.trim().is_empty() {
            findings.fail(
                PART,
                format!("config field `{key}` has no label: a UI shows the label (`App Secret`)"),
            );
        }
        if field.help.trim().is_empty() {
            findings.fail(
                PART,
                format!("config field `{key}` has no help: say what it is and where to find it"),
            );
        }
        let looks_secret = SECRET_WORDS.iter().any(|word| key.contains(word));
        if looks_secret && !field.secret {
            findings.fail(
                PART,
                format!("config field `{key}` looks like a secret but is not marked `secret: true`: it would be shown unmasked"),
            );
        }
        if field.secret && field.kind != ConfigKind::Text {
            findings.fail(
                PART,
                format!("secret config field `{key}` must be of kind Text"),
            );
        }
        if field.secret && field.default.is_some() {
            findings.fail(
                PART,
                format!(
                    "secret config field `{key}` has a default value: a secret never ships in code"
                ),
            );
        }
    }
}

fn check_source_fields(plugin: &PluginDescriptor, findings: &mut Findings) {
    const PART: &str = "registration";
    if plugin.source_fields.is_empty() {
        findings.fail(
            PART,
            "no source fields are declared: list every field a person has, so operators can map them",
        );
    }
    let mut seen = BTreeMap::new();
    for field in plugin.source_fields {
        if field.name.trim().is_empty() {
            findings.fail(PART, "a source field has an empty name");
        }
        if seen.insert(field.name, ()).is_some() {
            findings.fail(
                PART,
                format!("source field `{}` is declared twice", field.name),
            );
        }
        if field.description.trim().is_empty() {
            findings.fail(
                PART,
                format!("source field `{}` has no description", field.name),
            );
        }
    }
}

fn check_default_mapping(plugin: &PluginDescriptor, findings: &mut Findings) {
    const PART: &str = "registration";
    let declared = |name: &str| plugin.source_fields.iter().any(|f| f.name == name);
    let before = findings.failures().len();
    let mut targets = Vec::new();
    for spec in plugin.default_mapping {
        if !declared(spec.source) {
            findings.fail(
                PART,
                format!("default mapping reads source field `{}`, which is not among the declared source fields", spec.source),
            );
        }
        if let Transform::FallbackTo(other) = spec.transform {
            if !declared(other) {
                findings.fail(
                    PART,
                    format!("default mapping of `{}` falls back to `{other}`, which is not a declared source field", spec.source),
                );
            }
        }
        match IamField::parse(spec.target).filter(|field| field.is_mappable()) {
            Some(field) => targets.push(field),
            None => findings.fail(
                PART,
                format!(
                    "default mapping targets `{}`, which is not a mappable IAM field (choose from {})",
                    spec.target,
                    IamField::mappable_names().join(", ")
                ),
            ),
        }
    }
    for identity in [IamField::Id, IamField::Name] {
        if !targets.contains(&identity) {
            findings.fail(
                PART,
                format!("the default mapping does not fill IAM field {identity}: users are matched by it"),
            );
        }
    }
    // Only what the checks above did not already say (a target mapped twice, say).
    let clean = findings.failures().len() == before;
    if let (true, Err(error)) = (clean, FieldMapping::build(plugin, &BTreeMap::new())) {
        findings.fail(PART, format!("the default mapping cannot be used: {error}"));
    }
}
