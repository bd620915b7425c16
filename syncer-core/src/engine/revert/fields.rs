//! Field by field, what undoing one journaled write does to an object as the target holds it
//! now: a field gets its before-value back only where it still holds what the run wrote; a
//! field that holds what was there before needs nothing; any other value was set since (by a
//! person, or a later run) and is kept, as a conflict. Memberships and `properties` go entry by
//! entry: the memberships the run added are taken out and those it took out put back, the keys
//! it changed restored one by one.

use std::collections::HashSet;

use serde_json::{Map, Value};

use crate::engine::vocabulary::RevertConflict;
use crate::field::{FieldValue, IamField};
use crate::journal::FieldChange;
use crate::user::IamUser;

/// What restoring a user's fields changed.
#[derive(Default)]
pub(super) struct Restored {
    /// The fields written back.
    pub columns: Vec<IamField>,
    /// The fields kept because they changed since.
    pub conflicts: Vec<RevertConflict>,
    /// Fields the journal names that this syncer does not know (left alone).
    pub unknown: Vec<String>,
}

/// Gives `user` (as the target holds it now) its before-values for `changes`.
pub(super) fn restore_user(user: &mut IamUser, changes: &[FieldChange]) -> Restored {
    let mut restored = Restored::default();
    let name = user.qualified_name();
    for change in changes {
        let Some(field) = IamField::parse(&change.field) else {
            restored.unknown.push(change.field.clone());
            continue;
        };
        let wrote = match field {
            IamField::Groups => restore_groups(user, change),
            IamField::Properties => restore_properties(user, change, &name, &mut restored),
            _ => {
                let now = user.get(field);
                if field.same_value(&now, &value_of(&change.after))
                    && !field.same_value(&now, &value_of(&change.before))
                {
                    user.set_field_json(field, &change.before);
                    true
                } else {
                    if !field.same_value(&now, &value_of(&change.before)) {
                        restored.conflicts.push(RevertConflict {
                            user: name.clone(),
                            field: field.name().to_owned(),
                            before: change.before.clone(),
                            written: change.after.clone(),
                            now: user.field_json(field),
                        });
                    }
                    false
                }
            }
        };
        if wrote && !restored.columns.contains(&field) {
            restored.columns.push(field);
        }
    }
    restored
}

/// Takes out the memberships the run added and puts back those it took out; whether the
/// memberships changed.
fn restore_groups(user: &mut IamUser, change: &FieldChange) -> bool {
    let before = strings(&change.before);
    let after = strings(&change.after);
    let mut groups: Vec<_> = user
        .groups
        .iter()
        .filter(|group| !after.contains(&group.as_str()) || before.contains(&group.as_str()))
        .cloned()
        .collect();
    // Memberships the run took out come back in the order they had.
    for group in before.iter().filter(|group| !after.contains(group)) {
        if !groups.iter().any(|held| held == group) {
            groups.push((*group).into());
        }
    }
    if groups == user.groups {
        return false;
    }
    user.groups = groups;
    true
}

/// Takes out the memberships a create gave (still held); whether any was.
pub(super) fn drop_groups(user: &mut IamUser, given: Option<&Value>) -> bool {
    let given: HashSet<&str> = given.map(strings).unwrap_or_default().into_iter().collect();
    let before = user.groups.len();
    user.groups.retain(|group| !given.contains(group.as_str()));
    user.groups.len() != before
}

/// Restores the `properties` keys the run changed, one by one; whether any was.
fn restore_properties(
    user: &mut IamUser,
    change: &FieldChange,
    name: &str,
    restored: &mut Restored,
) -> bool {
    let empty = Map::new();
    let before = change.before.as_object().unwrap_or(&empty);
    let after = change.after.as_object().unwrap_or(&empty);
    let keys: std::collections::BTreeSet<&String> = before.keys().chain(after.keys()).collect();
    let mut wrote = false;
    for key in keys {
        let (was, set) = (
            before.get(key).and_then(Value::as_str),
            after.get(key).and_then(Value::as_str),
        );
        if was == set {
            continue;
        }
        let now = user.properties.get(key);
        if now == set {
            match was {
                Some(value) => user.properties.insert(key.as_str(), value),
                None => user.properties.remove(key),
            };
            wrote = true;
        } else if now != was {
            restored.conflicts.push(RevertConflict {
                user: name.to_owned(),
                field: format!("Properties.{key}"),
                before: was.map_or(Value::Null, Value::from),
                written: set.map_or(Value::Null, Value::from),
                now: now.map_or(Value::Null, Value::from),
            });
        }
    }
    wrote
}

/// Restores a group's changed fields (JSON keys) in `group`, a JSON object as the target holds
/// the group now; whether any was. Conflicts name the group as `group owner/name`.
pub(super) fn restore_group(
    group: &mut Map<String, Value>,
    changes: &[FieldChange],
    name: &str,
    conflicts: &mut Vec<RevertConflict>,
) -> bool {
    let mut wrote = false;
    for change in changes {
        let now = group.get(&change.field).cloned().unwrap_or(Value::Null);
        if same_json(&now, &change.after) && !same_json(&now, &change.before) {
            group.insert(change.field.clone(), change.before.clone());
            wrote = true;
        } else if !same_json(&now, &change.before) {
            conflicts.push(RevertConflict {
                user: format!("group {name}"),
                field: change.field.clone(),
                before: change.before.clone(),
                written: change.after.clone(),
                now,
            });
        }
    }
    wrote
}

/// JSON values alike, a missing value (`null`) being the same as an empty one.
fn same_json(a: &Value, b: &Value) -> bool {
    let empty = |value: &Value| match value {
        Value::Null => true,
        Value::String(text) => text.is_empty(),
        Value::Bool(flag) => !flag,
        _ => false,
    };
    a == b || (empty(a) && empty(b))
}

/// A journaled value as a field value (`null` is empty text).
fn value_of(value: &Value) -> FieldValue {
    match value {
        Value::Bool(flag) => FieldValue::Flag(*flag),
        Value::String(text) => FieldValue::Text(text.as_str().into()),
        Value::Null => FieldValue::Text(Default::default()),
        other => FieldValue::Text(other.to_string().into()),
    }
}

fn strings(value: &Value) -> Vec<&str> {
    value
        .as_array()
        .map(|items| items.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}
