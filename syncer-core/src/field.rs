//! The IAM user fields a mapping can write, with their three spellings: the name operators type
//! in config (`DisplayName`), the JSON key of the IAM API (`displayName`) and the snake_case
//! column Hanzo's `update-user` expects (`display_name`).

use crate::text::Text;
use std::fmt;

/// What kind of value an IAM field holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldKind {
    /// A string.
    Text,
    /// A boolean.
    Flag,
}

macro_rules! iam_fields {
    ($($variant:ident => $pascal:literal, $json:literal, $column:literal, $kind:ident, $mappable:literal;)*) => {
        /// A field of an IAM user that the syncer reads or writes.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum IamField {
            $(
                #[doc = concat!("`", $json, "` (column `", $column, "`).")]
                $variant,
            )*
        }

        impl IamField {
            /// Every field, in declaration order.
            pub const ALL: &'static [IamField] = &[$(IamField::$variant),*];

            /// The name operators use in config and documentation (`DisplayName`).
            pub fn name(self) -> &'static str {
                match self { $(IamField::$variant => $pascal),* }
            }

            /// The key of this field in the IAM API's user JSON (`displayName`).
            pub fn json_key(self) -> &'static str {
                match self { $(IamField::$variant => $json),* }
            }

            /// The snake_case column name that `update-user?columns=` expects (`display_name`).
            pub fn column(self) -> &'static str {
                match self { $(IamField::$variant => $column),* }
            }

            /// Whether the field holds text or a flag.
            pub fn kind(self) -> FieldKind {
                match self { $(IamField::$variant => FieldKind::$kind),* }
            }

            /// Whether a source field may be mapped onto it (bookkeeping fields may not).
            pub fn is_mappable(self) -> bool {
                match self { $(IamField::$variant => $mappable),* }
            }
        }
    };
}

iam_fields! {
    Id => "Id", "id", "id", Text, true;
    Name => "Name", "name", "name", Text, true;
    DisplayName => "DisplayName", "displayName", "display_name", Text, true;
    FirstName => "FirstName", "firstName", "first_name", Text, true;
    LastName => "LastName", "lastName", "last_name", Text, true;
    Email => "Email", "email", "email", Text, true;
    Phone => "Phone", "phone", "phone", Text, true;
    CountryCode => "CountryCode", "countryCode", "country_code", Text, true;
    Avatar => "Avatar", "avatar", "avatar", Text, true;
    Title => "Title", "title", "title", Text, true;
    Affiliation => "Affiliation", "affiliation", "affiliation", Text, true;
    Location => "Location", "location", "location", Text, true;
    Homepage => "Homepage", "homepage", "homepage", Text, true;
    Bio => "Bio", "bio", "bio", Text, true;
    Tag => "Tag", "tag", "tag", Text, true;
    Region => "Region", "region", "region", Text, true;
    Language => "Language", "language", "language", Text, true;
    Gender => "Gender", "gender", "gender", Text, true;
    IdCard => "IdCard", "idCard", "id_card", Text, true;
    IsForbidden => "IsForbidden", "isForbidden", "is_forbidden", Flag, true;
    IsDeleted => "IsDeleted", "isDeleted", "is_deleted", Flag, false;
    DingTalk => "DingTalk", "dingtalk", "dingtalk", Text, true;
    Lark => "Lark", "lark", "lark", Text, true;
    WeCom => "WeCom", "wecom", "wecom", Text, true;
    Ldap => "Ldap", "ldap", "ldap", Text, true;
    Okta => "Okta", "okta", "okta", Text, true;
    AzureAd => "AzureAD", "azuread", "azuread", Text, true;
    Google => "Google", "google", "google", Text, true;
    GitHub => "GitHub", "github", "github", Text, true;
    GitLab => "GitLab", "gitlab", "gitlab", Text, true;
    Groups => "Groups", "groups", "groups", Text, false;
    Properties => "Properties", "properties", "properties", Text, false;
}

impl IamField {
    /// Finds a field by any of its spellings, ignoring case and underscores
    /// (`DisplayName`, `displayName`, `display_name`).
    pub fn parse(name: &str) -> Option<IamField> {
        let wanted = fold(name);
        Self::ALL
            .iter()
            .copied()
            .find(|field| fold(field.name()) == wanted || fold(field.column()) == wanted)
    }

    /// The field whose IAM JSON key is `key` (`displayName`), if the syncer knows it.
    pub fn from_json_key(key: &str) -> Option<IamField> {
        Self::ALL
            .iter()
            .copied()
            .find(|field| field.json_key() == key)
    }

    /// The names of all mappable fields, for error messages that list the choices.
    pub fn mappable_names() -> Vec<&'static str> {
        Self::ALL
            .iter()
            .filter(|field| field.is_mappable())
            .map(|field| field.name())
            .collect()
    }
}

impl IamField {
    /// Whether `current` already is `wanted` for this field, the way IAM compares them: phone
    /// numbers in any notation of one number, e-mail addresses ignoring case (IAM may keep them
    /// lowercased), other values after conversion to the field's kind.
    pub fn same_value(self, current: &FieldValue, wanted: &FieldValue) -> bool {
        match self {
            IamField::Phone => crate::phone::same_phone(&current.as_text(), &wanted.as_text()),
            IamField::Email => current
                .as_text()
                .trim()
                .eq_ignore_ascii_case(wanted.as_text().trim()),
            _ => current.coerce(self.kind()) == wanted.coerce(self.kind()),
        }
    }
}

fn fold(name: &str) -> String {
    name.chars()
        .filter(|c| *c != '_' && *c != '-')
        .flat_map(char::to_lowercase)
        .collect()
}

impl fmt::Display for IamField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A value of a source or IAM field.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(untagged)]
pub enum FieldValue {
    /// A string value (empty when the source has none); short ones need no heap block.
    Text(Text),
    /// A boolean value.
    Flag(bool),
}

impl FieldValue {
    /// The value as text (`"true"`/`"false"` for flags).
    pub fn as_text(&self) -> Text {
        match self {
            FieldValue::Text(text) => text.clone(),
            FieldValue::Flag(flag) => Text::const_new(if *flag { "true" } else { "false" }),
        }
    }

    /// Whether the value counts as empty (an empty string; flags are never empty).
    pub fn is_empty(&self) -> bool {
        matches!(self, FieldValue::Text(text) if text.is_empty())
    }

    /// The value as a flag: flags as they are, text `true`/`1`/`yes` as true.
    pub fn as_flag(&self) -> bool {
        match self {
            FieldValue::Flag(flag) => *flag,
            FieldValue::Text(text) => matches!(text.trim(), "true" | "1" | "yes" | "TRUE" | "True"),
        }
    }

    /// Converts the value to the kind an IAM field holds.
    pub fn coerce(&self, kind: FieldKind) -> FieldValue {
        match kind {
            FieldKind::Text => FieldValue::Text(self.as_text()),
            FieldKind::Flag => FieldValue::Flag(self.as_flag()),
        }
    }
}

impl From<&str> for FieldValue {
    fn from(value: &str) -> Self {
        FieldValue::Text(value.into())
    }
}

impl From<String> for FieldValue {
    fn from(value: String) -> Self {
        FieldValue::Text(value.into())
    }
}

impl From<Text> for FieldValue {
    fn from(value: Text) -> Self {
        FieldValue::Text(value)
    }
}

impl From<bool> for FieldValue {
    fn from(value: bool) -> Self {
        FieldValue::Flag(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_accepts_every_spelling() {
        for spelling in ["DisplayName", "displayName", "display_name", "DISPLAYNAME"] {
            assert_eq!(IamField::parse(spelling), Some(IamField::DisplayName));
        }
        assert_eq!(IamField::parse("dingtalk"), Some(IamField::DingTalk));
        assert_eq!(IamField::parse("Nickname"), None);
    }

    #[test]
    fn columns_are_snake_case() {
        for field in IamField::ALL {
            let column = field.column();
            assert!(
                column.chars().all(|c| c.is_ascii_lowercase() || c == '_'),
                "{column}"
            );
        }
    }
}
