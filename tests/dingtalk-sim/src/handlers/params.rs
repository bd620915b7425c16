//! Reading fields of a request body the lenient way DingTalk's gateway does: numbers may come as
//! JSON numbers or numeric strings, booleans as `true`/`false` or their string forms. Anything
//! else is an invalid parameter (400002) naming the field.

use serde_json::Value;

use crate::envelope::ApiError;

/// An optional integer field.
pub(super) fn int(body: &Value, name: &str) -> Result<Option<i64>, ApiError> {
    match body.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => n
            .as_i64()
            .map(Some)
            .ok_or_else(|| ApiError::invalid_parameter(name)),
        Some(Value::String(s)) => s
            .trim()
            .parse()
            .map(Some)
            .map_err(|_| ApiError::invalid_parameter(name)),
        Some(_) => Err(ApiError::invalid_parameter(name)),
    }
}

/// A required integer field.
pub(super) fn required_int(body: &Value, name: &str) -> Result<i64, ApiError> {
    int(body, name)?.ok_or_else(|| ApiError::invalid_parameter(format!("缺少参数{name}")))
}

/// An optional boolean field.
pub(super) fn boolean(body: &Value, name: &str) -> Result<Option<bool>, ApiError> {
    match body.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(Value::String(s)) if s == "true" => Ok(Some(true)),
        Some(Value::String(s)) if s == "false" => Ok(Some(false)),
        Some(_) => Err(ApiError::invalid_parameter(name)),
    }
}

/// A required string field.
pub(super) fn required_str<'a>(body: &'a Value, name: &str) -> Result<&'a str, ApiError> {
    match body.get(name) {
        Some(Value::String(s)) if !s.is_empty() => Ok(s),
        None | Some(Value::Null) => Err(ApiError::invalid_parameter(format!("缺少参数{name}"))),
        Some(_) => Err(ApiError::invalid_parameter(name)),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn numbers_may_be_strings_but_not_anything_else() {
        let body = json!({"a": 5, "b": "7", "c": "x", "d": [1], "e": "true"});
        assert_eq!(int(&body, "a"), Ok(Some(5)));
        assert_eq!(int(&body, "b"), Ok(Some(7)));
        assert_eq!(int(&body, "missing"), Ok(None));
        assert!(int(&body, "c").is_err());
        assert!(int(&body, "d").is_err());
        assert!(required_int(&body, "missing").is_err());
        assert_eq!(boolean(&body, "e"), Ok(Some(true)));
        assert!(boolean(&body, "a").is_err());
        assert!(required_str(&body, "a").is_err());
        assert_eq!(required_str(&body, "c"), Ok("x"));
    }
}
