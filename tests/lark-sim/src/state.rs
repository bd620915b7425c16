//! The state a running fake shares between its requests and its owner: the tenant, and the kit's
//! core (faults and their dice, issued tokens, the per-API rate window, the statistics). Each has
//! its own short lock; none is held across an `.await`.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use syncer_sim_kit::{Issued, Reuse, SimCore, Swap, TokenCheck};

use crate::credentials::Credentials;
use crate::faults::Faults;
use crate::org::LarkOrg;
use crate::stats::PageKey;

/// A token with less than this left is replaced on the next request.
const RENEW_WINDOW: Duration = Duration::from_secs(30 * 60);

/// Everything a running fake shares.
#[derive(Debug)]
pub(crate) struct Shared {
    credentials: Credentials,
    org: Swap<LarkOrg>,
    /// Faults, dice, `t-` tokens (kept until their last half hour) and statistics.
    core: SimCore<Faults, PageKey>,
    sequence: AtomicU64,
}

impl Shared {
    pub(crate) fn new(org: LarkOrg, credentials: Credentials, faults: Faults) -> Shared {
        let seed = faults.seed;
        Shared {
            credentials,
            org: Swap::new(org),
            core: SimCore::new(faults, seed, "t-", Reuse::WhileLeft(RENEW_WINDOW)),
            sequence: AtomicU64::new(0),
        }
    }

    pub(crate) fn credentials(&self) -> &Credentials {
        &self.credentials
    }

    pub(crate) fn core(&self) -> &SimCore<Faults, PageKey> {
        &self.core
    }

    pub(crate) fn faults(&self) -> Arc<Faults> {
        self.core.faults()
    }

    pub(crate) fn set_faults(&self, faults: Faults) {
        let seed = faults.seed;
        self.core.set_faults(faults, seed);
    }

    /// The tenant as requests see it now; running requests keep the version they started with.
    pub(crate) fn org(&self) -> Arc<LarkOrg> {
        self.org.get()
    }

    pub(crate) fn update_org(&self, edit: impl FnOnce(&mut LarkOrg)) {
        self.org.update(|current| {
            let mut org = current.clone();
            edit(&mut org);
            org
        });
    }

    pub(crate) fn issue_token(&self, faults: &Faults) -> Issued {
        self.core
            .issue_token(faults.token_ttl, faults.token_expires_after_calls)
    }

    pub(crate) fn check_token(&self, token: &str, faults: &Faults) -> TokenCheck {
        self.core
            .check_token(Some(token), faults.token_expires_after_calls)
    }

    /// A fresh log id for the `x-tt-logid` header and error bodies.
    pub(crate) fn next_log_id(&self) -> String {
        let n = self.sequence.fetch_add(1, Ordering::Relaxed);
        format!("20260101000000{n:010}")
    }
}
