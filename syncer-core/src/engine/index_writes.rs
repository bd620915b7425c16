//! Keeping the account index ([`crate::AccountIndex`]) true to IAM across a writer's writes: a
//! plan says which indexed accounts its writes change (or, planned on the whole listing, what
//! the whole index becomes); the index is opened before the first such write and settled only
//! once every one of them has landed. A writer that fails, stops or dies in between leaves the
//! index unusable, so the next batch reads the whole listing instead of trusting it.

use std::collections::{BTreeMap, HashMap, HashSet};

use super::apply::Applied;
use super::vocabulary::{OperationKind, Plan};
use crate::account_index::{AccountIndex, IndexError, IndexTicket, IndexUpdate, IndexedAccount};
use crate::user::IamUser;

/// What a plan's writes make of the index.
pub(super) struct IndexWrites {
    /// The accounts the writes change, by name: as they will be, or `None` once deleted.
    changes: Vec<(String, Option<IndexedAccount>)>,
    /// The subjects (as reports name them) of the writes behind `changes`.
    subjects: HashSet<String>,
    /// Every managed account of the listing, when the plan was made on the whole listing
    /// (the index is then replaced, and so made usable again, whatever it held).
    base: Option<Vec<IndexedAccount>>,
    /// How many writes the plan sends.
    operations: usize,
}

impl IndexWrites {
    /// What `plan`'s writes make of the index of the syncer called `me`; `whole` when the
    /// plan was made on the whole listing.
    pub(super) fn of(plan: &Plan, whole: bool, me: &str) -> Self {
        let before: HashMap<&str, &IamUser> = plan
            .listed_users
            .iter()
            .map(|user| (user.name.as_str(), user))
            .collect();
        let mut changes = Vec::new();
        let mut subjects = HashSet::new();
        for op in &plan.operations {
            let after = match op.kind {
                OperationKind::Delete => None,
                _ => IndexedAccount::of(&op.user, me),
            };
            let was = before
                .get(op.user.name.as_str())
                .and_then(|user| IndexedAccount::of(user, me));
            if after != was {
                changes.push((op.user.name.to_string(), after));
                subjects.insert(op.subject());
            }
        }
        Self {
            changes,
            subjects,
            base: whole.then(|| IndexedAccount::all_of(&plan.listed_users, me)),
            operations: plan.operations.len(),
        }
    }

    /// Whether the index must be opened before the writes.
    fn needed(&self) -> bool {
        self.base.is_some() || !self.changes.is_empty()
    }

    /// Whether every write that changes the index landed: all writes were sent, and none of
    /// those failed.
    fn landed(&self, applied: &Applied) -> bool {
        let sent = usize::try_from(applied.writes + applied.withheld).unwrap_or(usize::MAX);
        sent == self.operations
            && !applied.failures.iter().any(|failure| {
                failure
                    .user
                    .as_ref()
                    .is_some_and(|user| self.subjects.contains(user))
            })
    }

    fn update(self) -> IndexUpdate {
        match self.base {
            None => IndexUpdate::Changes(self.changes),
            Some(base) => {
                let mut accounts: BTreeMap<String, IndexedAccount> = base
                    .into_iter()
                    .map(|account| (account.name.clone(), account))
                    .collect();
                for (name, account) in self.changes {
                    match account {
                        Some(account) => accounts.insert(name, account),
                        None => accounts.remove(&name),
                    };
                }
                IndexUpdate::Replace(accounts.into_values().collect())
            }
        }
    }
}

/// An opened index, to settle after the writes.
pub(super) struct Opened {
    ticket: Option<IndexTicket>,
    writes: IndexWrites,
}

/// Opens `index` when `writes` change it (nothing is read or written otherwise).
pub(super) async fn open(
    index: &dyn AccountIndex,
    writes: IndexWrites,
) -> Result<Opened, IndexError> {
    let ticket = if writes.needed() {
        Some(index.open().await?)
    } else {
        None
    };
    Ok(Opened { ticket, writes })
}

/// Settles `opened` once the writes are done, if every one that changes the index landed;
/// otherwise the index stays unusable until a whole listing replaces it.
pub(super) async fn settle(index: &dyn AccountIndex, opened: Opened, applied: &Applied) {
    let Some(ticket) = opened.ticket else {
        return;
    };
    if !opened.writes.landed(applied) {
        tracing::info!(
            "the account index waits for a whole listing: not every write it lists landed"
        );
        return;
    }
    match index.settle(ticket, opened.writes.update()).await {
        Ok(true) => {}
        Ok(false) => {
            tracing::info!("the account index was opened by another writer since: it waits for a whole listing");
        }
        Err(error) => {
            tracing::warn!(%error, "the account index was not settled: the next batch that needs it reads the whole listing");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::account_index::MemoryIndex;
    use crate::engine::ownership;
    use crate::engine::vocabulary::{Operation, ReportError};

    fn hire() -> Plan {
        let mut user = IamUser {
            name: "unew".into(),
            ..IamUser::default()
        };
        ownership::mark_managed(&mut user, "dt", "new");
        Plan {
            operations: vec![Operation {
                kind: OperationKind::Create,
                user: Box::new(user),
                columns: Vec::new(),
                source_id: Some("new".into()),
                phase: 0,
            }],
            ..Plan::default()
        }
    }

    fn sent(failed: Option<&str>) -> Applied {
        Applied {
            writes: 1,
            failures: failed
                .map(|user| ReportError {
                    user: Some(user.into()),
                    api: Some("add-user".into()),
                    message: "refused".into(),
                })
                .into_iter()
                .collect(),
            ..Applied::default()
        }
    }

    #[tokio::test]
    async fn the_index_is_settled_only_when_the_writes_it_lists_landed() {
        for (applied, usable) in [
            (sent(None), true),
            (sent(Some("new")), false),
            (sent(Some("someone else")), true),
            (Applied::default(), false),
        ] {
            let index = MemoryIndex::default();
            let opened = open(&index, IndexWrites::of(&hire(), false, "dt"))
                .await
                .expect("open");
            assert!(!index.is_usable(), "open until settled");
            settle(&index, opened, &applied).await;
            assert_eq!(index.is_usable(), usable, "{applied:?}");
        }
    }

    #[tokio::test]
    async fn a_writer_whose_ticket_is_not_the_newest_leaves_the_index_unusable() {
        let index = MemoryIndex::default();
        let first = open(&index, IndexWrites::of(&hire(), false, "dt"))
            .await
            .expect("open");
        let _second = index.open().await.expect("a second writer opens it");
        settle(&index, first, &sent(None)).await;
        assert!(!index.is_usable());
        assert!(index.accounts().is_empty(), "nothing stored");
    }

    #[test]
    fn a_write_that_changes_no_indexed_account_needs_no_index_write() {
        let mut plan = hire();
        plan.listed_users = vec![(*plan.operations[0].user).clone()];
        plan.operations[0].kind = OperationKind::Update;
        assert!(!IndexWrites::of(&plan, false, "dt").needed());
        assert!(IndexWrites::of(&hire(), false, "dt").needed());
    }
}
