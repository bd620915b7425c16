//! From source records to desired IAM users: one per person, mapped.

use std::collections::HashSet;

use super::plan::DesiredUser;
use crate::mapping::FieldMapping;
use crate::snapshot::SourceRecord;

/// Maps every record, keeping the first record of a source id that appears twice (a plugin
/// should already have merged them; this keeps the engine safe if one did not).
pub fn desired_users(records: &[SourceRecord], mapping: &FieldMapping) -> Vec<DesiredUser> {
    let mut seen = HashSet::with_capacity(records.len());
    records
        .iter()
        .filter(|record| seen.insert(record.id.as_str()))
        .map(|record| DesiredUser {
            source_id: record.id.clone(),
            values: mapping.apply(record),
            departments: record.departments.clone(),
        })
        .collect()
}
