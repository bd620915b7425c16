//! Where the host keeps each syncer's account index ([`syncer_core::AccountIndex`]): in the
//! SQLite file of `[state] path` (its own tables, its own connection) or in the shared
//! PostgreSQL state. Full runs replace it and event batches change it, both under the syncer's
//! run lock (or lease); the generation in its state row is the ticket that lets only the
//! newest writer settle it. Knows nothing of what the engine decides with it.

use std::collections::BTreeSet;
use std::path::Path;

use async_trait::async_trait;
use rusqlite::{params, Connection, OptionalExtension, Transaction, TransactionBehavior};
use syncer_core::{AccountIndex, IndexError, IndexTicket, IndexUpdate, IndexView, IndexedAccount};

use crate::state::file::{FileError, StateFile};
use crate::state::postgres::PgState;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS account_index (
    syncer TEXT NOT NULL,
    name TEXT NOT NULL,
    source_id TEXT NOT NULL,
    active INTEGER NOT NULL,
    PRIMARY KEY (syncer, name)
);
CREATE INDEX IF NOT EXISTS account_index_by_source ON account_index (syncer, source_id);
CREATE TABLE IF NOT EXISTS account_index_state (
    syncer TEXT PRIMARY KEY,
    generation INTEGER NOT NULL,
    usable INTEGER NOT NULL,
    managed INTEGER NOT NULL
);
";

/// Where the indexes of every syncer of a config live.
#[derive(Clone)]
pub enum IndexStore {
    /// The SQLite file of this machine.
    Sqlite(StateFile),
    /// The shared state of several replicas.
    Postgres(PgState),
}

impl FileError for IndexError {
    fn at(path: &Path, message: String) -> Self {
        IndexError {
            location: path.display().to_string(),
            message,
        }
    }
}

impl IndexStore {
    /// The indexes kept in the SQLite file at `path` (their tables are created if needed).
    pub fn sqlite(path: &Path) -> Result<Self, IndexError> {
        StateFile::open(path, &[SCHEMA]).map(Self::Sqlite)
    }

    /// The indexes kept in the shared state (their tables come with the migrations).
    pub fn postgres(state: PgState) -> Self {
        Self::Postgres(state)
    }

    /// The index of `syncer`.
    pub fn of(&self, syncer: &str) -> SyncerIndex {
        SyncerIndex {
            store: self.clone(),
            syncer: syncer.to_owned(),
        }
    }
}

/// One syncer's index.
pub struct SyncerIndex {
    store: IndexStore,
    syncer: String,
}

/// Runs `work` for `syncer` in one immediate transaction of the state file, on the blocking
/// pool (the file's lock is held throughout, so the transaction is this process's alone).
async fn on_sqlite<T: Send + 'static>(
    file: &StateFile,
    syncer: &str,
    work: impl FnOnce(&Transaction<'_>, &str) -> rusqlite::Result<T> + Send + 'static,
) -> Result<T, IndexError> {
    let syncer = syncer.to_owned();
    file.run(move |db: &Connection| {
        let tx = Transaction::new_unchecked(db, TransactionBehavior::Immediate)?;
        let value = work(&tx, &syncer)?;
        tx.commit()?;
        Ok(value)
    })
    .await
}

fn pg_error(state: &PgState, error: impl std::fmt::Display) -> IndexError {
    IndexError {
        location: state.location().to_owned(),
        message: error.to_string(),
    }
}

#[async_trait]
impl AccountIndex for SyncerIndex {
    async fn read(&self, source_ids: &BTreeSet<String>) -> Result<Option<IndexView>, IndexError> {
        let ids: Vec<String> = source_ids.iter().cloned().collect();
        match &self.store {
            IndexStore::Postgres(state) => state
                .read_account_index(&self.syncer, &ids)
                .await
                .map_err(|e| pg_error(state, e)),
            IndexStore::Sqlite(file) => {
                on_sqlite(file, &self.syncer, move |tx, syncer| {
                    read_sqlite(tx, syncer, &ids)
                })
                .await
            }
        }
    }

    async fn open(&self) -> Result<IndexTicket, IndexError> {
        let file = match &self.store {
            IndexStore::Postgres(state) => {
                return state
                    .open_account_index(&self.syncer)
                    .await
                    .map_err(|e| pg_error(state, e))
            }
            IndexStore::Sqlite(file) => file,
        };
        on_sqlite(file, &self.syncer, |tx, syncer| {
            tx.execute(
                "INSERT INTO account_index_state (syncer, generation, usable, managed)
                 VALUES (?1, 1, 0, 0)
                 ON CONFLICT (syncer) DO UPDATE SET generation = generation + 1, usable = 0",
                params![syncer],
            )?;
            let generation = tx.query_row(
                "SELECT generation FROM account_index_state WHERE syncer = ?1",
                params![syncer],
                |row| row.get(0),
            )?;
            Ok(IndexTicket(generation))
        })
        .await
    }

    async fn settle(&self, ticket: IndexTicket, update: IndexUpdate) -> Result<bool, IndexError> {
        let file = match &self.store {
            IndexStore::Postgres(state) => {
                return state
                    .settle_account_index(&self.syncer, ticket, update)
                    .await
                    .map_err(|e| pg_error(state, e))
            }
            IndexStore::Sqlite(file) => file,
        };
        on_sqlite(file, &self.syncer, move |tx, syncer| {
            let generation: Option<i64> = tx
                .query_row(
                    "SELECT generation FROM account_index_state WHERE syncer = ?1",
                    params![syncer],
                    |row| row.get(0),
                )
                .optional()?;
            if generation != Some(ticket.0) {
                return Ok(false);
            }
            store_sqlite(tx, syncer, update)?;
            tx.execute(
                "UPDATE account_index_state SET usable = 1,
                     managed = (SELECT count(*) FROM account_index WHERE syncer = ?1 AND active = 1)
                 WHERE syncer = ?1",
                params![syncer],
            )?;
            Ok(true)
        })
        .await
    }
}

fn read_sqlite(
    tx: &Transaction<'_>,
    syncer: &str,
    ids: &[String],
) -> rusqlite::Result<Option<IndexView>> {
    let state: Option<(bool, i64)> = tx
        .query_row(
            "SELECT usable, managed FROM account_index_state WHERE syncer = ?1",
            params![syncer],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .optional()?;
    let Some((true, managed)) = state else {
        return Ok(None);
    };
    let mut query = tx.prepare_cached(
        "SELECT name, source_id, active FROM account_index WHERE syncer = ?1 AND source_id = ?2",
    )?;
    let mut accounts = Vec::new();
    for id in ids {
        let rows = query.query_map(params![syncer, id], |row| {
            Ok(IndexedAccount {
                name: row.get(0)?,
                source_id: row.get(1)?,
                active: row.get(2)?,
            })
        })?;
        for account in rows {
            accounts.push(account?);
        }
    }
    Ok(Some(IndexView {
        accounts,
        managed: usize::try_from(managed).unwrap_or(0),
    }))
}

fn store_sqlite(tx: &Transaction<'_>, syncer: &str, update: IndexUpdate) -> rusqlite::Result<()> {
    let mut upsert = tx.prepare_cached(
        "INSERT OR REPLACE INTO account_index (syncer, name, source_id, active)
         VALUES (?1, ?2, ?3, ?4)",
    )?;
    let mut put = |account: &IndexedAccount| {
        upsert
            .execute(params![
                syncer,
                account.name,
                account.source_id,
                account.active
            ])
            .map(|_| ())
    };
    match update {
        IndexUpdate::Replace(accounts) => {
            tx.execute(
                "DELETE FROM account_index WHERE syncer = ?1",
                params![syncer],
            )?;
            accounts.iter().try_for_each(&mut put)
        }
        IndexUpdate::Changes(changes) => {
            for (name, account) in &changes {
                match account {
                    Some(account) => put(account)?,
                    None => {
                        tx.execute(
                            "DELETE FROM account_index WHERE syncer = ?1 AND name = ?2",
                            params![syncer, name],
                        )?;
                    }
                }
            }
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::SharedStateSettings;

    fn account(name: &str, source_id: &str, active: bool) -> IndexedAccount {
        IndexedAccount {
            name: name.into(),
            source_id: source_id.into(),
            active,
        }
    }

    fn ids(ids: &[&str]) -> BTreeSet<String> {
        ids.iter().map(|id| id.to_string()).collect()
    }

    async fn unusable(index: &SyncerIndex) -> bool {
        index.read(&ids(&["a"])).await.expect("read").is_none()
    }

    /// The module's protocol on `store`: unusable until settled, replaced then changed, per
    /// syncer, and only the newest opening settles it.
    async fn protocol_holds(store: &IndexStore) {
        let index = store.of("dt");
        assert!(unusable(&index).await, "never written");
        let ticket = index.open().await.expect("open");
        assert!(unusable(&index).await, "being written");
        let replace = IndexUpdate::Replace(vec![
            account("ua", "a", true),
            account("ub", "b", false),
            account("uc", "c", true),
        ]);
        assert!(index.settle(ticket, replace).await.expect("settle"));
        let changes = IndexUpdate::Changes(vec![
            ("uc".into(), None),
            ("unew".into(), Some(account("unew", "new", true))),
        ]);
        let ticket = index.open().await.expect("open");
        assert!(index.settle(ticket, changes).await.expect("settle"));
        let view = index
            .read(&ids(&["a", "c", "new", "nobody"]))
            .await
            .expect("read")
            .expect("usable");
        assert_eq!(view.managed, 2, "ua and unew may sign in");
        let mut names: Vec<String> = view.accounts.into_iter().map(|a| a.name).collect();
        names.sort();
        assert_eq!(names, vec!["ua", "unew"]);
        assert!(unusable(&store.of("other")).await, "per syncer");

        let (late, newest) = (store.of("dt"), store.of("dt"));
        let stale = late.open().await.expect("open");
        let ticket = newest.open().await.expect("open");
        let update = || IndexUpdate::Replace(vec![account("ua", "a", true)]);
        assert!(!late.settle(stale, update()).await.expect("settle"));
        assert!(unusable(&late).await, "still opened by the newest writer");
        assert!(newest.settle(ticket, update()).await.expect("settle"));
        let view = late
            .read(&ids(&["a"]))
            .await
            .expect("read")
            .expect("usable");
        assert_eq!(view.managed, 1);
    }

    #[tokio::test]
    async fn the_protocol_holds_on_sqlite_and_the_index_survives_a_reopen() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("state.db");
        protocol_holds(&IndexStore::sqlite(&path).expect("open")).await;
        let reopened = IndexStore::sqlite(&path).expect("reopen").of("dt");
        let view = reopened.read(&ids(&["a"])).await.expect("read");
        assert_eq!(view.map(|view| view.managed), Some(1));
    }

    #[tokio::test]
    async fn the_protocol_holds_on_postgresql() {
        let Some(cluster) = syncer_pg_cluster::PgCluster::start_or_explain() else {
            return;
        };
        cluster.create_database("syncer").expect("createdb");
        let url = cluster.url("syncer");
        let (driver_url, tls) = crate::config::state_url::split_url(&url).expect("a URL");
        let settings = SharedStateSettings {
            url,
            driver_url,
            tls,
            lease: std::time::Duration::from_secs(30),
            replica: "test".into(),
        };
        let state = PgState::open(&settings).await.expect("migrated");
        protocol_holds(&IndexStore::postgres(state)).await;
    }
}
