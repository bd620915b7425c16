//! A user's `properties`: IAM's free string map, kept as a small sorted list. Users carry a
//! handful of entries at most, and a tree map's node (over 500 bytes each) would be most of
//! what 100,000 users cost in memory.

use std::fmt;
use std::ops::Index;

use serde::de::{MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::text::Text;

/// A string map with the operations of a `BTreeMap<String, String>` the syncer uses, ordered
/// by key (so it serializes like one).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Properties(Vec<(Text, Text)>);

impl Properties {
    /// An empty map (no allocation).
    pub fn new() -> Self {
        Self::default()
    }

    fn position(&self, key: &str) -> Result<usize, usize> {
        self.0.binary_search_by(|(k, _)| k.as_str().cmp(key))
    }

    /// The value of `key`.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.position(key).ok().map(|at| self.0[at].1.as_str())
    }

    /// Whether `key` is set.
    pub fn contains_key(&self, key: &str) -> bool {
        self.position(key).is_ok()
    }

    /// Sets `key`, returning its previous value.
    pub fn insert(&mut self, key: impl Into<Text>, value: impl Into<Text>) -> Option<Text> {
        let (key, value) = (key.into(), value.into());
        match self.position(&key) {
            Ok(at) => Some(std::mem::replace(&mut self.0[at].1, value)),
            Err(at) => {
                self.0.insert(at, (key, value));
                None
            }
        }
    }

    /// Removes `key`, returning its value.
    pub fn remove(&mut self, key: &str) -> Option<Text> {
        let at = self.position(key).ok()?;
        Some(self.0.remove(at).1)
    }

    /// The entries, ordered by key.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl Index<&str> for Properties {
    type Output = Text;

    fn index(&self, key: &str) -> &Text {
        match self.position(key) {
            Ok(at) => &self.0[at].1,
            Err(_) => panic!("no property `{key}`"),
        }
    }
}

impl<K: Into<Text>, V: Into<Text>> FromIterator<(K, V)> for Properties {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(entries: I) -> Self {
        let mut map = Properties::new();
        for (key, value) in entries {
            map.insert(key.into(), value.into());
        }
        map
    }
}

impl Serialize for Properties {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (key, value) in &self.0 {
            map.serialize_entry(key, value)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for Properties {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct PropertiesVisitor;

        impl<'de> Visitor<'de> for PropertiesVisitor {
            type Value = Properties;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a map of strings")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Properties, A::Error> {
                let mut map = Properties::new();
                while let Some((key, value)) = access.next_entry::<Text, Text>()? {
                    map.insert(key, value);
                }
                map.0.shrink_to_fit();
                Ok(map)
            }
        }

        deserializer.deserialize_map(PropertiesVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn behaves_like_a_sorted_map_and_round_trips_as_a_json_object() {
        let mut map = Properties::new();
        assert_eq!(map.insert("b", "2"), None);
        assert_eq!(map.insert("a", "1"), None);
        assert_eq!(map.insert("b", "3"), Some("2".into()));
        assert_eq!(map["a"], "1");
        assert!(map.contains_key("b") && !map.contains_key("c"));
        let json = serde_json::to_string(&map).expect("serializes");
        assert_eq!(json, r#"{"a":"1","b":"3"}"#);
        let back: Properties = serde_json::from_str(r#"{"b":"3","a":"1"}"#).expect("parses");
        assert_eq!(back, map);
        assert_eq!(map.remove("a"), Some("1".into()));
        assert_eq!(map.len(), 1);
    }
}
