//! The state one running simulator shares between its requests and its owner: the indexed org
//! snapshot, the current faults and their random generator, issued tokens, the rate window and the
//! statistics. Each piece has its own short-lived lock; no lock is held across an `.await`.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use parking_lot::{Mutex, RwLock};
use tokio::time::Instant;

use crate::credentials::Credentials;
use crate::directory::Directory;
use crate::faults::Faults;
use crate::limiter::RateWindow;
use crate::org::Org;
use crate::rng::{mix64, SimRng};
use crate::stats::StatsRecorder;
use crate::tokens::{Issued, TokenCheck, TokenStore};

/// Everything a running simulator shares.
#[derive(Debug)]
pub(crate) struct Shared {
    credentials: Credentials,
    directory: RwLock<Arc<Directory>>,
    /// Serializes org edits so two concurrent `update_org` calls cannot lose one another's change.
    org_edit: Mutex<()>,
    faults: RwLock<Arc<Faults>>,
    rng: Mutex<SimRng>,
    tokens: Mutex<TokenStore>,
    rate: Mutex<RateWindow>,
    stats: StatsRecorder,
    request_seq: AtomicU64,
}

impl Shared {
    pub(crate) fn new(org: Org, credentials: Credentials, faults: Faults) -> Shared {
        Shared {
            credentials,
            directory: RwLock::new(Arc::new(Directory::new(org))),
            org_edit: Mutex::new(()),
            rng: Mutex::new(SimRng::new(faults.seed)),
            faults: RwLock::new(Arc::new(faults)),
            tokens: Mutex::new(TokenStore::default()),
            rate: Mutex::new(RateWindow::default()),
            stats: StatsRecorder::default(),
            request_seq: AtomicU64::new(0),
        }
    }

    pub(crate) fn credentials(&self) -> &Credentials {
        &self.credentials
    }

    pub(crate) fn stats(&self) -> &StatsRecorder {
        &self.stats
    }

    /// The faults in force now.
    pub(crate) fn faults(&self) -> Arc<Faults> {
        Arc::clone(&self.faults.read())
    }

    /// Replaces the faults and restarts the random generator from their seed.
    pub(crate) fn set_faults(&self, faults: Faults) {
        *self.rng.lock() = SimRng::new(faults.seed);
        *self.faults.write() = Arc::new(faults);
    }

    /// The org snapshot requests read; requests already running keep the one they started with.
    pub(crate) fn directory(&self) -> Arc<Directory> {
        Arc::clone(&self.directory.read())
    }

    /// Edits the org and re-indexes it.
    pub(crate) fn update_org(&self, edit: impl FnOnce(&mut Org)) {
        let _one_edit_at_a_time = self.org_edit.lock();
        let mut org = self.directory().org().clone();
        edit(&mut org);
        let rebuilt = Arc::new(Directory::new(org));
        *self.directory.write() = rebuilt;
    }

    /// True with probability `rate` (never draws for 0, always true from 1).
    pub(crate) fn roll(&self, rate: f64) -> bool {
        rate > 0.0 && self.rng.lock().chance(rate)
    }

    /// Whether one more call to `path` fits under `limit` calls per second.
    pub(crate) fn admit_rate(&self, path: &'static str, limit: u32) -> bool {
        self.rate.lock().admit(path, limit, Instant::now())
    }

    /// The current token, renewed, or a new one.
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

    /// Checks a presented token, counting the call against it when valid.
    pub(crate) fn check_token(&self, token: Option<&str>, faults: &Faults) -> TokenCheck {
        self.tokens
            .lock()
            .check(token, Instant::now(), faults.token_expires_after_calls)
    }

    /// A fresh `request_id`: 13 lowercase base-36 characters, like DingTalk's.
    pub(crate) fn next_request_id(&self) -> String {
        let seq = self.request_seq.fetch_add(1, Ordering::Relaxed);
        let mut x = mix64(seq.wrapping_add(0x9E37_79B9_7F4A_7C15));
        let mut id = String::with_capacity(13);
        for _ in 0..13 {
            let digit = u32::try_from(x % 36).unwrap_or(0);
            id.push(char::from_digit(digit, 36).unwrap_or('0'));
            x /= 36;
        }
        id
    }
}
