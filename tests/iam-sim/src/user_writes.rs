//! User writes: `add-user`, `update-user` (column-exact), `delete-user`.
//!
//! Mirrors hanzoai/iam controllers/user.go (`AddUser`, `UpdateUser`, `DeleteUser`),
//! object/check.go `CheckUpdateUser`, object/user_util.go `CheckPermissionForUpdateUser`
//! (display name rule) and object/user.go (`AddUser`, `UpdateUser`, `DeleteUser`).

use axum::http::StatusCode;
use serde_json::{json, Map, Value};

use crate::call::Call;
use crate::config::Flavor;
use crate::envelope::Reply;
use crate::schema::{
    bool_of, decode_body, fill_zero_values, str_of, user_column, user_column_suggestion, Kind,
    ADMIN_UPDATE_COLUMNS, DEFAULT_UPDATE_COLUMNS, USER_FIELDS,
};
use crate::stamp::{generate_id, now};
use crate::stats::UpdateUserCall;
use crate::store::{Record, Store};
use crate::validate::{check_username, check_username_with_email, split_id, UNAUTHORIZED};

/// Hanzo's guard against minting service-principal look-alikes (controllers/user_type_guard.go).
fn hanzo_type_guard(call: &Call, user: &Record) -> Option<Reply> {
    (call.config.flavor == Flavor::Hanzo && str_of(user, "type") == "application").then(|| {
        Reply::error_with_status(
            StatusCode::FORBIDDEN,
            "forbidden: User.Type=\"application\" is reserved for the client_credentials grant; \
             only the IAM bootstrap admin may set it",
        )
    })
}

/// `CheckUpdateUser(old, new)`: name rules and duplicates, email and phone duplicates.
fn check_update_user(call: &Call, store: &Store, old: &Record, new: &Record) -> Option<String> {
    let config = call.config;
    let (new_owner, new_name) = (str_of(new, "owner"), str_of(new, "name"));
    if str_of(old, "name") != new_name {
        let org = match str_of(old, "owner") {
            "" => new_owner,
            owner => owner,
        };
        if !config.organizations.iter().any(|known| known == org) {
            return Some(format!("The organization: {org} does not exist"));
        }
        let problem = if config.use_email_as_username {
            check_username_with_email(new_name)
        } else {
            check_username(new_name)
        };
        if problem.is_some() {
            return problem;
        }
        if store.user(new_owner, new_name).is_some() {
            return Some("Username already exists".to_string());
        }
    }
    if !config.unique_email_and_phone {
        return None;
    }
    let email = str_of(new, "email");
    if str_of(old, "email").to_lowercase() != email.to_lowercase()
        && !email.is_empty()
        && store.user_by_email(new_owner, email).is_some()
    {
        return Some("Email already exists".to_string());
    }
    let phone = str_of(new, "phone");
    if str_of(old, "phone") != phone
        && !phone.is_empty()
        && store.user_by_phone(new_owner, phone).is_some()
    {
        return Some("Phone already exists".to_string());
    }
    None
}

fn mfa_problem(user: &Record) -> Option<&'static str> {
    if bool_of(user, "mfaEmailEnabled") && str_of(user, "email").is_empty() {
        Some("MFA email is enabled but email is empty")
    } else if bool_of(user, "mfaPhoneEnabled") && str_of(user, "phone").is_empty() {
        Some("MFA phone is enabled but phone number is empty")
    } else {
        None
    }
}

/// Whether the organization's account item for the user field `key` is admin-only.
fn admin_only(call: &Call, key: &str) -> bool {
    let item = match key {
        "isForbidden" => "Is forbidden",
        "isDeleted" => "Is deleted",
        "groups" => "Groups",
        "properties" => "Properties",
        "displayName" => "Display name",
        "email" => "Email",
        "phone" => "Phone",
        "avatar" => "Avatar",
        "title" => "Title",
        _ => return false,
    };
    call.config.admin_only_items.iter().any(|name| name == item)
}

fn is_protected_admin(owner: &str, name: &str) -> bool {
    owner == "admin" && name == "admin"
}

/// `POST add-user` with the user JSON as body.
pub(crate) fn add_user(call: &Call, store: &mut Store) -> Reply {
    if let Some(refusal) = call.hanzo_name_filter().or_else(|| call.user_admin_gate()) {
        return refusal;
    }
    let mut user = match decode_body(call.body, "User", USER_FIELDS) {
        Ok(user) => user,
        Err(msg) => return Reply::error(msg),
    };
    if let Some(failure) = call.injected_failure(&[str_of(&user, "name")]) {
        return failure;
    }
    if let Some(refusal) = hanzo_type_guard(call, &user) {
        return refusal;
    }
    if let Some(quota) = call.config.user_quota {
        if store.user_count("") >= quota {
            return Reply::error("user quota is exceeded");
        }
    }
    if let Some(msg) = check_update_user(call, store, &Map::new(), &user) {
        return Reply::error(msg);
    }
    if str_of(&user, "registerType").is_empty() {
        user.insert("registerType".into(), json!("Add User"));
    }
    if str_of(&user, "id").is_empty() {
        user.insert("id".into(), json!(generate_id()));
    }
    let owner = str_of(&user, "owner").to_string();
    if owner.is_empty() || str_of(&user, "name").is_empty() {
        return Reply::error("the user's owner and name should not be empty");
    }
    if !call.config.organizations.contains(&owner) {
        return Reply::error(format!("the organization: {owner} is not found"));
    }
    if str_of(&user, "balanceCurrency").is_empty() {
        user.insert("balanceCurrency".into(), json!("USD"));
    }
    if str_of(&user, "createdTime").is_empty() {
        user.insert("createdTime".into(), json!(now()));
    }
    if str_of(&user, "updatedTime").is_empty() {
        let created = user.get("createdTime").cloned().unwrap_or(Value::Null);
        user.insert("updatedTime".into(), created);
    }
    fill_zero_values(&mut user, USER_FIELDS);
    store.insert_user(user);
    Reply::action(Ok(true))
}

/// The value a column takes from the request body: Go's zero value when the key is absent,
/// with `CheckPermissionForUpdateUser`'s nil-to-empty normalisations.
fn body_value(body: &Record, key: &str, kind: Kind) -> Value {
    match body.get(key) {
        Some(Value::Null) | None => match key {
            "groups" | "address" => json!([]),
            "properties" => json!({}),
            _ => kind.zero(),
        },
        Some(value) => value.clone(),
    }
}

/// Finds the user an `update-user` call targets, as the controller resolves `id`/`userId`.
fn target_of(call: &Call, store: &Store) -> Result<Record, String> {
    let mut id = call.q("id").to_string();
    let (user_id, owner) = (call.q("userId"), call.q("owner"));
    if id.is_empty() && user_id.is_empty() {
        id = call.principal.session_id();
        if id.is_empty() {
            return Err("Missing parameter".to_string());
        }
    }
    let by_user_id = if !user_id.is_empty() && !owner.is_empty() {
        let found = store
            .user_by_user_id(owner, user_id)
            .ok_or_else(|| format!("The user: {user_id} doesn't exist"))?;
        id = format!("{}/{}", str_of(found, "owner"), str_of(found, "name"));
        Some(found)
    } else {
        None
    };
    let old = if user_id.is_empty() {
        let (owner, name) = split_id(&id)?;
        store.user(owner, name)
    } else {
        by_user_id
    };
    let old = old.ok_or_else(|| format!("The user: {id} doesn't exist"))?;
    Ok(old.clone())
}

/// The columns the server writes, or the error naming a column the table lacks.
fn effective_columns(call: &Call, requested: &[String]) -> Result<Vec<String>, String> {
    let reject_unknown = call
        .config
        .reject_unknown_columns
        .unwrap_or(call.config.flavor == Flavor::Hanzo);
    if reject_unknown {
        if let Some(unknown) = requested.iter().find(|c| user_column(c).is_none()) {
            let hint = user_column_suggestion(unknown)
                .map(|column| format!(" (did you mean \"{column}\"?)"))
                .unwrap_or_default();
            return Err(format!(
                "unknown column \"{unknown}\" in columns: update-user takes the user table's \
                 snake_case column names{hint}"
            ));
        }
    }
    let mut columns: Vec<String> = if requested.is_empty() {
        DEFAULT_UPDATE_COLUMNS
            .iter()
            .map(|c| c.to_string())
            .collect()
    } else {
        requested.to_vec()
    };
    if call.is_admin() {
        columns.extend(ADMIN_UPDATE_COLUMNS.iter().map(|c| c.to_string()));
    }
    Ok(columns)
}

/// `POST update-user?id=ORG/NAME&columns=a,b` with the full user JSON as body.
pub(crate) fn update_user(call: &Call, store: &mut Store) -> Reply {
    let requested: Vec<String> = match call.q("columns") {
        "" => Vec::new(),
        columns => columns.split(',').map(str::to_string).collect(),
    };
    call.stats.record_update_user(UpdateUserCall {
        id: call.q("id").to_string(),
        columns: requested.clone(),
    });
    if let Some(refusal) = call.hanzo_name_filter().or_else(|| call.user_admin_gate()) {
        return refusal;
    }
    let mut new = match decode_body(call.body, "User", USER_FIELDS) {
        Ok(user) => user,
        Err(msg) => return Reply::error(msg),
    };
    let id_name = call.q("id").rsplit('/').next().unwrap_or("");
    if let Some(failure) = call.injected_failure(&[id_name, str_of(&new, "name")]) {
        return failure;
    }
    if let Some(refusal) = hanzo_type_guard(call, &new) {
        return refusal;
    }
    let old = match target_of(call, store) {
        Ok(found) => found,
        Err(msg) => return Reply::error(msg),
    };
    let (old_owner, old_name) = (str_of(&old, "owner"), str_of(&old, "name"));
    if is_protected_admin(old_owner, old_name)
        && !is_protected_admin(str_of(&new, "owner"), str_of(&new, "name"))
    {
        return Reply::error(UNAUTHORIZED);
    }
    if let Some(msg) = mfa_problem(&new) {
        return Reply::error(msg);
    }
    if let Some(msg) = check_update_user(call, store, &old, &new) {
        return Reply::error(msg);
    }
    let display_name = str_of(&new, "displayName");
    if str_of(&old, "displayName") != display_name
        && display_name.is_empty()
        && call.q("allowEmpty").is_empty()
    {
        return Reply::error("Display name cannot be empty");
    }
    let mut columns = match effective_columns(call, &requested) {
        Ok(columns) => columns,
        Err(msg) => return Reply::error(msg),
    };

    let password = str_of(&new, "password").to_string();
    if password == "***" {
        new.insert(
            "password".into(),
            old.get("password").cloned().unwrap_or(json!("")),
        );
    } else if !password.is_empty() && password != str_of(&old, "password") && !requested.is_empty()
    {
        columns.push("password".to_string());
    }
    if str_of(&new, "id").is_empty() {
        new.insert("id".into(), old.get("id").cloned().unwrap_or(json!("")));
    }

    let mut stored = old.clone();
    for column in &columns {
        if let Some((key, kind)) = user_column(column) {
            if !call.is_admin() && admin_only(call, key) {
                continue; // silently kept, as `userVisible` makes the server do
            }
            stored.insert(key.to_string(), body_value(&new, key, kind));
        }
    }
    stored.insert("updatedTime".into(), json!(now()));
    if !str_of(&new, "deletedTime").is_empty() {
        stored.insert("deletedTime".into(), json!(str_of(&new, "deletedTime")));
    }
    let (new_owner, new_name) = (str_of(&stored, "owner"), str_of(&stored, "name"));
    let renamed = new_owner != old_owner || new_name != old_name;
    if renamed && store.user(new_owner, new_name).is_some() {
        return Reply::error(format!(
            "Error 1062 (23000): Duplicate entry '{new_owner}-{new_name}' for key 'user.PRIMARY'"
        ));
    }
    let (old_owner, old_name) = (old_owner.to_string(), old_name.to_string());
    store.replace_user(&old_owner, &old_name, stored);
    Reply::action(Ok(true))
}

/// `POST delete-user` with at least `owner` and `name` in the body.
pub(crate) fn delete_user(call: &Call, store: &mut Store) -> Reply {
    if let Some(refusal) = call.user_admin_gate() {
        return refusal;
    }
    let body = match decode_body(call.body, "User", USER_FIELDS) {
        Ok(user) => user,
        Err(msg) => return Reply::error(msg),
    };
    let (owner, name) = (str_of(&body, "owner"), str_of(&body, "name"));
    if let Some(failure) = call.injected_failure(&[name]) {
        return failure;
    }
    if is_protected_admin(owner, name) {
        return Reply::error(UNAUTHORIZED);
    }
    let Some(existing) = store.user(owner, name) else {
        return Reply::action(Ok(false));
    };
    if call.config.soft_deletion {
        let mut user = existing.clone();
        let time = now();
        user.insert("isDeleted".into(), json!(true));
        user.insert("deletedTime".into(), json!(time));
        user.insert("updatedTime".into(), json!(time));
        store.replace_user(owner, name, user);
    } else {
        store.remove_user(owner, name);
    }
    Reply::action(Ok(true))
}
