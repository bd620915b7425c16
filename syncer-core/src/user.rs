//! The IAM user as the syncer sees it: the fields it maps, the bookkeeping it keeps in
//! `properties`, and every other field carried along untouched so a full-body update never
//! erases what the syncer does not own.

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

use crate::field::{FieldValue, IamField};
use crate::properties::Properties;
use crate::text::Text;

/// A user of an IAM organization (Hanzo IAM / Casdoor JSON shape, camelCase keys).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IamUser {
    /// The organization the user belongs to.
    #[serde(default, deserialize_with = "null_as_default")]
    pub owner: Text,
    /// The user name, unique in the organization; never renamed by the syncer.
    #[serde(default, deserialize_with = "null_as_default")]
    pub name: Text,
    /// The user's id (the source's stable id for users the syncer created).
    #[serde(default, deserialize_with = "null_as_default")]
    pub id: Text,
    /// Shown name.
    #[serde(default, deserialize_with = "null_as_default")]
    pub display_name: Text,
    /// E-mail address.
    #[serde(default, deserialize_with = "null_as_default")]
    pub email: Text,
    /// Phone number.
    #[serde(default, deserialize_with = "null_as_default")]
    pub phone: Text,
    /// Region of the phone number (`CN`), when IAM keeps it.
    #[serde(default, deserialize_with = "null_as_default")]
    pub country_code: Text,
    /// Avatar URL.
    #[serde(default, deserialize_with = "null_as_default")]
    pub avatar: Text,
    /// Job title.
    #[serde(default, deserialize_with = "null_as_default")]
    pub title: Text,
    /// Whether the user may not sign in.
    #[serde(default, deserialize_with = "null_as_default")]
    pub is_forbidden: bool,
    /// Whether IAM soft-deleted the user (organizations with soft deletion keep deleted users).
    #[serde(default, deserialize_with = "null_as_default")]
    pub is_deleted: bool,
    /// Whether IAM considers the user an administrator of the organization.
    #[serde(default, deserialize_with = "null_as_default")]
    pub is_admin: bool,
    /// Group memberships as `ORG/GROUP`.
    #[serde(default, deserialize_with = "null_as_default")]
    pub groups: Vec<Text>,
    /// DingTalk provider id (the userid), so OAuth sign-in finds the imported user.
    #[serde(default, deserialize_with = "null_as_default")]
    pub dingtalk: Text,
    /// Lark provider id.
    #[serde(default, deserialize_with = "null_as_default")]
    pub lark: Text,
    /// Free string map; the syncer keeps its ownership marks here.
    #[serde(default, deserialize_with = "null_as_default")]
    pub properties: Properties,
    /// Every other field, carried along unchanged.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Deserializes JSON `null` as the type's default (IAM sends `null` for empty lists and maps).
pub fn null_as_default<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}

impl IamUser {
    /// `owner/name`, the id IAM's API uses for this user.
    pub fn qualified_name(&self) -> String {
        format!("{}/{}", self.owner, self.name)
    }

    /// Reads a field's current value.
    pub fn get(&self, field: IamField) -> FieldValue {
        match field {
            IamField::Id => FieldValue::Text(self.id.clone()),
            IamField::Name => FieldValue::Text(self.name.clone()),
            IamField::DisplayName => FieldValue::Text(self.display_name.clone()),
            IamField::Email => FieldValue::Text(self.email.clone()),
            IamField::Phone => FieldValue::Text(self.phone.clone()),
            IamField::CountryCode => FieldValue::Text(self.country_code.clone()),
            IamField::Avatar => FieldValue::Text(self.avatar.clone()),
            IamField::Title => FieldValue::Text(self.title.clone()),
            IamField::IsForbidden => FieldValue::Flag(self.is_forbidden),
            IamField::IsDeleted => FieldValue::Flag(self.is_deleted),
            IamField::DingTalk => FieldValue::Text(self.dingtalk.clone()),
            IamField::Lark => FieldValue::Text(self.lark.clone()),
            IamField::Groups => FieldValue::Text(self.groups.join(",").into()),
            IamField::Properties => FieldValue::Text(
                serde_json::to_string(&self.properties)
                    .unwrap_or_default()
                    .into(),
            ),
            other => match self.extra.get(other.json_key()) {
                Some(Value::String(text)) => FieldValue::Text(text.as_str().into()),
                Some(Value::Bool(flag)) => FieldValue::Flag(*flag),
                Some(Value::Null) | None => FieldValue::Text(Text::default()),
                Some(value) => FieldValue::Text(value.to_string().into()),
            },
        }
    }

    /// Writes a mapped field. Bookkeeping fields (`Groups`, `Properties`) are set directly.
    pub fn set(&mut self, field: IamField, value: FieldValue) {
        let value = value.coerce(field.kind());
        match field {
            IamField::Id => self.id = value.as_text(),
            IamField::Name => self.name = value.as_text(),
            IamField::DisplayName => self.display_name = value.as_text(),
            IamField::Email => self.email = value.as_text(),
            IamField::Phone => self.phone = value.as_text(),
            IamField::CountryCode => self.country_code = value.as_text(),
            IamField::Avatar => self.avatar = value.as_text(),
            IamField::Title => self.title = value.as_text(),
            IamField::IsForbidden => self.is_forbidden = value.as_flag(),
            IamField::IsDeleted => self.is_deleted = value.as_flag(),
            IamField::DingTalk => self.dingtalk = value.as_text(),
            IamField::Lark => self.lark = value.as_text(),
            IamField::Groups | IamField::Properties => {}
            other => {
                let json = match value {
                    FieldValue::Text(text) => Value::String(text.into()),
                    FieldValue::Flag(flag) => Value::Bool(flag),
                };
                self.extra.insert(other.json_key().to_owned(), json);
            }
        }
    }
}

impl IamUser {
    /// Copies exactly `columns` from `from` into `self`: what IAM's `update-user` does with the
    /// listed columns of a full body.
    pub fn copy_columns(&mut self, from: &IamUser, columns: &[IamField]) {
        for column in columns {
            match column {
                IamField::Groups => self.groups = from.groups.clone(),
                IamField::Properties => self.properties = from.properties.clone(),
                field => self.set(*field, from.get(*field)),
            }
        }
    }
}

impl IamUser {
    /// A field's value as JSON, as the journal keeps it: text as a string, flags as booleans,
    /// `Groups` as an array of `ORG/GROUP`, `Properties` as an object.
    pub fn field_json(&self, field: IamField) -> Value {
        match field {
            IamField::Groups => Value::Array(
                self.groups
                    .iter()
                    .map(|group| Value::String(group.to_string()))
                    .collect(),
            ),
            IamField::Properties => Value::Object(
                self.properties
                    .iter()
                    .map(|(key, value)| (key.to_owned(), Value::String(value.to_owned())))
                    .collect(),
            ),
            other => match self.get(other) {
                FieldValue::Text(text) => Value::String(text.into()),
                FieldValue::Flag(flag) => Value::Bool(flag),
            },
        }
    }

    /// Sets a field from its JSON value (the inverse of [`IamUser::field_json`]); `null` clears
    /// it.
    pub fn set_field_json(&mut self, field: IamField, value: &Value) {
        match field {
            IamField::Groups => {
                self.groups = value
                    .as_array()
                    .map(|groups| {
                        groups
                            .iter()
                            .filter_map(Value::as_str)
                            .map(Text::from)
                            .collect()
                    })
                    .unwrap_or_default();
            }
            IamField::Properties => {
                let mut properties = Properties::new();
                for (key, value) in value.as_object().into_iter().flatten() {
                    if let Some(value) = value.as_str() {
                        properties.insert(key.as_str(), value);
                    }
                }
                self.properties = properties;
            }
            other => {
                let value = match value {
                    Value::Bool(flag) => FieldValue::Flag(*flag),
                    Value::String(text) => FieldValue::Text(text.as_str().into()),
                    Value::Null => FieldValue::Text(Text::default()),
                    value => FieldValue::Text(value.to_string().into()),
                };
                self.set(other, value);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn unknown_fields_round_trip() {
        let raw = json!({
            "owner": "acme", "name": "alice", "password": "hash", "isAdmin": true,
            "groups": null, "properties": {"k": "v"}, "signupApplication": "app"
        });
        let user: IamUser = serde_json::from_value(raw).expect("valid user");
        assert!(user.groups.is_empty());
        assert!(user.is_admin);
        let back = serde_json::to_value(&user).expect("serializes");
        assert_eq!(back["password"], "hash");
        assert_eq!(back["signupApplication"], "app");
        assert_eq!(back["properties"]["k"], "v");
    }

    #[test]
    fn provider_fields_round_trip() {
        let mut user = IamUser::default();
        user.set(IamField::DingTalk, "manager42".into());
        user.set(IamField::WeCom, "zhangsan".into());
        assert_eq!(
            user.get(IamField::DingTalk),
            FieldValue::Text("manager42".into())
        );
        assert_eq!(user.extra["wecom"], "zhangsan");
        let json = serde_json::to_value(&user).expect("serializes");
        assert_eq!(json["dingtalk"], "manager42");
        assert_eq!(json["wecom"], "zhangsan");
    }

    #[test]
    fn field_json_round_trips_every_kind() {
        let mut user = IamUser {
            groups: vec!["acme/1".into()],
            is_forbidden: true,
            ..IamUser::default()
        };
        user.properties.insert("k", "v");
        user.set(IamField::Location, "杭州".into());
        let mut back = IamUser::default();
        for field in [
            IamField::Groups,
            IamField::Properties,
            IamField::IsForbidden,
            IamField::Location,
        ] {
            back.set_field_json(field, &user.field_json(field));
        }
        assert_eq!(back, user);
        assert_eq!(user.field_json(IamField::Groups), json!(["acme/1"]));
        assert_eq!(user.field_json(IamField::Properties), json!({"k": "v"}));
    }
}
