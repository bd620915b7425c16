//! Access tokens as DingTalk hands them out: one current token per app, returned again (and its
//! lifetime renewed) by every `/gettoken` while it is valid, replaced by a fresh one once it has
//! expired by time or by the configured number of calls. Expired tokens stay known, so using one
//! answers "expired" (42001) rather than "invalid" (40014).

use std::collections::HashMap;
use std::time::Duration;

use tokio::time::Instant;

use crate::rng::SimRng;

/// A token's state.
#[derive(Debug)]
struct Token {
    expires_at: Instant,
    calls: u64,
}

impl Token {
    fn expired(&self, now: Instant, max_calls: Option<u64>) -> bool {
        now >= self.expires_at || max_calls.is_some_and(|max| self.calls >= max)
    }
}

/// What a presented token turned out to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TokenCheck {
    /// Valid; the call was counted against it.
    Valid,
    /// Missing or never issued.
    Unknown,
    /// Issued, but expired.
    Expired,
}

/// The tokens issued so far.
#[derive(Debug, Default)]
pub(crate) struct TokenStore {
    tokens: HashMap<String, Token>,
    current: Option<String>,
}

/// A token handed out by `/gettoken`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Issued {
    pub(crate) token: String,
    pub(crate) expires_in: Duration,
    /// True when this is a new token, false when the current one was renewed.
    pub(crate) fresh: bool,
}

impl TokenStore {
    /// The current token renewed for `ttl`, or a new one when there is none or it has expired.
    pub(crate) fn obtain(
        &mut self,
        now: Instant,
        ttl: Duration,
        max_calls: Option<u64>,
        rng: &mut SimRng,
    ) -> Issued {
        if let Some(current) = &self.current {
            if let Some(token) = self.tokens.get_mut(current) {
                if !token.expired(now, max_calls) {
                    token.expires_at = now + ttl;
                    return Issued {
                        token: current.clone(),
                        expires_in: ttl,
                        fresh: false,
                    };
                }
            }
        }
        let token = loop {
            let candidate = format!("{:016x}{:016x}", rng.next_u64(), rng.next_u64());
            if !self.tokens.contains_key(&candidate) {
                break candidate;
            }
        };
        self.tokens.insert(
            token.clone(),
            Token {
                expires_at: now + ttl,
                calls: 0,
            },
        );
        self.current = Some(token.clone());
        Issued {
            token,
            expires_in: ttl,
            fresh: true,
        }
    }

    /// Checks a presented token and, when valid, counts one call against it.
    pub(crate) fn check(
        &mut self,
        token: Option<&str>,
        now: Instant,
        max_calls: Option<u64>,
    ) -> TokenCheck {
        let Some(state) = token.and_then(|t| self.tokens.get_mut(t)) else {
            return TokenCheck::Unknown;
        };
        if state.expired(now, max_calls) {
            return TokenCheck::Expired;
        }
        state.calls += 1;
        TokenCheck::Valid
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_is_renewed_until_it_expires_by_calls() {
        let mut rng = SimRng::new(1);
        let mut store = TokenStore::default();
        let now = Instant::now();
        let ttl = Duration::from_secs(60);
        let first = store.obtain(now, ttl, Some(2), &mut rng);
        assert!(first.fresh);
        assert_eq!(first.token.len(), 32);
        assert!(!store.obtain(now, ttl, Some(2), &mut rng).fresh);
        assert_eq!(
            store.check(Some(&first.token), now, Some(2)),
            TokenCheck::Valid
        );
        assert_eq!(
            store.check(Some(&first.token), now, Some(2)),
            TokenCheck::Valid
        );
        assert_eq!(
            store.check(Some(&first.token), now, Some(2)),
            TokenCheck::Expired
        );
        let second = store.obtain(now, ttl, Some(2), &mut rng);
        assert!(second.fresh);
        assert_ne!(second.token, first.token);
        assert_eq!(store.check(Some("nope"), now, None), TokenCheck::Unknown);
        assert_eq!(store.check(None, now, None), TokenCheck::Unknown);
    }

    #[test]
    fn a_token_expires_after_its_ttl_and_renewal_extends_it() {
        let mut rng = SimRng::new(1);
        let mut store = TokenStore::default();
        let start = Instant::now();
        let ttl = Duration::from_secs(10);
        let token = store.obtain(start, ttl, None, &mut rng).token;
        let later = start + Duration::from_secs(8);
        assert_eq!(store.obtain(later, ttl, None, &mut rng).token, token);
        let after_first_ttl = start + Duration::from_secs(15);
        assert_eq!(
            store.check(Some(&token), after_first_ttl, None),
            TokenCheck::Valid
        );
        let after_renewed_ttl = start + Duration::from_secs(18);
        assert_eq!(
            store.check(Some(&token), after_renewed_ttl, None),
            TokenCheck::Expired
        );
    }
}
