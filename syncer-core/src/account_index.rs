//! The account index contract: what a host keeps, per syncer, of the IAM accounts the syncer
//! manages (every account carrying its mark: IAM name, source id, whether it may sign in), so
//! that a batch of change events finds a hire's or a leaver's own account by name and counts
//! the managed users for the guard without reading the whole IAM listing.
//!
//! The index is a copy of what IAM holds, and a copy can be stale. It is only as good as the
//! last write that went through the syncer, so its use follows one protocol:
//!
//! - a whole listing (a full sync, or a batch that read it) replaces it ([`IndexUpdate::Replace`]);
//!   a batch planned on the index changes the accounts it wrote ([`IndexUpdate::Changes`]);
//! - before the first write that would change it, the writer [`AccountIndex::open`]s it: from
//!   then on it is not usable ([`AccountIndex::read`] answers `None`) until the same writer
//!   [`AccountIndex::settle`]s it with the ticket `open` gave. A writer that dies in between,
//!   whose writes did not all land, or whose ticket is no longer the newest (another writer
//!   opened the index since) leaves it unusable, and the next batch reads the whole listing,
//!   which replaces it again.
//!
//! This module knows no storage; the host keeps the index beside its other state.

use parking_lot::{Mutex, MutexGuard};
use std::collections::{BTreeMap, BTreeSet};

use async_trait::async_trait;

use crate::engine::ownership::{self, Owner};
use crate::user::IamUser;

/// One IAM account a syncer manages, as the index keeps it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IndexedAccount {
    /// The IAM user name (unique in the organization).
    pub name: String,
    /// The source id of the syncer's mark (empty when the mark has none).
    pub source_id: String,
    /// Whether the guard counts it: neither forbidden nor deleted.
    pub active: bool,
}

impl IndexedAccount {
    /// The index's record of `user`, when the syncer called `me` manages it.
    pub fn of(user: &IamUser, me: &str) -> Option<Self> {
        (ownership::owner_of(user, me) == Owner::Me).then(|| Self {
            name: user.name.to_string(),
            source_id: user
                .properties
                .get(ownership::SOURCE_ID)
                .unwrap_or_default()
                .to_owned(),
            active: !user.is_forbidden && !user.is_deleted,
        })
    }

    /// Every account of `users` the syncer called `me` manages.
    pub fn all_of(users: &[IamUser], me: &str) -> Vec<Self> {
        users.iter().filter_map(|user| Self::of(user, me)).collect()
    }
}

/// What a batch reads of a usable index.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IndexView {
    /// The accounts marked with one of the source ids asked for (several when IAM holds more
    /// than one account with the same mark).
    pub accounts: Vec<IndexedAccount>,
    /// How many accounts the syncer manages that may sign in (the guard's base).
    pub managed: usize,
}

/// What a writer stores once its writes have landed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum IndexUpdate {
    /// Every account the syncer manages, from a whole listing with the writes made on it.
    Replace(Vec<IndexedAccount>),
    /// The accounts written, by IAM name: as they are now, or `None` once deleted.
    Changes(Vec<(String, Option<IndexedAccount>)>),
}

/// Proof of an [`AccountIndex::open`]: only its holder settles the index, and only while no
/// other writer opened it since.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IndexTicket(pub i64);

/// The index could not be read or written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the account index at {location} could not be read or written: {message}")]
pub struct IndexError {
    /// Where it is kept (never a URL with its password).
    pub location: String,
    /// What failed.
    pub message: String,
}

/// Where a host keeps one syncer's account index.
#[async_trait]
pub trait AccountIndex: Send + Sync {
    /// The accounts marked with one of `source_ids` and the managed count, or `None` when the
    /// index is not usable (never written, or opened and not settled since).
    async fn read(&self, source_ids: &BTreeSet<String>) -> Result<Option<IndexView>, IndexError>;

    /// Makes the index unusable until [`Self::settle`] with the ticket returned: called before
    /// the first write that would change it.
    async fn open(&self) -> Result<IndexTicket, IndexError>;

    /// Stores `update` and makes the index usable again, if `ticket` is still the newest
    /// opening; otherwise leaves it as it is (unusable). Returns whether it was stored.
    async fn settle(&self, ticket: IndexTicket, update: IndexUpdate) -> Result<bool, IndexError>;
}

/// No index: every batch that needs one reads the whole listing.
pub struct NoIndex;

#[async_trait]
impl AccountIndex for NoIndex {
    async fn read(&self, _: &BTreeSet<String>) -> Result<Option<IndexView>, IndexError> {
        Ok(None)
    }

    async fn open(&self) -> Result<IndexTicket, IndexError> {
        Ok(IndexTicket(0))
    }

    async fn settle(&self, _: IndexTicket, _: IndexUpdate) -> Result<bool, IndexError> {
        Ok(false)
    }
}

/// An index in memory, for one process (and for tests): the protocol of the module, nothing
/// kept across a restart.
#[derive(Default)]
pub struct MemoryIndex(Mutex<MemoryState>);

#[derive(Default)]
struct MemoryState {
    accounts: BTreeMap<String, IndexedAccount>,
    generation: i64,
    usable: bool,
}

impl MemoryIndex {
    /// Its state.
    fn state(&self) -> MutexGuard<'_, MemoryState> {
        self.0.lock()
    }

    /// Whether the index is usable now.
    pub fn is_usable(&self) -> bool {
        self.state().usable
    }

    /// Every account it holds, by name.
    pub fn accounts(&self) -> Vec<IndexedAccount> {
        self.state().accounts.values().cloned().collect()
    }
}

#[async_trait]
impl AccountIndex for MemoryIndex {
    async fn read(&self, source_ids: &BTreeSet<String>) -> Result<Option<IndexView>, IndexError> {
        let state = self.state();
        if !state.usable {
            return Ok(None);
        }
        Ok(Some(IndexView {
            accounts: state
                .accounts
                .values()
                .filter(|account| source_ids.contains(&account.source_id))
                .cloned()
                .collect(),
            managed: state.accounts.values().filter(|a| a.active).count(),
        }))
    }

    async fn open(&self) -> Result<IndexTicket, IndexError> {
        let mut state = self.state();
        state.generation += 1;
        state.usable = false;
        Ok(IndexTicket(state.generation))
    }

    async fn settle(&self, ticket: IndexTicket, update: IndexUpdate) -> Result<bool, IndexError> {
        let mut state = self.state();
        if ticket.0 != state.generation {
            return Ok(false);
        }
        match update {
            IndexUpdate::Replace(accounts) => {
                state.accounts = accounts.into_iter().map(|a| (a.name.clone(), a)).collect();
            }
            IndexUpdate::Changes(changes) => {
                for (name, account) in changes {
                    match account {
                        Some(account) => state.accounts.insert(name, account),
                        None => state.accounts.remove(&name),
                    };
                }
            }
        }
        state.usable = true;
        Ok(true)
    }
}
