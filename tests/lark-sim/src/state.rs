//! The state a running fake shares between its requests and its owner: the tenant, the faults
//! and their random generator, issued tokens, the per-API rate window and the statistics. Each
//! has its own short lock; none is held across an `.await`.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use parking_lot::{Mutex, RwLock};
use tokio::time::Instant;

use crate::credentials::Credentials;
use crate::faults::Faults;
use crate::org::LarkOrg;
use crate::rng::SimRng;
use crate::stats::StatsRecorder;
use crate::tokens::{Issued, TokenCheck, TokenStore};

/// Everything a running fake shares.
#[derive(Debug)]
pub(crate) struct Shared {
    credentials: Credentials,
    org: RwLock<Arc<LarkOrg>>,
    faults: RwLock<Arc<Faults>>,
    rng: Mutex<SimRng>,
    tokens: Mutex<TokenStore>,
    /// Accepted calls per API in the last second.
    rate: Mutex<HashMap<&'static str, VecDeque<Instant>>>,
    stats: StatsRecorder,
    sequence: AtomicU64,
}

impl Shared {
    pub(crate) fn new(org: LarkOrg, credentials: Credentials, faults: Faults) -> Shared {
        Shared {
            credentials,
            org: RwLock::new(Arc::new(org)),
            rng: Mutex::new(SimRng::new(faults.seed)),
            faults: RwLock::new(Arc::new(faults)),
            tokens: Mutex::new(TokenStore::default()),
            rate: Mutex::new(HashMap::new()),
            stats: StatsRecorder::default(),
            sequence: AtomicU64::new(0),
        }
    }

    pub(crate) fn credentials(&self) -> &Credentials {
        &self.credentials
    }

    pub(crate) fn stats(&self) -> &StatsRecorder {
        &self.stats
    }

    pub(crate) fn faults(&self) -> Arc<Faults> {
        Arc::clone(&self.faults.read())
    }

    pub(crate) fn set_faults(&self, faults: Faults) {
        *self.rng.lock() = SimRng::new(faults.seed);
        *self.faults.write() = Arc::new(faults);
    }

    /// The tenant as requests see it now; running requests keep the version they started with.
    pub(crate) fn org(&self) -> Arc<LarkOrg> {
        Arc::clone(&self.org.read())
    }

    pub(crate) fn update_org(&self, edit: impl FnOnce(&mut LarkOrg)) {
        let mut org = self.org.write();
        edit(Arc::make_mut(&mut org));
    }

    /// True with probability `rate`.
    pub(crate) fn roll(&self, rate: f64) -> bool {
        rate > 0.0 && self.rng.lock().chance(rate)
    }

    /// Whether one more call to `path` fits under `limit` calls in the last second.
    pub(crate) fn admit_rate(&self, path: &'static str, limit: u32) -> bool {
        let now = Instant::now();
        let mut rate = self.rate.lock();
        let calls = rate.entry(path).or_default();
        while calls
            .front()
            .is_some_and(|at| now.saturating_duration_since(*at) >= Duration::from_secs(1))
        {
            calls.pop_front();
        }
        if calls.len() < limit as usize {
            calls.push_back(now);
            true
        } else {
            false
        }
    }

    pub(crate) fn issue_token(&self, faults: &Faults) -> Issued {
        let issued = {
            let mut rng = self.rng.lock();
            self.tokens.lock().obtain(
                Instant::now(),
                faults.token_ttl,
                faults.token_expires_after_calls,
                &mut rng,
            )
        };
        if issued.fresh {
            self.stats.token_issued();
        }
        issued
    }

    pub(crate) fn check_token(&self, token: &str, faults: &Faults) -> TokenCheck {
        self.tokens
            .lock()
            .check(token, Instant::now(), faults.token_expires_after_calls)
    }

    /// A fresh log id for the `x-tt-logid` header and error bodies.
    pub(crate) fn next_log_id(&self) -> String {
        let n = self.sequence.fetch_add(1, Ordering::Relaxed);
        format!("20260101000000{n:010}")
    }
}
