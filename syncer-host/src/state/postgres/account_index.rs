//! The account index in the shared state (tables `account_index` and `account_index_state`,
//! migration 6): every replica's batches read the same index, and a writer's ticket is the
//! state row's generation, so a replica that lost its lease and comes back late cannot settle
//! over another's writes. A read is one statement (one snapshot); a settle is one transaction
//! that holds the state row.

use syncer_core::{IndexTicket, IndexUpdate, IndexView, IndexedAccount};

use super::pool::{PgError, PgState};

/// The migration that creates the tables.
pub const MIGRATION: &str = "
    CREATE TABLE account_index (
        syncer TEXT NOT NULL,
        name TEXT NOT NULL,
        source_id TEXT NOT NULL,
        active BOOLEAN NOT NULL,
        PRIMARY KEY (syncer, name)
    );
    CREATE INDEX account_index_by_source ON account_index (syncer, source_id);
    CREATE TABLE account_index_state (
        syncer TEXT PRIMARY KEY,
        generation BIGINT NOT NULL,
        usable BOOLEAN NOT NULL,
        managed BIGINT NOT NULL
    );
";

/// The columns of `accounts`, as arrays for `UNNEST`.
fn columns(accounts: Vec<IndexedAccount>) -> (Vec<String>, Vec<String>, Vec<bool>) {
    let mut names = Vec::with_capacity(accounts.len());
    let mut sources = Vec::with_capacity(accounts.len());
    let mut active = Vec::with_capacity(accounts.len());
    for account in accounts {
        names.push(account.name);
        sources.push(account.source_id);
        active.push(account.active);
    }
    (names, sources, active)
}

impl PgState {
    /// The index of `syncer` for `source_ids`, when usable.
    pub async fn read_account_index(
        &self,
        syncer: &str,
        source_ids: &[String],
    ) -> Result<Option<IndexView>, PgError> {
        let rows = self
            .client()
            .await?
            .query(
                "SELECT s.usable, s.managed, a.name, a.source_id, a.active
                 FROM account_index_state s
                 LEFT JOIN account_index a ON a.syncer = s.syncer AND a.source_id = ANY($2)
                 WHERE s.syncer = $1",
                &[&syncer, &source_ids],
            )
            .await
            .map_err(|e| self.query_error(&e))?;
        let Some(first) = rows.first() else {
            return Ok(None);
        };
        if !first.get::<_, bool>(0) {
            return Ok(None);
        }
        let managed: i64 = first.get(1);
        let accounts = rows
            .iter()
            .filter_map(|row| {
                Some(IndexedAccount {
                    name: row.get::<_, Option<String>>(2)?,
                    source_id: row.get(3),
                    active: row.get(4),
                })
            })
            .collect();
        Ok(Some(IndexView {
            accounts,
            managed: usize::try_from(managed).unwrap_or(0),
        }))
    }

    /// Opens the index of `syncer`: a new generation, unusable until settled with it.
    pub async fn open_account_index(&self, syncer: &str) -> Result<IndexTicket, PgError> {
        let row = self
            .client()
            .await?
            .query_one(
                "INSERT INTO account_index_state (syncer, generation, usable, managed)
                 VALUES ($1, 1, false, 0)
                 ON CONFLICT (syncer) DO UPDATE
                 SET generation = account_index_state.generation + 1, usable = false
                 RETURNING generation",
                &[&syncer],
            )
            .await
            .map_err(|e| self.query_error(&e))?;
        Ok(IndexTicket(row.get(0)))
    }

    /// Stores `update` in the index of `syncer` and makes it usable, if `ticket` is still its
    /// generation; returns whether it did.
    pub async fn settle_account_index(
        &self,
        syncer: &str,
        ticket: IndexTicket,
        update: IndexUpdate,
    ) -> Result<bool, PgError> {
        let mut client = self.client().await?;
        let fail = |e: tokio_postgres::Error| self.query_error(&e);
        let tx = client.transaction().await.map_err(fail)?;
        let generation: Option<i64> = tx
            .query_opt(
                "SELECT generation FROM account_index_state WHERE syncer = $1 FOR UPDATE",
                &[&syncer],
            )
            .await
            .map_err(fail)?
            .map(|row| row.get(0));
        if generation != Some(ticket.0) {
            return Ok(false);
        }
        let upserts = match update {
            IndexUpdate::Replace(accounts) => {
                tx.execute("DELETE FROM account_index WHERE syncer = $1", &[&syncer])
                    .await
                    .map_err(fail)?;
                accounts
            }
            IndexUpdate::Changes(changes) => {
                let (kept, gone): (Vec<_>, Vec<_>) = changes
                    .into_iter()
                    .partition(|(_, account)| account.is_some());
                let gone: Vec<String> = gone.into_iter().map(|(name, _)| name).collect();
                tx.execute(
                    "DELETE FROM account_index WHERE syncer = $1 AND name = ANY($2)",
                    &[&syncer, &gone],
                )
                .await
                .map_err(fail)?;
                kept.into_iter()
                    .filter_map(|(_, account)| account)
                    .collect()
            }
        };
        let (names, sources, active) = columns(upserts);
        tx.execute(
            "INSERT INTO account_index (syncer, name, source_id, active)
             SELECT $1, * FROM UNNEST($2::TEXT[], $3::TEXT[], $4::BOOLEAN[])
             ON CONFLICT (syncer, name) DO UPDATE
             SET source_id = excluded.source_id, active = excluded.active",
            &[&syncer, &names, &sources, &active],
        )
        .await
        .map_err(fail)?;
        tx.execute(
            "UPDATE account_index_state SET usable = true,
                 managed = (SELECT count(*) FROM account_index WHERE syncer = $1 AND active)
             WHERE syncer = $1",
            &[&syncer],
        )
        .await
        .map_err(fail)?;
        tx.commit().await.map_err(fail)?;
        Ok(true)
    }
}
