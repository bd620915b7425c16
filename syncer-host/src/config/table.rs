//! Reading one TOML table key by key: each getter takes its key out and checks its type, so a
//! value of the wrong type is an error that names the key's dotted path, the type expected and
//! how to write it, never serde's key-less "invalid type". Values are never echoed (they may be
//! secrets after `${VAR}` expansion); only their type is.

use toml::Value;

/// A problem with one key: `(dotted key path, message with the fix)`.
pub type KeyError = (String, String);

/// A TOML table being read; `path` is its dotted path (`server`, `syncers[0]`).
pub struct Table {
    path: String,
    entries: toml::Table,
}

impl Table {
    /// Reads `entries`, the table at `path`.
    pub fn new(path: impl Into<String>, entries: toml::Table) -> Self {
        Self {
            path: path.into(),
            entries,
        }
    }

    /// The table's own dotted path.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The dotted path of `key` in this table.
    pub fn key(&self, key: &str) -> String {
        if self.path.is_empty() {
            key.to_owned()
        } else {
            format!("{}.{key}", self.path)
        }
    }

    fn take(&mut self, key: &str) -> Option<Value> {
        self.entries.remove(key)
    }

    fn wrong_type(&self, key: &str, expected: &str, example: &str, got: &Value) -> KeyError {
        (
            self.key(key),
            format!(
                "expected {expected}, got {}; write it like `{key} = {example}`",
                type_name(got)
            ),
        )
    }

    /// A string, if present.
    pub fn string(&mut self, key: &str, example: &str) -> Result<Option<String>, KeyError> {
        match self.take(key) {
            None => Ok(None),
            Some(Value::String(text)) => Ok(Some(text)),
            Some(other) => Err(self.wrong_type(key, "a string", example, &other)),
        }
    }

    /// A string that must be there.
    pub fn required_string(&mut self, key: &str, example: &str) -> Result<String, KeyError> {
        self.string(key, example)?.ok_or_else(|| {
            (
                self.key(key),
                format!("is required; add `{key} = {example}`"),
            )
        })
    }

    /// `true` or `false`, if present.
    pub fn boolean(&mut self, key: &str) -> Result<Option<bool>, KeyError> {
        match self.take(key) {
            None => Ok(None),
            Some(Value::Boolean(value)) => Ok(Some(value)),
            Some(other) => Err(self.wrong_type(
                key,
                "a boolean (true or false, without quotes)",
                "true",
                &other,
            )),
        }
    }

    /// A whole number from 0 up, if present; `what` says what it counts (`a whole number of
    /// seconds`).
    pub fn count(&mut self, key: &str, what: &str, example: &str) -> Result<Option<u64>, KeyError> {
        match self.take(key) {
            None => Ok(None),
            Some(Value::Integer(n)) => u64::try_from(n).map(Some).map_err(|_| {
                (
                    self.key(key),
                    format!("must not be negative, got {n}; write it like `{key} = {example}`"),
                )
            }),
            Some(other) => {
                Err(self.wrong_type(key, &format!("{what} (without quotes)"), example, &other))
            }
        }
    }

    /// A number (integer or decimal), if present.
    pub fn number(&mut self, key: &str, example: &str) -> Result<Option<f64>, KeyError> {
        match self.take(key) {
            None => Ok(None),
            Some(Value::Integer(n)) => Ok(Some(n as f64)),
            Some(Value::Float(n)) => Ok(Some(n)),
            Some(other) => Err(self.wrong_type(key, "a number (without quotes)", example, &other)),
        }
    }

    /// A sub-table, if present.
    pub fn table(&mut self, key: &str, example: &str) -> Result<Option<Table>, KeyError> {
        match self.take(key) {
            None => Ok(None),
            Some(Value::Table(entries)) => Ok(Some(Table::new(self.key(key), entries))),
            Some(other) => Err(self.wrong_type(key, "a table", example, &other)),
        }
    }

    /// An array of tables (`[[key]]`), if present, each with its path (`key[0]`).
    pub fn tables(&mut self, key: &str, example: &str) -> Result<Vec<Table>, KeyError> {
        let items = match self.take(key) {
            None => return Ok(Vec::new()),
            Some(Value::Array(items)) => items,
            Some(other) => {
                return Err((
                    self.key(key),
                    format!(
                        "expected an array of tables, got {}; write each entry as a `{example}` table",
                        type_name(&other)
                    ),
                ));
            }
        };
        let path = self.key(key);
        items
            .into_iter()
            .enumerate()
            .map(|(i, item)| match item {
                Value::Table(entries) => Ok(Table::new(format!("{path}[{i}]"), entries)),
                other => Err((
                    format!("{path}[{i}]"),
                    format!(
                        "expected a table, got {}; write each entry as a `{example}` table",
                        type_name(&other)
                    ),
                )),
            })
            .collect()
    }

    /// Every `key = "string"` left, in key order.
    pub fn strings(self, example: &str) -> Result<Vec<(String, String)>, KeyError> {
        let mut out = Vec::with_capacity(self.entries.len());
        for (key, value) in &self.entries {
            match value {
                Value::String(text) => out.push((key.clone(), text.clone())),
                other => return Err(self.wrong_type(key, "a string", example, other)),
            }
        }
        Ok(out)
    }

    /// Refuses any key not taken yet, listing the `allowed` ones.
    pub fn deny_unknown(self, allowed: &[&str]) -> Result<(), KeyError> {
        match self.entries.keys().next() {
            None => Ok(()),
            Some(key) => Err((
                self.key(key),
                format!("unknown key; allowed keys here: {}", allowed.join(", ")),
            )),
        }
    }

    /// The keys not taken yet, with their values.
    pub fn into_rest(self) -> toml::Table {
        self.entries
    }
}

/// How a value's type reads in a sentence.
fn type_name(value: &Value) -> &'static str {
    match value {
        Value::String(_) => "a string",
        Value::Integer(_) => "an integer",
        Value::Float(_) => "a decimal number",
        Value::Boolean(_) => "a boolean",
        Value::Datetime(_) => "a date-time",
        Value::Array(_) => "an array",
        Value::Table(_) => "a table",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(text: &str) -> Table {
        Table::new("syncers[0]", toml::from_str(text).expect("toml"))
    }

    #[test]
    fn a_value_of_the_wrong_type_names_its_key_and_the_type_expected() {
        let (key, message) = table("is_enabled = \"yes\"")
            .boolean("is_enabled")
            .expect_err("a string is not a boolean");
        assert_eq!(key, "syncers[0].is_enabled");
        assert!(
            message.contains("boolean") && message.contains("string"),
            "{message}"
        );
        assert!(
            !message.contains("yes"),
            "never echoes the value: {message}"
        );

        let (key, message) = table("sync_interval = \"1h\"")
            .count("sync_interval", "a whole number of seconds", "3600")
            .expect_err("a string is not a count");
        assert_eq!(key, "syncers[0].sync_interval");
        assert!(
            message.contains("seconds") && message.contains("3600"),
            "{message}"
        );

        let (key, _) = table("sync_interval = -5")
            .count("sync_interval", "a whole number of seconds", "3600")
            .expect_err("negative");
        assert_eq!(key, "syncers[0].sync_interval");
    }

    #[test]
    fn unknown_keys_are_named_after_the_known_ones_are_taken() {
        let mut t = table("name = \"a\"\nnmae = \"b\"");
        assert_eq!(t.string("name", "\"x\""), Ok(Some("a".to_owned())));
        let (key, message) = t.deny_unknown(&["name"]).expect_err("unknown");
        assert_eq!(key, "syncers[0].nmae");
        assert!(message.contains("name"));
    }
}
