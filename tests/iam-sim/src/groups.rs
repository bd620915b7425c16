//! Groups (`get-groups`, `get-group`, `add-group`, `update-group`, `delete-group`) and the
//! `get-organization` probe.
//!
//! Mirrors hanzoai/iam controllers/group.go and object/group.go: names are unique across
//! organizations, `parentId` holds the parent's bare name (the organization's name for a top
//! group), membership lives in users' `groups` (`org/name`), and deletion is refused while a
//! group has children or users. Organizations mirror controllers/organization.go.

use serde_json::{json, Value};

use crate::call::Call;
use crate::envelope::Reply;
use crate::paging::{page, parse_page_size};
use crate::schema::{decode_body, fill_zero_values, str_of, GROUP_COMPUTED, GROUP_FIELDS};
use crate::store::{is_member, Record, Store};
use crate::validate::{check_group_name, split_id};

/// When the configured organizations were "created".
const ORGANIZATION_CREATED_TIME: &str = "2024-01-01T00:00:00Z";

/// Stored shape of a group: Go zero values filled, per-request fields dropped.
pub(crate) fn normalize_group(group: &mut Record) {
    fill_zero_values(group, GROUP_FIELDS);
    for key in GROUP_COMPUTED {
        group.remove(*key);
    }
}

/// A group as the server returns it, with its members' ids.
fn present(group: &Record, users: Vec<String>, have_children: bool, parent_name: &str) -> Value {
    let mut group = group.clone();
    group.insert("users".into(), json!(users));
    group.insert("parentName".into(), json!(parent_name));
    group.insert("haveChildren".into(), json!(have_children));
    for key in ["title", "key"] {
        if str_of(&group, key).is_empty() {
            group.remove(key);
        }
    }
    if group.get("children").is_some_and(Value::is_null) {
        group.remove("children");
    }
    Value::Object(group)
}

fn group_id(group: &Record) -> String {
    format!("{}/{}", str_of(group, "owner"), str_of(group, "name"))
}

/// `ConvertToTreeData(groups, parentId)`.
fn tree(groups: &[&Record], parent_id: &str) -> Vec<Value> {
    groups
        .iter()
        .filter(|group| str_of(group, "parentId") == parent_id)
        .map(|group| {
            let mut node = json!({
                "title": str_of(group, "displayName"),
                "key": str_of(group, "name"),
                "type": str_of(group, "type"),
                "owner": str_of(group, "owner"),
            });
            let children = tree(groups, str_of(group, "name"));
            if !children.is_empty() {
                node["children"] = Value::Array(children);
            }
            node
        })
        .collect()
}

/// `GET get-groups?owner=ORG` (optionally `p`/`pageSize`, `withTree=true`).
pub(crate) fn get_groups(call: &Call, store: &mut Store) -> Reply {
    if let Some(refusal) = call.user_admin_gate() {
        return refusal;
    }
    let owner = call.q("owner");
    let members = store.memberships(owner);
    let groups = store.groups_of(owner);
    let users_of = |group: &Record| members.get(&group_id(group)).cloned().unwrap_or_default();
    let (limit, p) = (call.q("pageSize"), call.q("p"));

    if limit.is_empty() || p.is_empty() {
        if call.q("withTree") == "true" {
            return Reply::ok(Value::Array(tree(&groups, owner)), Value::Null);
        }
        let shown: Vec<Value> = groups
            .iter()
            .map(|group| present(group, users_of(group), false, ""))
            .collect();
        return Reply::ok(Value::Array(shown), Value::Null);
    }
    let limit = match parse_page_size(limit) {
        Ok(limit) => limit,
        Err(msg) => return Reply::error(msg),
    };
    let count = groups.len();
    let rows = page(p, limit, count).slice(groups.clone());
    let shown: Vec<Value> = rows
        .iter()
        .map(|group| {
            let have_children = store.child_group_count(str_of(group, "name")) > 0;
            let parent = store.group(str_of(group, "owner"), str_of(group, "parentId"));
            let parent_name = parent.map_or("", |parent| str_of(parent, "displayName"));
            present(group, users_of(group), have_children, parent_name)
        })
        .collect();
    Reply::ok(Value::Array(shown), json!(count))
}

/// `GET get-group?id=ORG/NAME`: the group with its users, or `data: null`.
pub(crate) fn get_group(call: &Call, store: &mut Store) -> Reply {
    let (owner, name) = match split_id(call.q("id")) {
        Ok(parts) => parts,
        Err(msg) => return Reply::error(msg),
    };
    let Some(group) = store.group(owner, name).cloned() else {
        return Reply::ok(Value::Null, Value::Null);
    };
    let id = group_id(&group);
    let users: Vec<String> = store
        .group_members(owner, &id)
        .into_iter()
        .map(|user| format!("{}/{}", str_of(user, "owner"), str_of(user, "name")))
        .collect();
    Reply::ok(present(&group, users, false, ""), Value::Null)
}

fn duplicate_group(store: &Store, owner: &str, name: &str) -> Option<String> {
    if store.group(owner, name).is_some() {
        Some(format!(
            "Error 1062 (23000): Duplicate entry '{owner}-{name}' for key 'group.PRIMARY'"
        ))
    } else if store.group_name_taken(name) {
        Some(format!(
            "Error 1062 (23000): Duplicate entry '{name}' for key 'group.UQE_group_name'"
        ))
    } else {
        None
    }
}

/// `POST add-group` with the group JSON as body (the server sets no `createdTime`).
pub(crate) fn add_group(call: &Call, store: &mut Store) -> Reply {
    if let Some(refusal) = call.hanzo_name_filter() {
        return refusal;
    }
    let mut group = match decode_body(call.body, "Group", GROUP_FIELDS) {
        Ok(group) => group,
        Err(msg) => return Reply::error(msg),
    };
    let (owner, name) = (str_of(&group, "owner"), str_of(&group, "name"));
    if let Some(msg) = check_group_name(name, &call.config.organizations) {
        return Reply::error(msg);
    }
    if let Some(msg) = duplicate_group(store, owner, name) {
        return Reply::error(msg);
    }
    normalize_group(&mut group);
    store.insert_group(group);
    Reply::action(Ok(true))
}

/// `POST update-group?id=ORG/NAME` with the full group JSON: every column is rewritten.
pub(crate) fn update_group(call: &Call, store: &mut Store) -> Reply {
    if let Some(refusal) = call.hanzo_name_filter() {
        return refusal;
    }
    let mut group = match decode_body(call.body, "Group", GROUP_FIELDS) {
        Ok(group) => group,
        Err(msg) => return Reply::error(msg),
    };
    let (owner, name) = match split_id(call.q("id")) {
        Ok(parts) => parts,
        Err(msg) => return Reply::error(msg),
    };
    if store.group(owner, name).is_none() {
        return Reply::action(Ok(false));
    }
    let (new_owner, new_name) = (
        str_of(&group, "owner").to_string(),
        str_of(&group, "name").to_string(),
    );
    if let Some(msg) = check_group_name(&new_name, &call.config.organizations) {
        return Reply::error(msg);
    }
    if (new_owner.as_str(), new_name.as_str()) != (owner, name) {
        if let Some(msg) = duplicate_group(store, &new_owner, &new_name) {
            return Reply::error(msg);
        }
    }
    if new_name != name {
        store.rename_group_in_users(owner, name, &new_name);
        store.reparent_groups(name, &new_name);
    }
    normalize_group(&mut group);
    store.remove_group(owner, name);
    store.insert_group(group);
    Reply::action(Ok(true))
}

/// `POST delete-group` with `owner` and `name` in the body.
pub(crate) fn delete_group(call: &Call, store: &mut Store) -> Reply {
    let group = match decode_body(call.body, "Group", GROUP_FIELDS) {
        Ok(group) => group,
        Err(msg) => return Reply::error(msg),
    };
    let (owner, name) = (str_of(&group, "owner"), str_of(&group, "name"));
    if store.child_group_count(name) > 0 {
        return Reply::error("group has children group");
    }
    let id = format!("{owner}/{name}");
    let has_users = store
        .sorted_users(owner)
        .into_iter()
        .any(|user| is_member(user, &id));
    if has_users {
        return Reply::error("group has users");
    }
    Reply::action(Ok(store.remove_group(owner, name).is_some()))
}

/// `GET get-organization?id=admin/ORG`: the organization or `data: null`.
pub(crate) fn get_organization(call: &Call) -> Reply {
    let (owner, name) = match split_id(call.q("id")) {
        Ok(parts) => parts,
        Err(msg) => return Reply::error(msg),
    };
    let config = call.config;
    if owner != "admin" || !config.organizations.iter().any(|org| org == name) {
        return Reply::ok(Value::Null, Value::Null);
    }
    let organization = json!({
        "owner": "admin",
        "name": name,
        "createdTime": ORGANIZATION_CREATED_TIME,
        "displayName": name,
        "websiteUrl": "",
        "logo": "",
        "favicon": "",
        "passwordType": "plain",
        "passwordSalt": "",
        "passwordOptions": ["AtLeast6"],
        "countryCodes": ["US"],
        "defaultAvatar": "",
        "defaultApplication": "",
        "tags": [],
        "languages": ["en"],
        "masterPassword": "",
        "defaultPassword": "",
        "ipWhitelist": "",
        "initScore": 0,
        "enableSoftDeletion": config.soft_deletion,
        "isProfilePublic": false,
        "useEmailAsUsername": config.use_email_as_username,
        "mfaRememberInHours": 12,
        "accountItems": account_items(config),
        "balanceCurrency": "USD",
    });
    Reply::ok(organization, Value::Null)
}

/// The organization's account items: `null` (no rules) unless some are admin-only.
fn account_items(config: &crate::config::FakeIamConfig) -> Value {
    if config.admin_only_items.is_empty() {
        return Value::Null;
    }
    config
        .admin_only_items
        .iter()
        .map(|name| {
            json!({
                "name": name,
                "visible": true,
                "viewRule": "Admin",
                "modifyRule": "Admin",
                "regex": "",
            })
        })
        .collect()
}
