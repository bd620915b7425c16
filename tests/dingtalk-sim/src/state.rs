//! The state one running simulator shares between its requests and its owner: the indexed org
//! snapshot, and the kit's core (faults and their dice, issued tokens, the rate window, the
//! statistics). Each piece has its own short-lived lock; no lock is held across an `.await`.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use syncer_sim_kit::{mix64, Issued, Reuse, SimCore, Swap, TokenCheck};

use crate::credentials::Credentials;
use crate::directory::Directory;
use crate::faults::Faults;
use crate::org::Org;
use crate::stats::PageKey;

/// Everything a running simulator shares.
#[derive(Debug)]
pub(crate) struct Shared {
    credentials: Credentials,
    directory: Swap<Directory>,
    /// Faults, dice, tokens (32 hex digits, renewed on every `/gettoken`) and statistics.
    core: SimCore<Faults, PageKey>,
    request_seq: AtomicU64,
}

impl Shared {
    pub(crate) fn new(org: Org, credentials: Credentials, faults: Faults) -> Shared {
        Shared {
            credentials,
            directory: Swap::new(Directory::new(org)),
            core: SimCore::new(faults.clone(), faults.seed, "", Reuse::Renew),
            request_seq: AtomicU64::new(0),
        }
    }

    pub(crate) fn credentials(&self) -> &Credentials {
        &self.credentials
    }

    pub(crate) fn core(&self) -> &SimCore<Faults, PageKey> {
        &self.core
    }

    /// The faults in force now.
    pub(crate) fn faults(&self) -> Arc<Faults> {
        self.core.faults()
    }

    /// Replaces the faults and restarts the random generator from their seed.
    pub(crate) fn set_faults(&self, faults: Faults) {
        let seed = faults.seed;
        self.core.set_faults(faults, seed);
    }

    /// The org snapshot requests read; requests already running keep the one they started with.
    pub(crate) fn directory(&self) -> Arc<Directory> {
        self.directory.get()
    }

    /// Edits the org and re-indexes it.
    pub(crate) fn update_org(&self, edit: impl FnOnce(&mut Org)) {
        self.directory.update(|current| {
            let mut org = current.org().clone();
            edit(&mut org);
            Directory::new(org)
        });
    }

    /// The current token, renewed, or a new one.
    pub(crate) fn issue_token(&self, faults: &Faults) -> Issued {
        self.core
            .issue_token(faults.token_ttl, faults.token_expires_after_calls)
    }

    /// Checks a presented token, counting the call against it when valid.
    pub(crate) fn check_token(&self, token: Option<&str>, faults: &Faults) -> TokenCheck {
        self.core
            .check_token(token, faults.token_expires_after_calls)
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
