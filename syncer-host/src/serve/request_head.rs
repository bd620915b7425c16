//! The first request head of a new control-API connection, read and checked before the HTTP
//! layer sees it. hyper answers a head it cannot parse (a broken request line, a header
//! without a colon, binary garbage) with a bare `400` and no body; here such a head gets the
//! API's JSON error instead, parsed the way hyper parses (`httparse`, the parser hyper uses),
//! and the connection is closed. A sound head is handed on, bytes and all, to hyper, which
//! serves the connection as before. Only a connection's first request is checked this way; the
//! requests that follow on a kept-alive connection are hyper's alone. This module knows nothing
//! of the API's routes.

use std::time::Duration;

use axum::http::{StatusCode, Uri};
use serde_json::json;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::time::Instant;

/// The most headers one request may have (hyper's own default).
pub const MAX_HEADERS: usize = 100;
/// How long the answer to a refused head may take to send before the connection is dropped.
const ANSWER_TIMEOUT: Duration = Duration::from_secs(2);

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

/// What the bytes of a head read so far say.
#[derive(Debug, PartialEq, Eq)]
enum Check {
    /// A whole head, sound.
    Complete,
    /// Sound so far; more bytes are needed.
    Partial,
    /// Refused.
    Refused(HeadError),
}

/// Checks `bytes`, the start of a connection, as hyper would read its first request head.
fn check(bytes: &[u8]) -> Check {
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut request = httparse::Request::new(&mut headers);
    match request.parse(bytes) {
        Ok(httparse::Status::Partial) => Check::Partial,
        Ok(httparse::Status::Complete(_)) => match sound(&request) {
            Ok(()) => Check::Complete,
            Err(error) => Check::Refused(error),
        },
        Err(httparse::Error::TooManyHeaders) => Check::Refused(HeadError::TooManyHeaders),
        Err(error) => Check::Refused(HeadError::Malformed(error.to_string())),
    }
}

/// What hyper refuses in a head that parses: a target that is no URI, a `Content-Length` that
/// is not one number.
fn sound(request: &httparse::Request<'_, '_>) -> Result<(), HeadError> {
    let target = request.path.unwrap_or_default();
    Uri::try_from(target).map_err(|_| HeadError::BadTarget)?;
    let mut length = None;
    for header in request.headers.iter() {
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
    Ok(())
}

/// Reads the first request head of `stream` (at most `limit` bytes, within `timeout`). Returns
/// the bytes read when the head is sound, for the HTTP layer to read first; `None` when the
/// connection ended or timed out first, or its head was refused (then it has been answered
/// with the API's JSON error and closed).
pub async fn read_first<S: AsyncRead + AsyncWrite + Unpin>(
    stream: &mut S,
    limit: usize,
    timeout: Duration,
) -> Option<Vec<u8>> {
    let deadline = Instant::now() + timeout;
    let mut head = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        let read = tokio::time::timeout_at(deadline, stream.read(&mut chunk)).await;
        let count = match read {
            Ok(Ok(0)) | Ok(Err(_)) | Err(_) => return None,
            Ok(Ok(count)) => count,
        };
        head.extend_from_slice(&chunk[..count]);
        let refused = match check(&head) {
            Check::Complete => return Some(head),
            Check::Partial if head.len() <= limit => continue,
            Check::Partial => HeadError::TooLarge(limit),
            Check::Refused(error) => error,
        };
        let answer = async {
            stream.write_all(&refused.answer()).await?;
            stream.shutdown().await
        };
        // A client that does not read its answer loses it; nothing else to do.
        let _ = tokio::time::timeout(ANSWER_TIMEOUT, answer).await;
        return None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heads_are_judged_as_hyper_parses_them() {
        assert_eq!(
            check(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"),
            Check::Complete
        );
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
