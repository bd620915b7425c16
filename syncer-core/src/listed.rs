//! A user read from a listing of the target: the fields the syncer works with, and of the
//! others only those a mapping can write (non-empty). IAM sends about 180 fields per user; a
//! 100,000-user listing parsed into full users would spend most of a resync's time and memory
//! collecting fields nobody reads. Updates fetch the full, current body right before writing.

use std::fmt;

use serde::de::{IgnoredAny, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};
use serde_json::Value;

use crate::field::IamField;
use crate::user::IamUser;

/// An [`IamUser`] as a listing gives it, without the fields no mapping can write.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ListedUser(pub IamUser);

/// `null` (or a missing value) as the type's default.
fn or_default<'de, A: MapAccess<'de>, T: Default + Deserialize<'de>>(
    map: &mut A,
) -> Result<T, A::Error> {
    Ok(map.next_value::<Option<T>>()?.unwrap_or_default())
}

/// Whether a JSON value carries nothing (IAM sends every field, mostly as `""`).
fn is_empty_value(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::String(text) => text.is_empty(),
        Value::Bool(flag) => !flag,
        _ => false,
    }
}

impl<'de> Deserialize<'de> for ListedUser {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct UserVisitor;

        impl<'de> Visitor<'de> for UserVisitor {
            type Value = ListedUser;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an IAM user object")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<ListedUser, A::Error> {
                let mut user = IamUser::default();
                while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
                    match key.as_ref() {
                        "owner" => user.owner = or_default(&mut map)?,
                        "name" => user.name = or_default(&mut map)?,
                        "id" => user.id = or_default(&mut map)?,
                        "displayName" => user.display_name = or_default(&mut map)?,
                        "email" => user.email = or_default(&mut map)?,
                        "phone" => user.phone = or_default(&mut map)?,
                        "countryCode" => user.country_code = or_default(&mut map)?,
                        "avatar" => user.avatar = or_default(&mut map)?,
                        "title" => user.title = or_default(&mut map)?,
                        "isForbidden" => user.is_forbidden = or_default(&mut map)?,
                        "isDeleted" => user.is_deleted = or_default(&mut map)?,
                        "isAdmin" => user.is_admin = or_default(&mut map)?,
                        "groups" => user.groups = or_default(&mut map)?,
                        "dingtalk" => user.dingtalk = or_default(&mut map)?,
                        "lark" => user.lark = or_default(&mut map)?,
                        "properties" => user.properties = or_default(&mut map)?,
                        other if IamField::from_json_key(other).is_some() => {
                            let value: Value = map.next_value()?;
                            if !is_empty_value(&value) {
                                user.extra.insert(other.to_owned(), value);
                            }
                        }
                        _ => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                Ok(ListedUser(user))
            }
        }

        deserializer.deserialize_map(UserVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn keeps_the_syncers_fields_and_mappable_ones_and_drops_the_rest() {
        let raw = json!({
            "owner": "acme", "name": "alice", "id": "u1", "displayName": "爱丽丝",
            "email": null, "groups": null, "properties": {"syncer_managed_by": "dt"},
            "isForbidden": true, "dingtalk": "u1", "location": "杭州", "bio": "",
            "password": "***", "signupApplication": "app", "createdTime": "2024-01-01",
        });
        let ListedUser(user) = serde_json::from_value(raw).expect("a user");
        assert_eq!(user.name, "alice");
        assert_eq!(user.display_name, "爱丽丝");
        assert!(user.email.is_empty() && user.groups.is_empty());
        assert!(user.is_forbidden);
        assert_eq!(user.properties["syncer_managed_by"], "dt");
        assert_eq!(user.extra.len(), 1, "{:?}", user.extra);
        assert_eq!(user.extra["location"], "杭州");
    }

    #[test]
    fn reads_the_same_fields_as_a_full_user() {
        let raw = json!({
            "owner": "acme", "name": "bob", "id": "u2", "displayName": "Bob", "email": "b@x.io",
            "phone": "13800138000", "countryCode": "CN", "avatar": "https://a/b.png",
            "title": "工程师", "isForbidden": false, "isDeleted": true, "isAdmin": true,
            "groups": ["acme/1"], "dingtalk": "u2", "lark": "", "properties": {},
        });
        let ListedUser(listed) = serde_json::from_value(raw.clone()).expect("listed");
        let full: IamUser = serde_json::from_value(raw).expect("full");
        assert_eq!(listed, full);
    }
}
