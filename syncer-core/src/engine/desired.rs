//! From source records to desired IAM users: one per person, mapped.

use std::collections::HashSet;

use super::plan::DesiredUser;
use crate::mapping::FieldMapping;
use crate::snapshot::SourceRecord;

/// Maps every record, keeping the first record of a source id that appears twice (a plugin
/// should already have merged them; this keeps the engine safe if one did not). Records are
/// consumed one by one, so their memory is given back while the desired users are built.
pub fn desired_users(records: Vec<SourceRecord>, mapping: &FieldMapping) -> Vec<DesiredUser> {
    let mut seen = HashSet::with_capacity(records.len());
    let mut desired = Vec::with_capacity(records.len());
    for record in records {
        if !seen.insert(record.id.clone()) {
            continue;
        }
        desired.push(DesiredUser {
            values: mapping.apply(&record),
            source_id: record.id,
            departments: record.departments,
        });
    }
    desired
}
