//! The shapes of IAM's `User` and `Group` records: JSON keys, Go types, DB column names.
//!
//! The real server decodes request bodies into Go structs, so a wrong JSON type is an error,
//! a missing key becomes the Go zero value, and `update-user` addresses fields by their
//! xorm column name (snake_case, except a few columns whose tag keeps the camelCase name).
//! This module knows those tables and nothing about HTTP or storage.

use std::collections::HashMap;
use std::sync::OnceLock;

use serde_json::{Map, Value};

/// The Go type behind a JSON key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Str,
    Bool,
    Int,
    Float,
    StrList,
    StrMap,
    /// Nested structs and slices of structs: accepted as any JSON, zero value `null`.
    Any,
}

impl Kind {
    fn go_type(self) -> &'static str {
        match self {
            Kind::Str => "string",
            Kind::Bool => "bool",
            Kind::Int => "int",
            Kind::Float => "float64",
            Kind::StrList => "[]string",
            Kind::StrMap => "map[string]string",
            Kind::Any => "interface {}",
        }
    }

    /// The value Go's `encoding/json` writes for a zero field.
    pub(crate) fn zero(self) -> Value {
        match self {
            Kind::Str => Value::String(String::new()),
            Kind::Bool => Value::Bool(false),
            Kind::Int | Kind::Float => Value::from(0),
            Kind::StrList | Kind::StrMap | Kind::Any => Value::Null,
        }
    }
}

use Kind::{Any, Bool, Float, Int, Str, StrList, StrMap};

/// JSON keys of `object.User` (hanzoai/iam object/user.go) with their Go types.
pub(crate) const USER_FIELDS: &[(&str, Kind)] = &[
    ("owner", Str),
    ("name", Str),
    ("createdTime", Str),
    ("updatedTime", Str),
    ("deletedTime", Str),
    ("id", Str),
    ("externalId", Str),
    ("type", Str),
    ("password", Str),
    ("passwordSalt", Str),
    ("passwordType", Str),
    ("displayName", Str),
    ("firstName", Str),
    ("lastName", Str),
    ("avatar", Str),
    ("avatarType", Str),
    ("permanentAvatar", Str),
    ("email", Str),
    ("emailVerified", Bool),
    ("phone", Str),
    ("countryCode", Str),
    ("region", Str),
    ("location", Str),
    ("address", StrList),
    ("addresses", Any),
    ("affiliation", Str),
    ("title", Str),
    ("idCardType", Str),
    ("idCard", Str),
    ("realName", Str),
    ("isVerified", Bool),
    ("homepage", Str),
    ("bio", Str),
    ("tag", Str),
    ("language", Str),
    ("gender", Str),
    ("birthday", Str),
    ("education", Str),
    ("score", Int),
    ("karma", Int),
    ("ranking", Int),
    ("balance", Float),
    ("balanceCredit", Float),
    ("currency", Str),
    ("balanceCurrency", Str),
    ("isDefaultAvatar", Bool),
    ("isOnline", Bool),
    ("isAdmin", Bool),
    ("isForbidden", Bool),
    ("isDeleted", Bool),
    ("signupApplication", Str),
    ("hash", Str),
    ("preHash", Str),
    ("registerType", Str),
    ("registerSource", Str),
    ("accessKey", Str),
    ("accessSecret", Str),
    ("accessToken", Str),
    ("originalToken", Str),
    ("originalRefreshToken", Str),
    ("createdIp", Str),
    ("lastSigninTime", Str),
    ("lastSigninIp", Str),
    ("github", Str),
    ("google", Str),
    ("qq", Str),
    ("wechat", Str),
    ("facebook", Str),
    ("dingtalk", Str),
    ("weibo", Str),
    ("gitee", Str),
    ("linkedin", Str),
    ("wecom", Str),
    ("lark", Str),
    ("gitlab", Str),
    ("adfs", Str),
    ("baidu", Str),
    ("alipay", Str),
    ("iam", Str),
    ("infoflow", Str),
    ("apple", Str),
    ("azuread", Str),
    ("azureadb2c", Str),
    ("slack", Str),
    ("steam", Str),
    ("bilibili", Str),
    ("okta", Str),
    ("douyin", Str),
    ("kwai", Str),
    ("line", Str),
    ("amazon", Str),
    ("auth0", Str),
    ("battlenet", Str),
    ("bitbucket", Str),
    ("box", Str),
    ("cloudfoundry", Str),
    ("dailymotion", Str),
    ("deezer", Str),
    ("digitalocean", Str),
    ("discord", Str),
    ("dropbox", Str),
    ("eveonline", Str),
    ("fitbit", Str),
    ("gitea", Str),
    ("heroku", Str),
    ("influxcloud", Str),
    ("instagram", Str),
    ("intercom", Str),
    ("kakao", Str),
    ("lastfm", Str),
    ("mailru", Str),
    ("meetup", Str),
    ("microsoftonline", Str),
    ("naver", Str),
    ("nextcloud", Str),
    ("onedrive", Str),
    ("oura", Str),
    ("patreon", Str),
    ("paypal", Str),
    ("salesforce", Str),
    ("shopify", Str),
    ("soundcloud", Str),
    ("spotify", Str),
    ("strava", Str),
    ("stripe", Str),
    ("telegram", Str),
    ("tiktok", Str),
    ("tumblr", Str),
    ("twitch", Str),
    ("twitter", Str),
    ("typetalk", Str),
    ("uber", Str),
    ("vk", Str),
    ("wepay", Str),
    ("xero", Str),
    ("yahoo", Str),
    ("yammer", Str),
    ("yandex", Str),
    ("zoom", Str),
    ("metamask", Str),
    ("web3onboard", Str),
    ("custom", Str),
    ("custom2", Str),
    ("custom3", Str),
    ("custom4", Str),
    ("custom5", Str),
    ("custom6", Str),
    ("custom7", Str),
    ("custom8", Str),
    ("custom9", Str),
    ("custom10", Str),
    ("webauthnCredentials", Any),
    ("preferredMfaType", Str),
    ("recoveryCodes", StrList),
    ("totpSecret", Str),
    ("mfaPhoneEnabled", Bool),
    ("mfaEmailEnabled", Bool),
    ("mfaRadiusEnabled", Bool),
    ("mfaRadiusUsername", Str),
    ("mfaRadiusProvider", Str),
    ("mfaPushEnabled", Bool),
    ("mfaPushReceiver", Str),
    ("mfaPushProvider", Str),
    ("invitation", Str),
    ("invitationCode", Str),
    ("faceIds", Any),
    ("cart", Any),
    ("ldap", Str),
    ("properties", StrMap),
    ("roles", Any),
    ("permissions", Any),
    ("groups", StrList),
    ("lastChangePasswordTime", Str),
    ("lastSigninWrongTime", Str),
    ("signinWrongTimes", Int),
    ("managedAccounts", Any),
    ("mfaAccounts", Any),
    ("mfaItems", Any),
    ("mfaRememberDeadline", Str),
    ("needUpdatePassword", Bool),
    ("ipWhitelist", Str),
    ("applicationScopes", Any),
];

/// User keys that are not DB columns (`xorm:"-"` or filled per request).
const USER_NON_COLUMNS: &[&str] = &["roles", "permissions"];

/// User columns whose xorm tag keeps the camelCase JSON name.
const USER_CAMEL_COLUMNS: &[&str] = &["webauthnCredentials", "managedAccounts", "mfaAccounts"];

/// Columns `update-user` writes when the request names none (object/user.go `UpdateUser`).
pub(crate) const DEFAULT_UPDATE_COLUMNS: &[&str] = &[
    "owner",
    "display_name",
    "avatar",
    "first_name",
    "last_name",
    "location",
    "address",
    "addresses",
    "country_code",
    "region",
    "language",
    "affiliation",
    "title",
    "id_card_type",
    "id_card",
    "homepage",
    "bio",
    "tag",
    "gender",
    "birthday",
    "education",
    "score",
    "karma",
    "ranking",
    "signup_application",
    "register_type",
    "register_source",
    "is_admin",
    "is_forbidden",
    "is_deleted",
    "hash",
    "is_default_avatar",
    "properties",
    "webauthnCredentials",
    "mfa_items",
    "last_change_password_time",
    "managedAccounts",
    "face_ids",
    "mfaAccounts",
    "signin_wrong_times",
    "last_signin_wrong_time",
    "groups",
    "mfa_phone_enabled",
    "mfa_email_enabled",
    "email_verified",
    "github",
    "google",
    "qq",
    "wechat",
    "facebook",
    "dingtalk",
    "weibo",
    "gitee",
    "linkedin",
    "wecom",
    "lark",
    "gitlab",
    "adfs",
    "baidu",
    "alipay",
    "iam",
    "infoflow",
    "apple",
    "azuread",
    "azureadb2c",
    "slack",
    "steam",
    "bilibili",
    "okta",
    "douyin",
    "kwai",
    "line",
    "amazon",
    "auth0",
    "battlenet",
    "bitbucket",
    "box",
    "cloudfoundry",
    "dailymotion",
    "deezer",
    "digitalocean",
    "discord",
    "dropbox",
    "eveonline",
    "fitbit",
    "gitea",
    "heroku",
    "influxcloud",
    "instagram",
    "intercom",
    "kakao",
    "lastfm",
    "mailru",
    "meetup",
    "microsoftonline",
    "naver",
    "nextcloud",
    "onedrive",
    "oura",
    "patreon",
    "paypal",
    "salesforce",
    "shopify",
    "soundcloud",
    "spotify",
    "strava",
    "stripe",
    "type",
    "telegram",
    "tiktok",
    "tumblr",
    "twitch",
    "twitter",
    "typetalk",
    "uber",
    "vk",
    "wepay",
    "xero",
    "yahoo",
    "yammer",
    "yandex",
    "zoom",
    "custom",
    "need_update_password",
    "ip_whitelist",
    "mfa_remember_deadline",
    "cart",
    "application_scopes",
];

/// Columns appended for callers the server treats as admin (Casdoor: every application).
pub(crate) const ADMIN_UPDATE_COLUMNS: &[&str] = &[
    "name",
    "id",
    "email",
    "phone",
    "country_code",
    "type",
    "balance",
    "balance_credit",
    "balance_currency",
    "mfa_items",
    "register_type",
    "register_source",
];

/// JSON keys of `object.Group` (hanzoai/iam object/group.go).
pub(crate) const GROUP_FIELDS: &[(&str, Kind)] = &[
    ("owner", Str),
    ("name", Str),
    ("createdTime", Str),
    ("updatedTime", Str),
    ("displayName", Str),
    ("manager", Str),
    ("contactEmail", Str),
    ("type", Str),
    ("parentId", Str),
    ("parentName", Str),
    ("isTopGroup", Bool),
    ("users", StrList),
    ("title", Str),
    ("key", Str),
    ("haveChildren", Bool),
    ("children", Any),
    ("isEnabled", Bool),
];

/// Group keys computed per request, never stored (`xorm:"-"`).
pub(crate) const GROUP_COMPUTED: &[&str] = &["users", "parentName", "haveChildren"];

/// xorm's snake_case mapping of a camelCase field name.
fn snake(json_key: &str) -> String {
    let mut out = String::with_capacity(json_key.len() + 4);
    for ch in json_key.chars() {
        if ch.is_ascii_uppercase() {
            out.push('_');
            out.push(ch.to_ascii_lowercase());
        } else {
            out.push(ch);
        }
    }
    out
}

/// The user table: lower-cased column name to (column, JSON key, kind).
fn user_columns() -> &'static HashMap<String, (String, &'static str, Kind)> {
    static TABLE: OnceLock<HashMap<String, (String, &'static str, Kind)>> = OnceLock::new();
    TABLE.get_or_init(|| {
        USER_FIELDS
            .iter()
            .filter(|(key, _)| !USER_NON_COLUMNS.contains(key))
            .map(|&(key, kind)| {
                let column = if USER_CAMEL_COLUMNS.contains(&key) {
                    key.to_string()
                } else {
                    snake(key)
                };
                (column.to_ascii_lowercase(), (column, key, kind))
            })
            .collect()
    })
}

/// Resolves an `update-user` column the way xorm matches `Cols(...)`: case-insensitively,
/// on the full column name. Returns the JSON key and kind it writes.
pub(crate) fn user_column(column: &str) -> Option<(&'static str, Kind)> {
    user_columns()
        .get(&column.to_ascii_lowercase())
        .map(|(_, key, kind)| (*key, *kind))
}

/// A snake_case suggestion for a column a client spelled in camelCase, if one exists.
pub(crate) fn user_column_suggestion(column: &str) -> Option<&'static str> {
    let snaked = snake(column);
    user_columns()
        .get(&snaked.to_ascii_lowercase())
        .map(|(column, _, _)| column.as_str())
}

/// The JSON key a `field=`/`sortField=` query parameter names (camelCase, like the UI sends).
pub(crate) fn user_key_for_query_field(field: &str) -> Option<&'static str> {
    user_column(&snake(field)).map(|(key, _)| key)
}

fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn mismatch(found: &Value, strukt: &str, key: &str, kind: Kind) -> String {
    let found = match (found, kind) {
        (Value::Number(n), Kind::Int) => format!("number {n}"),
        _ => json_type(found).to_string(),
    };
    format!(
        "json: cannot unmarshal {found} into Go struct field {strukt}.{key} of type {}",
        kind.go_type()
    )
}

fn check_value(value: &Value, strukt: &str, key: &str, kind: Kind) -> Result<(), String> {
    let ok = match (kind, value) {
        (_, Value::Null) | (Kind::Any, _) => true,
        (Kind::Str, Value::String(_)) | (Kind::Bool, Value::Bool(_)) => true,
        (Kind::Int, Value::Number(n)) => n.is_i64() || n.is_u64(),
        (Kind::Float, Value::Number(_)) => true,
        (Kind::StrList, Value::Array(items)) => {
            for item in items {
                check_value(item, strukt, key, Kind::Str)?;
            }
            true
        }
        (Kind::StrMap, Value::Object(entries)) => {
            for item in entries.values() {
                check_value(item, strukt, key, Kind::Str)?;
            }
            true
        }
        _ => false,
    };
    if ok {
        Ok(())
    } else {
        Err(mismatch(value, strukt, key, kind))
    }
}

/// Decodes a request body as Go's `json.Unmarshal` into `strukt` would, with the same
/// error texts. Unknown keys are kept (the fake round-trips them).
pub(crate) fn decode_body(
    body: &[u8],
    strukt: &str,
    fields: &[(&str, Kind)],
) -> Result<Map<String, Value>, String> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err("unexpected end of JSON input".to_string());
    }
    let value: Value = serde_json::from_slice(body)
        .map_err(|err| format!("invalid character in JSON input: {err}"))?;
    let Value::Object(object) = value else {
        return Err(format!(
            "json: cannot unmarshal {} into Go value of type object.{strukt}",
            json_type(&value)
        ));
    };
    for &(key, kind) in fields {
        if let Some(value) = object.get(key) {
            check_value(value, strukt, key, kind)?;
        }
    }
    Ok(object)
}

/// Fills every known field the object lacks (or holds as `null` where Go would store a
/// scalar zero) with Go's zero value, so stored records look like the server's.
pub(crate) fn fill_zero_values(object: &mut Map<String, Value>, fields: &[(&str, Kind)]) {
    for &(key, kind) in fields {
        let missing = match object.get(key) {
            None => true,
            Some(Value::Null) => !matches!(kind, Kind::StrList | Kind::StrMap | Kind::Any),
            Some(_) => false,
        };
        if missing {
            object.insert(key.to_string(), kind.zero());
        }
    }
}

/// A string field of a JSON object, `""` when absent or not a string.
pub(crate) fn str_of<'a>(object: &'a Map<String, Value>, key: &str) -> &'a str {
    object.get(key).and_then(Value::as_str).unwrap_or("")
}

/// A bool field of a JSON object, `false` when absent.
pub(crate) fn bool_of(object: &Map<String, Value>, key: &str) -> bool {
    object.get(key).and_then(Value::as_bool).unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_listed_update_column_is_a_user_column() {
        for column in DEFAULT_UPDATE_COLUMNS.iter().chain(ADMIN_UPDATE_COLUMNS) {
            assert!(user_column(column).is_some(), "{column} has no field");
        }
    }

    #[test]
    fn camel_case_multi_word_columns_are_not_columns() {
        assert!(user_column("displayName").is_none());
        assert!(user_column("isForbidden").is_none());
        assert_eq!(user_column("EMAIL"), Some(("email", Kind::Str)));
        assert_eq!(user_column_suggestion("displayName"), Some("display_name"));
    }

    #[test]
    fn wrong_json_type_reads_like_go() {
        let err = decode_body(br#"{"isForbidden":"yes"}"#, "User", USER_FIELDS)
            .expect_err("a string is not a bool");
        assert_eq!(
            err,
            "json: cannot unmarshal string into Go struct field User.isForbidden of type bool"
        );
    }
}
