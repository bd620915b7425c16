//! The notice of flags the source could not say: a person whose `active` (or whatever fills a
//! flag such as IsForbidden) is missing keeps IAM's value, neither enabled nor disabled on it,
//! and the run says so, naming the field and how many people.

use std::collections::BTreeMap;

use crate::engine::vocabulary::DesiredUser;
use crate::field::IamField;
use crate::mapping::FieldMapping;

/// People named in a notice at most; the rest are counted.
const NAMED: usize = 5;

/// One notice per flag field left unknown for at least one person.
pub(super) fn notices(desired: &[DesiredUser], mapping: &FieldMapping) -> Vec<String> {
    let mut unknown: BTreeMap<IamField, Vec<&str>> = BTreeMap::new();
    for person in desired {
        for field in &person.unknown {
            unknown.entry(*field).or_default().push(&person.source_id);
        }
    }
    unknown
        .into_iter()
        .map(|(field, people)| {
            let named = people[..people.len().min(NAMED)].join(", ");
            let more = people.len().saturating_sub(NAMED);
            let more = if more > 0 {
                format!(" and {more} more")
            } else {
                String::new()
            };
            let source = mapping
                .rules()
                .iter()
                .find(|rule| rule.target == field)
                .map_or("its source field", |rule| rule.source.as_str());
            format!(
                "the source gave no `{source}` for {} people ({named}{more}), so their {field} is unknown: it was left as it is in IAM (neither enabled nor disabled on it)",
                people.len()
            )
        })
        .collect()
}
