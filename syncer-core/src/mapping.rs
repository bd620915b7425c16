//! Field mapping: which source field fills which IAM field, and how. A plugin declares defaults
//! (see [`crate::MappingSpec`]); a syncer's `[syncers.mapping]` table overrides them per IAM
//! field.

use std::collections::BTreeMap;

use crate::field::{FieldKind, FieldValue, IamField};
use crate::plugin::{PluginDescriptor, Transform};
use crate::snapshot::SourceRecord;

/// A resolved mapping rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MappingRule {
    /// The source field.
    pub source: String,
    /// The IAM field it fills.
    pub target: IamField,
    /// The transform.
    pub transform: Transform,
}

/// A mapping that cannot be used; each variant names the offending field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MappingError {
    /// The source field is not one the plugin provides.
    #[error("unknown source field `{field}` for type {plugin}; it provides: {known}")]
    UnknownSourceField {
        /// The plugin type.
        plugin: String,
        /// The field as written.
        field: String,
        /// The fields it provides.
        known: String,
    },
    /// The IAM field does not exist or may not be mapped.
    #[error(
        "unknown IAM field `{field}` (mapped from `{source_field}`); mappable fields: {known}"
    )]
    UnknownIamField {
        /// The source field it was mapped from.
        source_field: String,
        /// The IAM field as written.
        field: String,
        /// The fields that may be mapped.
        known: String,
    },
    /// Two source fields fill one IAM field.
    #[error("IAM field {field} is mapped from both `{first}` and `{second}`; keep one")]
    TargetMappedTwice {
        /// The IAM field.
        field: IamField,
        /// One source field.
        first: String,
        /// The other.
        second: String,
    },
    /// `Id` or `Name` is not mapped: users could not be matched.
    #[error("IAM field {0} must be mapped from some source field: users are matched by it")]
    MissingIdentity(IamField),
}

/// The resolved mapping of one syncer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldMapping {
    rules: Vec<MappingRule>,
    /// The permission each rule's source field needs (see [`crate::SourceField::permission`]), by
    /// rule.
    permissions: Vec<Option<&'static str>>,
    /// The source field the plugin's default mapping names users by (DingTalk's `unionid`),
    /// when the configured Name rule still reads it: an identity the source generates, chosen
    /// by nobody. `None` when Name is remapped to another field.
    stable_name_source: Option<String>,
}

impl FieldMapping {
    /// The plugin's defaults with `overrides` (source field → IAM field) applied. An override
    /// replaces the default rule of the same IAM field; an override to `""` unmaps a source field.
    pub fn build(
        plugin: &PluginDescriptor,
        overrides: &BTreeMap<String, String>,
    ) -> Result<Self, MappingError> {
        let known_sources = || {
            plugin
                .source_fields
                .iter()
                .map(|f| f.name)
                .collect::<Vec<_>>()
                .join(", ")
        };
        let source_exists = |name: &str| plugin.source_fields.iter().any(|f| f.name == name);
        let mut rules = Vec::new();
        for spec in plugin.default_mapping {
            let target = resolve_target(spec.source, spec.target)?;
            rules.push(MappingRule {
                source: spec.source.to_owned(),
                target,
                transform: spec.transform,
            });
        }
        for (source, target_name) in overrides {
            if !source_exists(source) {
                return Err(MappingError::UnknownSourceField {
                    plugin: plugin.type_name.to_owned(),
                    field: source.clone(),
                    known: known_sources(),
                });
            }
            if target_name.trim().is_empty() {
                rules.retain(|rule| &rule.source != source);
                continue;
            }
            let target = resolve_target(source, target_name)?;
            rules.retain(|rule| rule.target != target);
            rules.push(MappingRule {
                source: source.clone(),
                target,
                transform: Transform::Copy,
            });
        }
        let mut seen: BTreeMap<IamField, &str> = BTreeMap::new();
        for rule in &rules {
            if let Some(first) = seen.insert(rule.target, &rule.source) {
                return Err(MappingError::TargetMappedTwice {
                    field: rule.target,
                    first: first.to_owned(),
                    second: rule.source.clone(),
                });
            }
        }
        for identity in [IamField::Id, IamField::Name] {
            if !seen.contains_key(&identity) {
                return Err(MappingError::MissingIdentity(identity));
            }
        }
        let permissions = rules
            .iter()
            .map(|rule| {
                plugin
                    .source_fields
                    .iter()
                    .find(|field| field.name == rule.source)
                    .and_then(|field| field.permission)
            })
            .collect();
        let default_name_source = plugin
            .default_mapping
            .iter()
            .find(|spec| IamField::parse(spec.target) == Some(IamField::Name))
            .map(|spec| spec.source);
        let stable_name_source = rules
            .iter()
            .find(|rule| rule.target == IamField::Name)
            .filter(|rule| Some(rule.source.as_str()) == default_name_source)
            .map(|rule| rule.source.clone());
        Ok(Self {
            rules,
            permissions,
            stable_name_source,
        })
    }

    /// Whether the Name this mapping gives `record` is the identity the source generated for
    /// the person (DingTalk's `unionid`, random and chosen by nobody), not a fallback an
    /// administrator chose (the `userid`) or another remapped field. Only such a Name is
    /// evidence that an IAM account of that name is this person's.
    pub fn name_is_stable(&self, record: &SourceRecord) -> bool {
        self.stable_name_source
            .as_deref()
            .is_some_and(|source| !source_value(record, source).is_empty())
    }

    /// The rules, in application order.
    pub fn rules(&self) -> &[MappingRule] {
        &self.rules
    }

    /// The permission the source app needs to read the source field that fills `field`, as
    /// the plugin declares it (`None` when the field is not mapped or needs none).
    pub fn permission(&self, field: IamField) -> Option<&'static str> {
        self.rules
            .iter()
            .zip(&self.permissions)
            .find(|(rule, _)| rule.target == field)
            .and_then(|(_, permission)| *permission)
    }

    /// The IAM fields this mapping fills, in order.
    pub fn targets(&self) -> Vec<IamField> {
        self.rules.iter().map(|rule| rule.target).collect()
    }

    /// Maps one source record onto the IAM values it defines. A flag field (`IsForbidden`)
    /// whose source field the record does not hold is unknown, not false: it is left out, so
    /// IAM keeps what it has (see [`FieldMapping::unknown`]).
    pub fn apply(&self, record: &SourceRecord) -> BTreeMap<IamField, FieldValue> {
        self.rules
            .iter()
            .filter(|rule| !is_unknown(rule, record))
            .map(|rule| {
                let value = source_value(record, &rule.source);
                let value = match rule.transform {
                    Transform::Copy => value,
                    Transform::Invert => FieldValue::Flag(!value.as_flag()),
                    Transform::FallbackTo(other) if value.is_empty() => source_value(record, other),
                    Transform::FallbackTo(_) => value,
                };
                (rule.target, value.coerce(rule.target.kind()))
            })
            .collect()
    }

    /// The mapped flag fields `record` leaves unknown (its source field is absent): neither set
    /// nor cleared on this person.
    pub fn unknown(&self, record: &SourceRecord) -> Vec<IamField> {
        self.rules
            .iter()
            .filter(|rule| is_unknown(rule, record))
            .map(|rule| rule.target)
            .collect()
    }
}

/// Whether `rule` fills a flag from a source field `record` does not hold (a text field left
/// out is empty; a flag left out is unknown).
fn is_unknown(rule: &MappingRule, record: &SourceRecord) -> bool {
    rule.target.kind() == FieldKind::Flag && record.field(&rule.source).is_none()
}

fn source_value(record: &SourceRecord, name: &str) -> FieldValue {
    record
        .field(name)
        .cloned()
        .unwrap_or_else(|| FieldValue::Text(Default::default()))
}

fn resolve_target(source: &str, target: &str) -> Result<IamField, MappingError> {
    IamField::parse(target)
        .filter(|field| field.is_mappable())
        .ok_or_else(|| MappingError::UnknownIamField {
            source_field: source.to_owned(),
            field: target.to_owned(),
            known: IamField::mappable_names().join(", "),
        })
}
