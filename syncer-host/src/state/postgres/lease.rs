//! One lease row per running syncer: which replica holds it, for which run, until when (the
//! database's clock). Taking one is a single statement that inserts the row or takes over an
//! expired one; a task renews it every third of its length, and clears the run's [`Fence`]
//! when it cannot renew before expiry, so the run stops writing before anyone else may start.

use std::time::Instant;

use rand::Rng;

use super::pool::{self, PgError, PgState};
use crate::state::fence::Fence;

/// Why a lease was not taken.
#[derive(Debug, thiserror::Error)]
pub enum LeaseError {
    /// A live lease is held by a replica (possibly this one).
    #[error("another run of syncer {syncer} is in progress on replica {replica}")]
    Held {
        /// The syncer.
        syncer: String,
        /// The replica holding the lease.
        replica: String,
    },
    /// The database could not be asked.
    #[error(transparent)]
    State(#[from] PgError),
}

/// A held lease; renewed until [`Lease::release`] (or drop, after which it expires by itself).
pub struct Lease {
    state: PgState,
    syncer: String,
    token: String,
    fence: Fence,
    renewal: tokio::task::JoinHandle<()>,
}

impl std::fmt::Debug for Lease {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Lease")
            .field("syncer", &self.syncer)
            .finish()
    }
}

impl PgState {
    /// Takes the lease of `syncer` for this replica, or says who holds it.
    pub async fn acquire(&self, syncer: &str) -> Result<Lease, LeaseError> {
        let token = format!("{:032x}", rand::thread_rng().gen::<u128>());
        let client = self.client().await?;
        let taken = client
            .query_opt(
                "INSERT INTO leases (syncer, holder, token, run_id, expires_at)
                 VALUES ($1, $2, $3, NULL, now() + make_interval(secs => $4))
                 ON CONFLICT (syncer) DO UPDATE
                     SET holder = EXCLUDED.holder, token = EXCLUDED.token, run_id = NULL,
                         expires_at = EXCLUDED.expires_at
                     WHERE leases.expires_at <= now()
                 RETURNING holder",
                &[
                    &syncer,
                    &self.replica(),
                    &token,
                    &pool::seconds(self.lease()),
                ],
            )
            .await
            .map_err(|e| self.query_error(&e))?;
        if taken.is_none() {
            let holder = client
                .query_opt("SELECT holder FROM leases WHERE syncer = $1", &[&syncer])
                .await
                .map_err(|e| self.query_error(&e))?
                .map_or_else(|| "another replica".to_owned(), |row| row.get(0));
            return Err(LeaseError::Held {
                syncer: syncer.to_owned(),
                replica: holder,
            });
        }
        let fence = Fence::default();
        let renewal = tokio::spawn(renew(
            self.clone(),
            syncer.to_owned(),
            token.clone(),
            fence.clone(),
        ));
        Ok(Lease {
            state: self.clone(),
            syncer: syncer.to_owned(),
            token,
            fence,
            renewal,
        })
    }
}

impl PgState {
    /// Gives back the leases this replica holds for `run_ids` (runs that did not end before
    /// shutdown), so another replica takes the syncer at once instead of after expiry.
    pub async fn release_runs(&self, run_ids: &[i64]) -> Result<(), PgError> {
        self.client()
            .await?
            .execute(
                "DELETE FROM leases WHERE holder = $1 AND run_id = ANY($2)",
                &[&self.replica(), &run_ids],
            )
            .await
            .map_err(|e| self.query_error(&e))?;
        Ok(())
    }
}

impl Lease {
    /// The fence of the run under this lease.
    pub fn fence(&self) -> Fence {
        self.fence.clone()
    }

    /// Records which run holds the lease (shown to whoever finds it held).
    pub async fn set_run(&self, run_id: i64) -> Result<(), PgError> {
        let client = self.state.client().await?;
        client
            .execute(
                "UPDATE leases SET run_id = $3 WHERE syncer = $1 AND token = $2",
                &[&self.syncer, &self.token, &run_id],
            )
            .await
            .map_err(|e| self.state.query_error(&e))?;
        Ok(())
    }

    /// Gives the lease back at once, so another replica may run the syncer.
    pub async fn release(self) {
        self.renewal.abort();
        let deleted = match self.state.client().await {
            Ok(client) => client
                .execute(
                    "DELETE FROM leases WHERE syncer = $1 AND token = $2",
                    &[&self.syncer, &self.token],
                )
                .await
                .map_err(|e| self.state.query_error(&e)),
            Err(e) => Err(e),
        };
        if let Err(error) = deleted {
            tracing::warn!(%error, syncer = %self.syncer, "could not give the lease back; it expires by itself");
        }
    }
}

impl Drop for Lease {
    fn drop(&mut self) {
        self.renewal.abort();
    }
}

/// Renews the lease every third of its length until it is lost: the database says it is no
/// longer ours, or no renewal got through for two thirds of its length (the last third is the
/// margin for the run to notice before the database lets another replica take it).
async fn renew(state: PgState, syncer: String, token: String, fence: Fence) {
    let lease = state.lease();
    let every = lease / 3;
    let mut last_ok = Instant::now();
    loop {
        tokio::time::sleep(every).await;
        let sent = Instant::now();
        match renew_once(&state, &syncer, &token).await {
            Ok(true) => last_ok = sent,
            Ok(false) => {
                tracing::warn!(%syncer, "the lease was taken over; the run stops writing");
                fence.lose();
                return;
            }
            Err(error) => {
                tracing::warn!(%syncer, %error, "could not renew the lease");
                if last_ok.elapsed() + every > lease - every {
                    fence.lose();
                    return;
                }
            }
        }
    }
}

async fn renew_once(state: &PgState, syncer: &str, token: &str) -> Result<bool, PgError> {
    let client = state.client().await?;
    let changed = tokio::time::timeout(
        state.lease() / 3,
        client.execute(
            "UPDATE leases SET expires_at = now() + make_interval(secs => $3)
             WHERE syncer = $1 AND token = $2 AND expires_at > now()",
            &[&syncer, &token, &pool::seconds(state.lease())],
        ),
    )
    .await
    .map_err(|_| state.error("the database did not answer the renewal in time"))?
    .map_err(|e| state.query_error(&e))?;
    Ok(changed > 0)
}
