//! What a source returns from a fetch: its users (one record per person), its departments, and
//! an honest account of what could not be read.

use std::borrow::Cow;
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::field::FieldValue;

/// One person as the source describes them, with named source fields (`userid`, `name`, ...).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SourceRecord {
    /// The source's stable id of the person (DingTalk `userid`).
    pub id: String,
    /// Source fields by the names the plugin declares (static names cost no allocation).
    pub fields: SourceFields,
    /// Ids of every department the person belongs to.
    pub departments: Vec<String>,
}

impl SourceRecord {
    /// A record with an id and no fields yet.
    pub fn new(id: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            ..Self::default()
        }
    }

    /// Adds a field, builder style.
    pub fn with(mut self, name: &'static str, value: impl Into<FieldValue>) -> Self {
        self.fields.insert(Cow::Borrowed(name), value.into());
        self
    }

    /// A field's value, if the source gave it.
    pub fn field(&self, name: &str) -> Option<&FieldValue> {
        self.fields.get(name)
    }

    /// Sets a text field the source gave; an empty text is left out (it says nothing, and a
    /// 100,000-person directory holds many).
    pub fn set_text(&mut self, name: &'static str, value: String) {
        if !value.is_empty() {
            self.fields
                .insert(Cow::Borrowed(name), FieldValue::Text(value.into()));
        }
    }

    /// Sets a flag the source gave; an unknown one (`None`) is left out, so a mapping from it
    /// leaves the IAM field as it is.
    pub fn set_flag(&mut self, name: &'static str, value: Option<bool>) {
        if let Some(value) = value {
            self.fields
                .insert(Cow::Borrowed(name), FieldValue::Flag(value));
        }
    }

    /// Adds a department the person belongs to, unless it is already listed.
    pub fn add_department(&mut self, id: &str) {
        if !self.departments.iter().any(|known| known == id) {
            self.departments.push(id.to_owned());
        }
    }
}

/// A person's source fields: a small list rather than a tree map, because a 100,000-person
/// directory holds a million of them and a map node per person costs more than the data.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SourceFields(Vec<(Cow<'static, str>, FieldValue)>);

impl SourceFields {
    /// Sets a field, returning the value it replaces.
    pub fn insert(&mut self, name: Cow<'static, str>, value: FieldValue) -> Option<FieldValue> {
        match self.0.iter_mut().find(|(existing, _)| *existing == name) {
            Some((_, slot)) => Some(std::mem::replace(slot, value)),
            None => {
                self.0.push((name, value));
                None
            }
        }
    }

    /// A field's value.
    pub fn get(&self, name: &str) -> Option<&FieldValue> {
        self.0
            .iter()
            .find(|(existing, _)| existing == name)
            .map(|(_, value)| value)
    }

    /// Every field, in insertion order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &FieldValue)> {
        self.0.iter().map(|(name, value)| (name.as_ref(), value))
    }

    /// How many fields are set.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether no field is set.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Gives back spare capacity once the record is complete.
    pub fn shrink_to_fit(&mut self) {
        self.0.shrink_to_fit();
    }
}

/// A department (or organizational unit) of the source.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Department {
    /// The department's id in the source (`"1"` for DingTalk's root).
    pub id: String,
    /// Its name.
    pub name: String,
    /// The parent's id; `None` for the root.
    pub parent_id: Option<String>,
}

/// A part of the directory that could not be read.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FetchFailure {
    /// What could not be read, e.g. `department 42 (销售部)`.
    pub scope: String,
    /// The API that failed, e.g. `/topapi/v2/user/list`.
    pub api: String,
    /// Why, with what the operator should do.
    pub message: String,
}

/// A full read of the source directory.
#[derive(Clone, Debug, Default)]
pub struct Snapshot {
    /// Every person once (deduplicated by id).
    pub users: Vec<SourceRecord>,
    /// Every department reached.
    pub departments: Vec<Department>,
    /// Parts that failed after retries; empty when the snapshot is complete.
    pub failures: Vec<FetchFailure>,
    /// Remote API calls made, by API.
    pub api_calls: BTreeMap<String, u64>,
}

impl Snapshot {
    /// Whether every part of the directory was read. Only a complete snapshot may deprovision.
    pub fn is_complete(&self) -> bool {
        self.failures.is_empty()
    }

    /// Total remote API calls made.
    pub fn total_api_calls(&self) -> u64 {
        self.api_calls.values().sum()
    }
}

/// Receives progress while a fetch runs (for a progress bar); every method defaults to nothing.
pub trait FetchProgress: Send + Sync {
    /// A department's sub-departments were listed; `known` departments are known so far.
    fn department_listed(&self, _known: usize) {}
    /// A page of users arrived.
    fn users_fetched(&self, _count: usize) {}
}

/// A [`FetchProgress`] that ignores everything.
pub struct NoProgress;

impl FetchProgress for NoProgress {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_texts_and_unknown_flags_are_left_out_of_a_record() {
        let mut record = SourceRecord::new("u1");
        record.set_text("name", "张伟".to_owned());
        record.set_text("email", String::new());
        record.set_flag("active", Some(false));
        record.set_flag("admin", None);
        assert_eq!(record.fields.len(), 2);
        assert_eq!(record.field("active"), Some(&FieldValue::Flag(false)));
        assert!(record.field("email").is_none());
        assert!(record.field("admin").is_none());
    }

    #[test]
    fn a_department_is_listed_once() {
        let mut record = SourceRecord::new("u1");
        for id in ["2", "3", "2"] {
            record.add_department(id);
        }
        assert_eq!(record.departments, vec!["2", "3"]);
    }
}
