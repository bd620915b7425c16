//! Tenant access tokens as Lark hands them out: the current token again (with its remaining
//! lifetime) while it has at least 30 minutes left, a new one after that, the old one still
//! valid until it expires. Expired and unknown tokens are both refused with 99991663.

use std::collections::HashMap;
use std::time::Duration;

use tokio::time::Instant;

use crate::rng::SimRng;

/// A token with less than this left is replaced on the next request.
const RENEW_WINDOW: Duration = Duration::from_secs(30 * 60);

#[derive(Debug)]
struct Token {
    expires_at: Instant,
    calls: u64,
}

/// What a presented token turned out to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TokenCheck {
    /// Valid; the call was counted against it.
    Valid,
    /// Never issued.
    Unknown,
    /// Issued, but expired (by time or by calls).
    Expired,
}

/// A token handed out, with its remaining lifetime.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Issued {
    pub(crate) token: String,
    pub(crate) expire: Duration,
    /// True for a new token, false for the current one handed out again.
    pub(crate) fresh: bool,
}

/// The tokens issued so far.
#[derive(Debug, Default)]
pub(crate) struct TokenStore {
    tokens: HashMap<String, Token>,
    current: Option<String>,
}

impl TokenStore {
    /// The current token while it has at least 30 minutes (and, with `max_calls`, calls) left,
    /// else a new one for `ttl`.
    pub(crate) fn obtain(
        &mut self,
        now: Instant,
        ttl: Duration,
        max_calls: Option<u64>,
        rng: &mut SimRng,
    ) -> Issued {
        if let Some(current) = &self.current {
            if let Some(token) = self.tokens.get(current) {
                let left = token.expires_at.saturating_duration_since(now);
                let used_up = max_calls.is_some_and(|max| token.calls >= max);
                if left >= RENEW_WINDOW && !used_up {
                    return Issued {
                        token: current.clone(),
                        expire: left,
                        fresh: false,
                    };
                }
            }
        }
        let token = format!("t-{}", rng.hex32());
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
            expire: ttl,
            fresh: true,
        }
    }

    /// Checks a presented token and counts the call against a valid one.
    pub(crate) fn check(
        &mut self,
        token: &str,
        now: Instant,
        max_calls: Option<u64>,
    ) -> TokenCheck {
        let Some(state) = self.tokens.get_mut(token) else {
            return TokenCheck::Unknown;
        };
        if now >= state.expires_at || max_calls.is_some_and(|max| state.calls >= max) {
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
    fn the_token_is_kept_until_its_last_half_hour_and_the_old_one_stays_valid() {
        let mut rng = SimRng::new(1);
        let mut store = TokenStore::default();
        let start = Instant::now();
        let ttl = Duration::from_secs(7200);
        let first = store.obtain(start, ttl, None, &mut rng);
        assert!(first.fresh && first.token.starts_with("t-"));
        let later = start + Duration::from_secs(3600);
        let again = store.obtain(later, ttl, None, &mut rng);
        assert_eq!(
            (again.token.as_str(), again.fresh),
            (first.token.as_str(), false)
        );
        assert_eq!(again.expire, Duration::from_secs(3600));
        let late = start + Duration::from_secs(6000);
        let second = store.obtain(late, ttl, None, &mut rng);
        assert!(second.fresh && second.token != first.token);
        assert_eq!(store.check(&first.token, late, None), TokenCheck::Valid);
        assert_eq!(
            store.check(&first.token, start + ttl, None),
            TokenCheck::Expired
        );
        assert_eq!(store.check("t-unknown", late, None), TokenCheck::Unknown);
    }

    #[test]
    fn a_token_can_expire_after_a_number_of_calls() {
        let mut rng = SimRng::new(1);
        let mut store = TokenStore::default();
        let now = Instant::now();
        let ttl = Duration::from_secs(7200);
        let token = store.obtain(now, ttl, Some(1), &mut rng).token;
        assert_eq!(store.check(&token, now, Some(1)), TokenCheck::Valid);
        assert_eq!(store.check(&token, now, Some(1)), TokenCheck::Expired);
        let next = store.obtain(now, ttl, Some(1), &mut rng);
        assert!(next.fresh && next.token != token);
    }
}
