//! Bearer-token authentication of the control API. `/healthz` needs no token; everything else
//! does when a token is configured (and serve refuses to listen beyond loopback without one).
//!
//! Tokens are compared as SHA-256 digests in constant time: the time taken depends neither on
//! where a wrong token first differs nor on the configured token's length.

use axum::extract::{Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use ring::digest::{digest, SHA256};
use subtle::ConstantTimeEq;

use super::api::error;
use super::state::AppState;

/// The configured API token, kept only as its digest.
pub struct ApiToken {
    digest: [u8; 32],
}

impl ApiToken {
    /// The token `secret` (non-empty; the config refuses an empty one).
    pub fn new(secret: &str) -> Self {
        Self {
            digest: sha256(secret.as_bytes()),
        }
    }

    /// Whether `presented` is the token.
    pub fn matches(&self, presented: &str) -> bool {
        sha256(presented.as_bytes()).ct_eq(&self.digest).into()
    }
}

fn sha256(bytes: &[u8]) -> [u8; 32] {
    let mut out = [0; 32];
    out.copy_from_slice(digest(&SHA256, bytes).as_ref());
    out
}

/// The credentials of an `Authorization: Bearer <token>` header; the scheme is
/// case-insensitive (RFC 9110 §11.1).
fn bearer(value: &str) -> Option<&str> {
    let (scheme, token) = value.trim_start().split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim_matches(' '))
}

/// Rejects requests without the configured bearer token with 401.
pub async fn require_token(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let Some(expected) = state.token() else {
        return next.run(request).await;
    };
    let presented = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(bearer);
    if presented.is_some_and(|token| expected.matches(token)) {
        return next.run(request).await;
    }
    let mut response = error(
        StatusCode::UNAUTHORIZED,
        "missing or wrong bearer token: send the [server] token as `Authorization: Bearer <token>`",
    );
    response.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        header::HeaderValue::from_static("Bearer"),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scheme_is_case_insensitive_and_the_token_exact() {
        assert_eq!(bearer("Bearer abc"), Some("abc"));
        assert_eq!(bearer("bearer abc"), Some("abc"));
        assert_eq!(bearer("BEARER  abc "), Some("abc"));
        assert_eq!(bearer("Basic abc"), None);
        assert_eq!(bearer("Bearerabc"), None);
        let token = ApiToken::new("api-token-7Hq2");
        assert!(token.matches("api-token-7Hq2"));
        assert!(!token.matches("api-token-7Hq"));
        assert!(!token.matches("api-token-7Hq2x"));
        assert!(!token.matches(""));
    }
}
