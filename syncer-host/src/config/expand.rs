//! `${VAR}` expansion in config strings: each reference is replaced by the environment variable's
//! value; an unset variable is an error naming it and the key. `$${` writes a literal `${`.

use toml::Value;

/// A `${VAR}` that could not be expanded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExpandError {
    /// The variable is not set.
    #[error("environment variable {variable} is not set (referenced as ${{{variable}}}); export it or write the value into the file")]
    Unset {
        /// The variable name.
        variable: String,
    },
    /// `${` without a closing `}` or with an empty name.
    #[error(
        "malformed ${{...}} reference in `{text}`; write ${{NAME}}, or $${{ for a literal ${{"
    )]
    Malformed {
        /// The string as written.
        text: String,
    },
}

/// Expands every string in `value`, reporting the dotted path of the first failure.
pub fn expand_value(
    value: &mut Value,
    path: &str,
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Result<(), (String, ExpandError)> {
    match value {
        Value::String(text) => {
            *text = expand(text, lookup).map_err(|error| (path.to_owned(), error))?;
        }
        Value::Array(items) => {
            for (i, item) in items.iter_mut().enumerate() {
                expand_value(item, &format!("{path}[{i}]"), lookup)?;
            }
        }
        Value::Table(table) => {
            for (key, item) in table.iter_mut() {
                let child = if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                };
                expand_value(item, &child, lookup)?;
            }
        }
        _ => {}
    }
    Ok(())
}

/// Expands the `${VAR}` references of one string.
pub fn expand(text: &str, lookup: &dyn Fn(&str) -> Option<String>) -> Result<String, ExpandError> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('$') {
        out.push_str(&rest[..at]);
        let tail = &rest[at..];
        if let Some(after) = tail.strip_prefix("$${") {
            out.push_str("${");
            rest = after;
        } else if let Some(after) = tail.strip_prefix("${") {
            let end = after.find('}').ok_or_else(|| ExpandError::Malformed {
                text: text.to_owned(),
            })?;
            let name = &after[..end];
            let valid =
                !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
            if !valid {
                return Err(ExpandError::Malformed {
                    text: text.to_owned(),
                });
            }
            let value = lookup(name).ok_or_else(|| ExpandError::Unset {
                variable: name.to_owned(),
            })?;
            out.push_str(&value);
            rest = &after[end + 1..];
        } else {
            out.push('$');
            rest = &tail[1..];
        }
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(name: &str) -> Option<String> {
        (name == "SECRET").then(|| "s3cr3t".to_owned())
    }

    #[test]
    fn expands_set_variables_and_escapes() {
        assert_eq!(expand("a-${SECRET}-b", &env), Ok("a-s3cr3t-b".to_owned()));
        assert_eq!(
            expand("$${SECRET} costs $5", &env),
            Ok("${SECRET} costs $5".to_owned())
        );
    }

    #[test]
    fn unset_and_malformed_references_are_errors() {
        assert_eq!(
            expand("${MISSING}", &env),
            Err(ExpandError::Unset {
                variable: "MISSING".into()
            })
        );
        assert!(matches!(
            expand("${OPEN", &env),
            Err(ExpandError::Malformed { .. })
        ));
        assert!(matches!(
            expand("${}", &env),
            Err(ExpandError::Malformed { .. })
        ));
    }
}
