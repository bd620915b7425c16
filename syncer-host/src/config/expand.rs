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
    /// `${` without a closing `}`, or a name that is empty or not letters, digits and `_`.
    /// Only the position is kept: the value itself may be a secret.
    #[error(
        "malformed ${{...}} reference at character {at} of the value; write ${{NAME}} (letters, digits, _), or $${{ for a literal ${{"
    )]
    Malformed {
        /// Where the `${` starts, counted in characters from 1.
        at: usize,
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
            let malformed = || ExpandError::Malformed {
                at: text[..text.len() - tail.len()].chars().count() + 1,
            };
            let end = after.find('}').ok_or_else(malformed)?;
            let name = &after[..end];
            let valid =
                !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
            if !valid {
                return Err(malformed());
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
        assert_eq!(
            expand("${OPEN", &env),
            Err(ExpandError::Malformed { at: 1 })
        );
        assert_eq!(expand("${}", &env), Err(ExpandError::Malformed { at: 1 }));
    }

    #[test]
    fn a_malformed_reference_never_echoes_the_value() {
        // A secret that happens to contain `${` must not end up in an error message.
        let error = expand("hunter2${pass word}", &env).expect_err("malformed");
        assert_eq!(error, ExpandError::Malformed { at: 8 });
        let message = error.to_string();
        assert!(
            !message.contains("hunter2") && !message.contains("pass word"),
            "{message}"
        );
    }
}
