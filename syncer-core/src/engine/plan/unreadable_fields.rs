//! The missing-scope guard: a mapped field that comes back empty for every person while the
//! users this syncer manages mostly have a value is a lost read permission, not a company that
//! deleted everyone's phone number overnight. Such a field is left as it is in IAM this run.

use std::collections::BTreeSet;

use crate::engine::ownership::{self, Owner};
use crate::engine::vocabulary::DesiredUser;
use crate::field::{FieldKind, IamField};
use crate::mapping::FieldMapping;
use crate::user::IamUser;

/// Fewest managed users holding a value before an all-empty field counts as lost.
const MIN_HOLDERS: usize = 10;
/// Smallest share of the managed users (in percent) holding a value for the same.
const MIN_HOLDER_PERCENT: usize = 50;

/// Drops from every desired user the fields that look unreadable this run, and returns a
/// notice for each, naming the field and the permission to check (the one the plugin declares
/// for the source field `mapping` fills it from).
pub(super) fn keep_unreadable_fields(
    desired: &mut [DesiredUser],
    current: &[IamUser],
    me: &str,
    mapping: &FieldMapping,
) -> Vec<String> {
    if desired.is_empty() {
        return Vec::new();
    }
    let blank = blank_for_everyone(desired);
    let managed: Vec<&IamUser> = current
        .iter()
        .filter(|u| !u.is_deleted && !u.is_forbidden && ownership::owner_of(u, me) == Owner::Me)
        .collect();
    let mut notices = Vec::new();
    for field in blank {
        let holders = managed
            .iter()
            .filter(|user| !user.get(field).is_empty())
            .count();
        if holders < MIN_HOLDERS || holders * 100 < managed.len() * MIN_HOLDER_PERCENT {
            continue;
        }
        for person in desired.iter_mut() {
            person.values.remove(&field);
        }
        notices.push(format!(
            "{field} came back empty for all {} users read from the source, while {holders} of the {} users this syncer manages have one: the source app has probably lost the permission to read it ({}). {field} was left as it is in IAM this run",
            desired.len(),
            managed.len(),
            permission_hint(mapping, field)
        ));
    }
    notices
}

/// The mapped text fields (other than Id and Name) that came back empty for every person of
/// `desired`: those the guard weighs.
pub(in crate::engine) fn blank_for_everyone(desired: &[DesiredUser]) -> BTreeSet<IamField> {
    let mapped: BTreeSet<IamField> = desired
        .iter()
        .flat_map(|person| person.values.keys().copied())
        .filter(|field| {
            field.kind() == FieldKind::Text && !matches!(field, IamField::Id | IamField::Name)
        })
        .collect();
    mapped
        .into_iter()
        .filter(|field| {
            desired
                .iter()
                .all(|person| person.values.get(field).is_none_or(|v| v.is_empty()))
        })
        .collect()
}

/// Where to look for the permission `field` needs: the scope the plugin declares for the source
/// field it is mapped from, or a general pointer when the plugin declares none.
fn permission_hint(mapping: &FieldMapping, field: IamField) -> String {
    match mapping.permission(field) {
        Some(scope) => format!("grant the app {scope}"),
        None => "check the field permissions of the app in the source's developer console".into(),
    }
}
