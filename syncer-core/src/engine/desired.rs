//! From source records to desired IAM users: one per person, mapped, their departments named
//! as the groups they become.

use std::collections::HashSet;

use super::vocabulary::DesiredUser;
use crate::mapping::FieldMapping;
use crate::snapshot::Department;
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
            unknown: mapping.unknown(&record),
            stable_name: mapping.name_is_stable(&record),
            source_id: record.id,
            departments: record.departments,
        });
    }
    desired
}

/// Renames departments (and the memberships that point at them) to `prefix` + id, so groups of
/// several directories can live in one IAM whose group names are global.
pub(super) fn prefix_departments(
    prefix: &str,
    departments: &mut [Department],
    people: &mut [DesiredUser],
) {
    if prefix.is_empty() {
        return;
    }
    let named = |id: &mut String| *id = format!("{prefix}{id}");
    for department in departments.iter_mut() {
        named(&mut department.id);
        if let Some(parent) = department.parent_id.as_mut() {
            named(parent);
        }
    }
    for person in people.iter_mut() {
        person.departments.iter_mut().for_each(named);
    }
}
