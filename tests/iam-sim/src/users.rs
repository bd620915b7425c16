//! User reads: `get-users` (all or paged, optionally one group's members) and `get-user`.
//!
//! Mirrors hanzoai/iam controllers/user.go `GetUsers`/`GetUser` and object/user.go
//! (`GetMaskedUser`, ordering by `created_time DESC`). Writes live in `user_writes`.

use std::cmp::Ordering;

use serde_json::{json, Value};

use crate::auth::Principal;
use crate::call::Call;
use crate::config::Flavor;
use crate::envelope::Reply;
use crate::paging::{page, parse_page_size};
use crate::schema::{str_of, user_key_for_query_field};
use crate::store::{PageOrder, Record, Store};
use crate::validate::{split_id, UNAUTHORIZED};

/// A user as the server returns it: password `***`, secrets masked for non-admin callers.
pub(crate) fn present(user: &Record, admin_or_self: bool) -> Value {
    let mut user = user.clone();
    if !str_of(&user, "password").is_empty() {
        user.insert("password".into(), json!("***"));
    }
    if !str_of(&user, "totpSecret").is_empty() {
        user.insert("totpSecret".into(), json!(""));
    }
    if user
        .get("recoveryCodes")
        .is_some_and(|codes| !codes.is_null())
    {
        user.insert("recoveryCodes".into(), Value::Null);
    }
    if !admin_or_self {
        for key in ["originalToken", "originalRefreshToken"] {
            if !str_of(&user, key).is_empty() {
                user.insert(key.into(), json!("***"));
            }
        }
        if let Some(Value::Object(properties)) = user.get_mut("properties") {
            for (key, value) in properties.iter_mut() {
                let oauth_token = key.starts_with("oauth_")
                    && (key.ends_with("_accessToken") || key.ends_with("_refreshToken"));
                if oauth_token {
                    *value = json!("***");
                }
            }
        }
    }
    Value::Object(user)
}

fn compare_values(a: Option<&Value>, b: Option<&Value>) -> Ordering {
    match (a, b) {
        (Some(Value::Number(x)), Some(Value::Number(y))) => x
            .as_f64()
            .partial_cmp(&y.as_f64())
            .unwrap_or(Ordering::Equal),
        (Some(Value::Bool(x)), Some(Value::Bool(y))) => x.cmp(y),
        (Some(x), Some(y)) => x.as_str().unwrap_or("").cmp(y.as_str().unwrap_or("")),
        (x, y) => x.is_some().cmp(&y.is_some()),
    }
}

/// `field`/`value` filter (`LIKE %value%`, case-insensitive like MySQL's collation).
fn matches_filter(user: &Record, key: Option<&str>, value: &str) -> bool {
    let Some(key) = key else { return true };
    let needle = value.to_lowercase();
    match user.get(key) {
        Some(Value::String(text)) => text.to_lowercase().contains(&needle),
        Some(other) => other.to_string().to_lowercase().contains(&needle),
        None => false,
    }
}

/// `GET get-users?owner=&groupName=&p=&pageSize=&field=&value=&sortField=&sortOrder=`.
pub(crate) fn get_users(call: &Call, store: &mut Store) -> Reply {
    if let Some(refusal) = call.user_admin_gate() {
        return refusal;
    }
    let owner = call.q("owner");
    let group_name = call.q("groupName");
    let group_id = format!("{owner}/{group_name}");
    let (limit, p) = (call.q("pageSize"), call.q("p"));

    if limit.is_empty() || p.is_empty() {
        let users = if group_name.is_empty() {
            store.sorted_users(owner)
        } else {
            store.group_members(owner, &group_id)
        };
        let users: Vec<Value> = users.into_iter().map(|u| present(u, false)).collect();
        return Reply::ok(Value::Array(users), Value::Null);
    }

    let limit = match parse_page_size(limit) {
        Ok(limit) => limit,
        Err(msg) => return Reply::error(msg),
    };
    let (field, value) = (call.q("field"), call.q("value"));
    let filter_key = if field.is_empty() || value.is_empty() {
        None
    } else {
        user_key_for_query_field(field)
    };
    let (sort_field, sort_order) = (call.q("sortField"), call.q("sortOrder"));
    let custom_sort = (!sort_field.is_empty() && !sort_order.is_empty()) || sort_order == "ascend";

    // Fast path: one organization, no filter, the default order or by name.
    let by_name = sort_field == "name" && sort_order == "ascend";
    if group_name.is_empty()
        && filter_key.is_none()
        && (!custom_sort || by_name)
        && !owner.is_empty()
    {
        let order = if by_name {
            PageOrder::NameAscending
        } else if call.config.unstable_ties {
            PageOrder::NewestUnstableTies(call.stats.requests_so_far())
        } else {
            PageOrder::Newest
        };
        let count = store.user_count(owner);
        let page = page(p, limit, count);
        let rows = store.user_page(owner, page.offset, page.limit.unwrap_or(usize::MAX), order);
        let rows: Vec<Value> = rows.into_iter().map(|u| present(u, false)).collect();
        return Reply::ok(Value::Array(rows), json!(count));
    }

    let mut rows: Vec<&Record> = if group_name.is_empty() {
        store.sorted_users(owner)
    } else {
        store.group_members(owner, &group_id)
    };
    rows.retain(|user| matches_filter(user, filter_key, value));
    if custom_sort {
        let key = if sort_field.is_empty() || sort_order.is_empty() {
            Some("createdTime")
        } else {
            user_key_for_query_field(sort_field)
        };
        if let Some(key) = key {
            rows.sort_by(|a, b| compare_values(a.get(key), b.get(key)));
            if sort_order != "ascend" {
                rows.reverse();
            }
        }
    }
    let count = rows.len();
    let rows = page(p, limit, count).slice(rows);
    let rows: Vec<Value> = rows.into_iter().map(|u| present(u, false)).collect();
    Reply::ok(Value::Array(rows), json!(count))
}

/// Strips `+<country code>` as `util.GetSeperatedPhone` does, approximated: a `+`-prefixed
/// query also matches a stored national number it ends with.
fn user_by_phone<'a>(store: &'a Store, owner: &str, phone: &str) -> Option<&'a Record> {
    if let Some(found) = store.user_by_phone(owner, phone) {
        return Some(found);
    }
    let digits = phone.strip_prefix('+')?;
    (1..=3).find_map(|code_len| {
        let national = digits.get(code_len..)?;
        store.user_by_phone(owner, national)
    })
}

fn lookup<'a>(
    call: &Call,
    store: &'a Store,
    owner: &str,
    id: &str,
) -> Result<Option<&'a Record>, String> {
    let (email, phone, user_id) = (call.q("email"), call.q("phone"), call.q("userId"));
    Ok(if !email.is_empty() {
        store.user_by_email(owner, email)
    } else if !phone.is_empty() {
        user_by_phone(store, owner, phone)
    } else if !user_id.is_empty() {
        store.user_by_user_id(owner, user_id)
    } else {
        let (owner, name) = split_id(id)?;
        store.user(owner, name)
    })
}

/// Casdoor's lookups without owner or id: the first user of any organization.
fn lookup_any_org<'a>(call: &Call, store: &'a Store) -> Option<&'a Record> {
    let (email, phone, user_id) = (call.q("email"), call.q("phone"), call.q("userId"));
    store.user_owners().into_iter().find_map(|owner| {
        if !email.is_empty() {
            store.user_by_email(&owner, email)
        } else if !phone.is_empty() {
            user_by_phone(store, &owner, phone)
        } else if !user_id.is_empty() {
            store.user_by_user_id(&owner, user_id)
        } else {
            None
        }
    })
}

/// `GET get-user?id=` | `?owner=&userId=` | `&email=` | `&phone=`: the user or `data: null`.
pub(crate) fn get_user(call: &Call, store: &mut Store) -> Reply {
    let store = &*store;
    let mut id = call.q("id").to_string();
    let mut owner = call.q("owner").to_string();
    let user_id = call.q("userId");

    if !user_id.is_empty() && !owner.is_empty() {
        match store.user_by_user_id(&owner, user_id) {
            None => return Reply::ok(Value::Null, Value::Null),
            Some(found) => id = format!("{}/{}", str_of(found, "owner"), str_of(found, "name")),
        }
    }

    let user = if id.is_empty() && owner.is_empty() {
        match (&call.principal, call.config.flavor) {
            (Principal::Anonymous, Flavor::Hanzo) => return Reply::error(UNAUTHORIZED),
            // Hanzo scopes the lookup to the caller's organization: "app" for an application.
            (Principal::App(_), Flavor::Hanzo) => None,
            (_, Flavor::Casdoor) => lookup_any_org(call, store),
        }
    } else {
        if owner.is_empty() {
            match split_id(&id) {
                Ok((id_owner, _)) => owner = id_owner.to_string(),
                Err(msg) => return Reply::error(msg),
            }
        }
        if let Some(refusal) = call.user_admin_gate() {
            return refusal;
        }
        match lookup(call, store, &owner, &id) {
            Ok(user) => user,
            Err(msg) => return Reply::error(msg),
        }
    };

    let Some(user) = user else {
        return Reply::ok(Value::Null, Value::Null);
    };
    let user_owner = str_of(user, "owner");
    if !call
        .config
        .organizations
        .iter()
        .any(|org| org == user_owner)
    {
        return Reply::error(format!("The organization: {owner} does not exist"));
    }
    if call.principal == Principal::Anonymous {
        return Reply::error("Please login first");
    }
    let mut shown = present(user, call.is_admin());
    if let Value::Object(fields) = &mut shown {
        for key in ["roles", "permissions", "groups"] {
            if fields.get(key).is_none_or(Value::is_null) {
                fields.insert(key.into(), json!([]));
            }
        }
    }
    Reply::ok(shown, Value::Null)
}
