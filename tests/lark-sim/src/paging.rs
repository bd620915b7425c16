//! Paging as contact v3 does it: `page_size` 1–50 (default 10), an opaque `page_token` that
//! only the list that handed it out accepts, `has_more` and the next token in the answer.

use std::collections::HashMap;

use serde_json::{Map, Value};

use crate::envelope::ApiError;

/// Items per page when the client does not say.
pub(crate) const DEFAULT_PAGE_SIZE: usize = 10;
/// The largest page contact v3 serves.
pub(crate) const MAX_PAGE_SIZE: usize = 50;

/// The requested page: where it starts and how long it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PageRequest {
    pub(crate) offset: usize,
    pub(crate) size: usize,
}

impl PageRequest {
    /// Reads the `page_size` and `page_token` of `query` for the list named `list` (see
    /// [`PageRequest::parse`]).
    pub(crate) fn from_query(
        query: &HashMap<String, String>,
        list: &str,
    ) -> Result<PageRequest, ApiError> {
        PageRequest::parse(
            query.get("page_size").map(String::as_str),
            query.get("page_token").map(String::as_str),
            list,
        )
    }

    /// Reads `page_size` and `page_token` for the list named `list` (a token of another list,
    /// or one the fake never handed out, is refused).
    pub(crate) fn parse(
        page_size: Option<&str>,
        page_token: Option<&str>,
        list: &str,
    ) -> Result<PageRequest, ApiError> {
        let size = match page_size.map(str::trim).filter(|s| !s.is_empty()) {
            None => DEFAULT_PAGE_SIZE,
            Some(text) => match text.parse::<i64>() {
                Ok(n) if n > MAX_PAGE_SIZE as i64 => return Err(ApiError::page_size_too_large()),
                Ok(n) if n >= 1 => n as usize,
                _ => return Err(ApiError::page_size_invalid()),
            },
        };
        let offset = match page_token.filter(|t| !t.is_empty()) {
            None => 0,
            Some(token) => decode(token, list).ok_or_else(ApiError::page_token_invalid)?,
        };
        Ok(PageRequest { offset, size })
    }

    /// The `data` of the answer: this page of `items`, `has_more`, and the next `page_token`.
    /// Empty lists are left out, as Lark leaves out empty fields.
    pub(crate) fn answer(self, items: Vec<Value>, list: &str) -> Value {
        let total = items.len();
        let end = (self.offset + self.size).min(total);
        let page: Vec<Value> = items
            .into_iter()
            .skip(self.offset)
            .take(end.saturating_sub(self.offset))
            .collect();
        let has_more = end < total;
        let mut data = Map::new();
        data.insert("has_more".into(), has_more.into());
        if has_more {
            data.insert("page_token".into(), encode(list, end).into());
        }
        if !page.is_empty() {
            data.insert("items".into(), Value::Array(page));
        }
        Value::Object(data)
    }
}

/// An opaque token for `offset` in `list`.
pub(crate) fn encode(list: &str, offset: usize) -> String {
    let plain = format!("{list}|{offset}");
    plain.bytes().map(|b| format!("{:02X}", b ^ 0x5A)).collect()
}

fn decode(token: &str, list: &str) -> Option<usize> {
    if !token.len().is_multiple_of(2) {
        return None;
    }
    let bytes: Option<Vec<u8>> = (0..token.len())
        .step_by(2)
        .map(|i| {
            u8::from_str_radix(token.get(i..i + 2)?, 16)
                .ok()
                .map(|b| b ^ 0x5A)
        })
        .collect();
    let plain = String::from_utf8(bytes?).ok()?;
    let (owner, offset) = plain.rsplit_once('|')?;
    (owner == list).then(|| offset.parse().ok()).flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_walk_the_list_once_and_tokens_belong_to_their_list() {
        let items: Vec<Value> = (0..23).map(Value::from).collect();
        let mut request = PageRequest::parse(Some("10"), None, "a").expect("first page");
        let mut seen = Vec::new();
        loop {
            let data = request.answer(items.clone(), "a");
            seen.extend(data["items"].as_array().cloned().unwrap_or_default());
            match data.get("page_token").and_then(Value::as_str) {
                Some(token) => {
                    assert_eq!(data["has_more"], true);
                    assert!(PageRequest::parse(Some("10"), Some(token), "b").is_err());
                    request = PageRequest::parse(Some("10"), Some(token), "a").expect("next");
                }
                None => break,
            }
        }
        assert_eq!(seen, items);
    }

    #[test]
    fn page_sizes_outside_one_to_fifty_are_refused() {
        assert_eq!(PageRequest::parse(None, None, "a").map(|p| p.size), Ok(10));
        assert_eq!(
            PageRequest::parse(Some("51"), None, "a"),
            Err(ApiError::page_size_too_large())
        );
        assert_eq!(
            PageRequest::parse(Some("0"), None, "a"),
            Err(ApiError::page_size_invalid())
        );
        assert_eq!(
            PageRequest::parse(Some("x"), None, "a"),
            Err(ApiError::page_size_invalid())
        );
        assert_eq!(
            PageRequest::parse(None, Some("zz"), "a"),
            Err(ApiError::page_token_invalid())
        );
    }
}
