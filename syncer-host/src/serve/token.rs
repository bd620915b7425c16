//! The control API's bearer token: kept only as its SHA-256 digest and compared in constant
//! time, so the time taken depends neither on where a wrong token first differs nor on the
//! configured token's length. Knows nothing of HTTP.

use ring::digest::{digest, SHA256};
use subtle::ConstantTimeEq;

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_exact_token_matches() {
        let token = ApiToken::new("api-token-7Hq2");
        assert!(token.matches("api-token-7Hq2"));
        assert!(!token.matches("api-token-7Hq"));
        assert!(!token.matches("api-token-7Hq2x"));
        assert!(!token.matches(""));
    }
}
