//! How a control-API request head is judged before the HTTP layer sees it. hyper answers a head
//! it cannot parse (a broken request line, a header without a colon, binary garbage) with a bare
//! `400` and no body; [`check`] reads a head the way hyper does (`httparse`, the parser hyper
//! uses) so that the gate every connection reads through (`gate`) can answer such a head with the API's
//! JSON error instead ([`HeadError::answer`]), and says where a sound head's request ends, so
//! that the next head on a kept-alive connection is judged too. This module knows nothing of
//! the API's routes or of connections.

use axum::http::{StatusCode, Uri};
use serde_json::json;

/// The most headers one request may have (hyper's own default).
pub const MAX_HEADERS: usize = 100;

/// Why a request head is refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum HeadError {
    /// The head is not HTTP/1.x (400); holds the parser's reason.
    #[error("the request cannot be read as HTTP/1.1 ({0}); send a request line such as `GET /healthz HTTP/1.1` followed by `Name: value` header lines")]
    Malformed(String),
    /// The request target is no URI (400).
    #[error("the request target is not a valid URI")]
    BadTarget,
    /// `Content-Length` is not one number (400).
    #[error("the Content-Length header is not a single whole number")]
    BadContentLength,
    /// More headers than the API reads (431).
    #[error(
        "the request has more than {MAX_HEADERS} headers; the API reads at most {MAX_HEADERS}"
    )]
    TooManyHeaders,
    /// A head that does not end within the bytes the API reads (431).
    #[error("the request head (request line and headers) is larger than {0} bytes, the most the API reads")]
    TooLarge(usize),
}

impl HeadError {
    /// The HTTP status of the answer.
    pub fn status(&self) -> StatusCode {
        match self {
            HeadError::Malformed(_) | HeadError::BadTarget | HeadError::BadContentLength => {
                StatusCode::BAD_REQUEST
            }
            HeadError::TooManyHeaders | HeadError::TooLarge(_) => {
                StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE
            }
        }
    }

    /// The whole HTTP/1.1 answer: the status, the API's `{"error": ...}` body, and
    /// `connection: close`.
    pub fn answer(&self) -> Vec<u8> {
        let status = self.status();
        let body = json!({ "error": self.to_string() }).to_string();
        format!(
            "HTTP/1.1 {} {}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
            status.as_u16(),
            status.canonical_reason().unwrap_or("Error"),
            body.len()
        )
        .into_bytes()
    }
}

/// How a sound request's body is delimited, as far as the gate follows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Body {
    /// `Content-Length` bytes (none when the header is absent): the next head follows them.
    Length(u64),
    /// Chunked, or a request that changes protocol (`Upgrade`, `CONNECT`): where it ends is
    /// hyper's to find, and what follows on the connection is hyper's alone.
    Unframed,
}

/// What the bytes of a head read so far say.
#[derive(Debug, PartialEq, Eq)]
pub enum Check {
    /// A whole head, sound: its length in bytes (leading empty lines included) and its body.
    Complete {
        /// The bytes of the head.
        head: usize,
        /// The body that follows it.
        body: Body,
    },
    /// Sound so far; more bytes are needed.
    Partial,
    /// Refused.
    Refused(HeadError),
}

/// Checks `bytes`, which start where a request head starts, as hyper would read that head.
pub fn check(bytes: &[u8]) -> Check {
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut request = httparse::Request::new(&mut headers);
    match request.parse(bytes) {
        Ok(httparse::Status::Partial) => Check::Partial,
        Ok(httparse::Status::Complete(head)) => match sound(&request) {
            Ok(body) => Check::Complete { head, body },
            Err(error) => Check::Refused(error),
        },
        Err(httparse::Error::TooManyHeaders) => Check::Refused(HeadError::TooManyHeaders),
        Err(error) => Check::Refused(HeadError::Malformed(error.to_string())),
    }
}

/// What hyper refuses in a head that parses (a target that is no URI, a `Content-Length` that
/// is not one number), and otherwise how its body is delimited.
fn sound(request: &httparse::Request<'_, '_>) -> Result<Body, HeadError> {
    let target = request.path.unwrap_or_default();
    Uri::try_from(target).map_err(|_| HeadError::BadTarget)?;
    let mut length = None;
    let mut unframed = request.method == Some("CONNECT");
    for header in request.headers.iter() {
        if header.name.eq_ignore_ascii_case("transfer-encoding")
            || header.name.eq_ignore_ascii_case("upgrade")
        {
            unframed = true;
        }
        if !header.name.eq_ignore_ascii_case("content-length") {
            continue;
        }
        let value = std::str::from_utf8(header.value)
            .ok()
            .filter(|text| !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|text| text.parse::<u64>().ok())
            .ok_or(HeadError::BadContentLength)?;
        if length.is_some_and(|known| known != value) {
            return Err(HeadError::BadContentLength);
        }
        length = Some(value);
    }
    Ok(if unframed {
        Body::Unframed
    } else {
        Body::Length(length.unwrap_or(0))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heads_are_judged_as_hyper_parses_them() {
        assert_eq!(
            check(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET /next"),
            Check::Complete {
                head: 34,
                body: Body::Length(0)
            }
        );
        assert_eq!(
            check(b"POST /x HTTP/1.1\r\nContent-Length: 12\r\n\r\n"),
            Check::Complete {
                head: 40,
                body: Body::Length(12)
            }
        );
        assert!(matches!(
            check(b"POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"),
            Check::Complete {
                body: Body::Unframed,
                ..
            }
        ));
        assert_eq!(
            check(b"GET /healthz HTTP/1.1\r\nHost: x\r\n"),
            Check::Partial
        );
        assert_eq!(check(b"GET /heal"), Check::Partial);
        for broken in [
            &b"GET / HTTP/1.1\r\nbad header\r\n\r\n"[..],
            b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03",
            b"GET / HTTP/9.9\r\n\r\n",
            b"GET /\x7f HTTP/1.1\r\n\r\n",
        ] {
            assert!(
                matches!(check(broken), Check::Refused(HeadError::Malformed(_))),
                "{broken:?}"
            );
        }
        assert_eq!(
            check(b"POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n"),
            Check::Refused(HeadError::BadContentLength)
        );
        assert_eq!(
            check(b"POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n"),
            Check::Refused(HeadError::BadContentLength)
        );
        let many: String = (0..=MAX_HEADERS).map(|i| format!("x-{i}: y\r\n")).collect();
        let request = format!("GET / HTTP/1.1\r\n{many}\r\n");
        assert_eq!(
            check(request.as_bytes()),
            Check::Refused(HeadError::TooManyHeaders)
        );
    }

    #[test]
    fn a_refusal_is_a_whole_json_answer() {
        let answer = String::from_utf8(HeadError::BadTarget.answer()).expect("text");
        let (head, body) = answer.split_once("\r\n\r\n").expect("a head and a body");
        assert!(head.starts_with("HTTP/1.1 400 Bad Request\r\n"), "{head}");
        assert!(
            head.contains(&format!("content-length: {}", body.len())),
            "{head}"
        );
        let body: serde_json::Value = serde_json::from_str(body).expect("JSON");
        assert!(body["error"].as_str().expect("error").contains("URI"));
    }
}
