//! The IAM group as the syncer sees it: a department of the source, named by its id, with its
//! display name and parent. Every other field is carried along untouched.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::user::null_as_default;

/// The `type` the syncer gives the groups it creates: `syncer:<syncer name>`. Departments may
/// overlap (one person in several), so the one-group-per-user "Physical" type cannot fit them.
pub fn group_marker(syncer: &str) -> String {
    format!("syncer:{syncer}")
}

/// A group of an IAM organization (Hanzo IAM / Casdoor JSON shape).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IamGroup {
    /// The organization.
    #[serde(default, deserialize_with = "null_as_default")]
    pub owner: String,
    /// The group name, unique in the organization (the department id for synced groups).
    #[serde(default, deserialize_with = "null_as_default")]
    pub name: String,
    /// Shown name (the department name).
    #[serde(default, deserialize_with = "null_as_default")]
    pub display_name: String,
    /// The parent group's name, or the organization's name for a top group.
    #[serde(default, deserialize_with = "null_as_default")]
    pub parent_id: String,
    /// Whether the group sits directly under the organization.
    #[serde(default, deserialize_with = "null_as_default")]
    pub is_top_group: bool,
    /// The group type; the syncer's own groups carry [`group_marker`].
    #[serde(default, rename = "type", deserialize_with = "null_as_default")]
    pub kind: String,
    /// Every other field, carried along unchanged.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl IamGroup {
    /// `owner/name`, the id IAM's API uses for this group and users' `groups` entries.
    pub fn qualified_name(&self) -> String {
        format!("{}/{}", self.owner, self.name)
    }

    /// Whether the syncer called `syncer` created this group.
    pub fn is_managed_by(&self, syncer: &str) -> bool {
        self.kind == group_marker(syncer)
    }
}
