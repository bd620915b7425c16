//! The access token, cached until shortly before it expires and refreshed by exactly one caller
//! at a time: concurrent calls that find it stale wait for that one refresh (no refresh storm).
//! [`TokenCache::fresh`] reads it without waiting, so a call can take its token at the last
//! moment — once the rate limiter has let it go — rather than carry one that expires while it
//! queues.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use parking_lot::{Mutex, MutexGuard};
use ring::hmac;
use ring::rand::SystemRandom;
use tokio::time::Instant;

/// How long before expiry a token is replaced (capped at a tenth of its lifetime).
const REFRESH_MARGIN: Duration = Duration::from_secs(300);

struct CachedToken {
    value: Arc<str>,
    refresh_at: Instant,
}

/// A single-flight cache of an app's access token.
#[derive(Default)]
pub struct TokenCache {
    /// The token; locked only for a read or a swap, never across an `.await`.
    current: Mutex<Option<CachedToken>>,
    /// Held by the one caller that refreshes.
    refresh: tokio::sync::Mutex<()>,
}

impl TokenCache {
    /// The cache shared by every client of one app (`key` names the endpoint and app), so a
    /// token outlives one sync run: the next run reuses it instead of spending a call.
    pub fn shared(key: &str) -> Arc<TokenCache> {
        static SHARED: OnceLock<Mutex<HashMap<String, Arc<TokenCache>>>> = OnceLock::new();
        let mut caches = SHARED.get_or_init(Default::default).lock();
        caches.entry(key.to_owned()).or_default().clone()
    }

    /// The cache of one app's token, shared by every client of that app and those credentials
    /// in this process: the next run reuses a live token instead of spending a call, and a
    /// changed (possibly wrong) secret never borrows the token the old one earned. The secret
    /// only enters the key as a keyed fingerprint (see `fingerprint`).
    pub fn for_app(endpoint: &str, app: &str, secret: &str) -> Arc<TokenCache> {
        Self::shared(&format!("{endpoint}#{app}#{}", fingerprint(secret)))
    }

    /// The cached token, or a fresh one from `fetch` (which returns the token and its lifetime).
    /// Callers arriving during a refresh wait for it instead of starting their own.
    pub async fn get<E, F, Fut>(&self, fetch: F) -> Result<Arc<str>, E>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<(String, Duration), E>>,
    {
        if let Some(token) = self.fresh() {
            return Ok(token);
        }
        let _refreshing = self.refresh.lock().await;
        // Whoever held the lock before may have refreshed already.
        if let Some(token) = self.fresh() {
            return Ok(token);
        }
        let (value, lifetime) = fetch().await?;
        let margin = REFRESH_MARGIN.min(lifetime / 10);
        let token = CachedToken {
            value: Arc::from(value),
            refresh_at: Instant::now() + lifetime.saturating_sub(margin),
        };
        let value = token.value.clone();
        *self.lock() = Some(token);
        Ok(value)
    }

    /// The cached token if it is still fresh, without waiting; `None` when it must be fetched.
    pub fn fresh(&self) -> Option<Arc<str>> {
        self.lock()
            .as_ref()
            .filter(|token| Instant::now() < token.refresh_at)
            .map(|token| token.value.clone())
    }

    /// Drops `stale` after the remote refused it, unless another caller already replaced it.
    pub async fn invalidate(&self, stale: &str) {
        let mut current = self.lock();
        if current.as_ref().is_some_and(|token| &*token.value == stale) {
            *current = None;
        }
    }

    fn lock(&self) -> MutexGuard<'_, Option<CachedToken>> {
        self.current.lock()
    }
}

/// A fingerprint of a secret, to key caches without keeping the secret as a key: an HMAC-SHA256
/// under a key drawn at random once per process, so the fingerprint (which may show up in a
/// debugger or a heap dump) cannot be tested against guessed secrets without that key.
fn fingerprint(secret: &str) -> String {
    static KEY: OnceLock<Option<hmac::Key>> = OnceLock::new();
    let key = KEY.get_or_init(|| hmac::Key::generate(hmac::HMAC_SHA256, &SystemRandom::new()).ok());
    match key {
        Some(key) => fingerprint_with(key, secret),
        // No system randomness: no cache shared by secret, rather than a guessable key.
        None => format!("unshared-{:p}", secret.as_ptr()),
    }
}

fn fingerprint_with(key: &hmac::Key, secret: &str) -> String {
    hmac::sign(key, secret.as_bytes())
        .as_ref()
        .iter()
        .take(16)
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};

    #[test]
    fn the_secret_fingerprint_is_keyed_stable_and_tells_secrets_apart() {
        assert_eq!(fingerprint("app-secret-1"), fingerprint("app-secret-1"));
        assert_ne!(fingerprint("app-secret-1"), fingerprint("app-secret-2"));
        assert!(!fingerprint("app-secret-1").contains("secret"));
        let rng = SystemRandom::new();
        let one = hmac::Key::generate(hmac::HMAC_SHA256, &rng).expect("key");
        let other = hmac::Key::generate(hmac::HMAC_SHA256, &rng).expect("key");
        assert_ne!(
            fingerprint_with(&one, "app-secret-1"),
            fingerprint_with(&other, "app-secret-1"),
            "without the key, a fingerprint cannot be recomputed from a guessed secret"
        );
    }

    #[test]
    fn a_changed_secret_gets_its_own_token_cache() {
        let first = TokenCache::for_app("http://t.test", "app", "secret-one");
        let again = TokenCache::for_app("http://t.test", "app", "secret-one");
        let changed = TokenCache::for_app("http://t.test", "app", "secret-two");
        assert!(Arc::ptr_eq(&first, &again));
        assert!(!Arc::ptr_eq(&first, &changed));
    }

    #[tokio::test]
    async fn concurrent_callers_share_one_refresh() {
        let cache = Arc::new(TokenCache::default());
        let fetches = Arc::new(AtomicU32::new(0));
        let mut handles = Vec::new();
        for _ in 0..20 {
            let cache = cache.clone();
            let fetches = fetches.clone();
            handles.push(tokio::spawn(async move {
                cache
                    .get(|| async {
                        fetches.fetch_add(1, Ordering::SeqCst);
                        tokio::time::sleep(Duration::from_millis(20)).await;
                        Ok::<_, ()>(("t1".to_owned(), Duration::from_secs(7200)))
                    })
                    .await
            }));
        }
        for handle in handles {
            assert_eq!(&*handle.await.expect("task").expect("token"), "t1");
        }
        assert_eq!(fetches.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn invalidate_only_drops_the_stale_token() {
        let cache = TokenCache::default();
        let fresh = |v: &'static str| {
            move || async move { Ok::<_, ()>((v.to_owned(), Duration::from_secs(7200))) }
        };
        assert_eq!(&*cache.get(fresh("t1")).await.expect("t1"), "t1");
        cache.invalidate("t0").await;
        assert_eq!(&*cache.get(fresh("t2")).await.expect("kept"), "t1");
        cache.invalidate("t1").await;
        assert_eq!(&*cache.get(fresh("t2")).await.expect("t2"), "t2");
    }

    #[tokio::test]
    async fn fresh_reads_without_fetching_and_is_none_once_invalidated() {
        let cache = TokenCache::default();
        assert!(cache.fresh().is_none());
        let token = cache
            .get(|| async { Ok::<_, ()>(("t1".to_owned(), Duration::from_secs(7200))) })
            .await
            .expect("t1");
        assert_eq!(cache.fresh().as_deref(), Some(&*token));
        cache.invalidate("t1").await;
        assert!(cache.fresh().is_none());
    }
}
