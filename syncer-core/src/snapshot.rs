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
    pub fields: BTreeMap<Cow<'static, str>, FieldValue>,
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
