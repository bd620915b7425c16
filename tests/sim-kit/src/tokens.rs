//! Access tokens as directory APIs hand them out: one current token per app, handed out again
//! while it is good (DingTalk renews its lifetime on every fetch; Lark keeps it until its last
//! half hour), replaced by a fresh one once it has expired by time or by the configured number
//! of calls. Old tokens stay known until they expire, so using one can answer "expired" rather
//! than "invalid".

use std::collections::HashMap;
use std::time::Duration;

use tokio::time::Instant;

use crate::rng::SimRng;

/// When a fetch hands out the current token again instead of a fresh one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reuse {
    /// While it is valid; the fetch renews its lifetime to the full ttl (DingTalk).
    Renew,
    /// While it has at least this much lifetime left, which the fetch does not extend (Lark).
    WhileLeft(Duration),
}

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
pub enum TokenCheck {
    /// Valid; the call was counted against it.
    Valid,
    /// Missing or never issued.
    Unknown,
    /// Issued, but expired (by time or by calls).
    Expired,
}

/// A token handed out by a token endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issued {
    /// The token string.
    pub token: String,
    /// How long it stays valid from now.
    pub lifetime: Duration,
    /// True for a new token, false for the current one handed out again.
    pub fresh: bool,
}

/// The tokens issued so far.
#[derive(Debug)]
pub struct TokenStore {
    prefix: &'static str,
    reuse: Reuse,
    tokens: HashMap<String, Token>,
    current: Option<String>,
}

impl TokenStore {
    /// A store whose tokens are `prefix` and 32 hex digits, reused as `reuse` says.
    pub fn new(prefix: &'static str, reuse: Reuse) -> TokenStore {
        TokenStore {
            prefix,
            reuse,
            tokens: HashMap::new(),
            current: None,
        }
    }

    /// The current token when it may be handed out again, or a new one valid for `ttl`.
    pub fn obtain(
        &mut self,
        now: Instant,
        ttl: Duration,
        max_calls: Option<u64>,
        rng: &mut SimRng,
    ) -> Issued {
        if let Some(again) = self.reuse_current(now, ttl, max_calls) {
            return again;
        }
        let token = loop {
            let candidate = format!("{}{}", self.prefix, rng.hex32());
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
            lifetime: ttl,
            fresh: true,
        }
    }

    fn reuse_current(
        &mut self,
        now: Instant,
        ttl: Duration,
        max_calls: Option<u64>,
    ) -> Option<Issued> {
        let current = self.current.as_ref()?;
        let token = self.tokens.get_mut(current)?;
        if token.expired(now, max_calls) {
            return None;
        }
        let lifetime = match self.reuse {
            Reuse::Renew => {
                token.expires_at = now + ttl;
                ttl
            }
            Reuse::WhileLeft(least) => {
                let left = token.expires_at.saturating_duration_since(now);
                if left < least {
                    return None;
                }
                left
            }
        };
        Some(Issued {
            token: current.clone(),
            lifetime,
            fresh: false,
        })
    }

    /// Checks a presented token and, when valid, counts one call against it.
    pub fn check(
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
    fn a_renewed_token_lives_until_it_expires_by_calls() {
        let mut rng = SimRng::new(1);
        let mut store = TokenStore::new("", Reuse::Renew);
        let now = Instant::now();
        let ttl = Duration::from_secs(60);
        let first = store.obtain(now, ttl, Some(2), &mut rng);
        assert!(first.fresh);
        assert_eq!(first.token.len(), 32);
        assert!(!store.obtain(now, ttl, Some(2), &mut rng).fresh);
        let check = |store: &mut TokenStore| store.check(Some(&first.token), now, Some(2));
        assert_eq!(check(&mut store), TokenCheck::Valid);
        assert_eq!(check(&mut store), TokenCheck::Valid);
        assert_eq!(check(&mut store), TokenCheck::Expired);
        let second = store.obtain(now, ttl, Some(2), &mut rng);
        assert!(second.fresh);
        assert_ne!(second.token, first.token);
        assert_eq!(store.check(Some("nope"), now, None), TokenCheck::Unknown);
        assert_eq!(store.check(None, now, None), TokenCheck::Unknown);
    }

    #[test]
    fn renewal_extends_a_token_past_its_first_ttl() {
        let mut rng = SimRng::new(1);
        let mut store = TokenStore::new("", Reuse::Renew);
        let start = Instant::now();
        let ttl = Duration::from_secs(10);
        let token = store.obtain(start, ttl, None, &mut rng).token;
        let later = start + Duration::from_secs(8);
        assert_eq!(store.obtain(later, ttl, None, &mut rng).token, token);
        let check = |store: &mut TokenStore, secs| {
            store.check(Some(&token), start + Duration::from_secs(secs), None)
        };
        assert_eq!(check(&mut store, 15), TokenCheck::Valid);
        assert_eq!(check(&mut store, 18), TokenCheck::Expired);
    }

    #[test]
    fn a_token_reused_while_left_is_replaced_in_its_last_window_and_stays_valid() {
        let mut rng = SimRng::new(1);
        let mut store = TokenStore::new("t-", Reuse::WhileLeft(Duration::from_secs(1800)));
        let start = Instant::now();
        let ttl = Duration::from_secs(7200);
        let first = store.obtain(start, ttl, None, &mut rng);
        assert!(first.fresh && first.token.starts_with("t-"));
        let again = store.obtain(start + Duration::from_secs(3600), ttl, None, &mut rng);
        assert_eq!(
            (again.token.as_str(), again.fresh),
            (first.token.as_str(), false)
        );
        assert_eq!(again.lifetime, Duration::from_secs(3600));
        let late = start + Duration::from_secs(6000);
        let second = store.obtain(late, ttl, None, &mut rng);
        assert!(second.fresh && second.token != first.token);
        assert_eq!(
            store.check(Some(&first.token), late, None),
            TokenCheck::Valid
        );
    }
}
