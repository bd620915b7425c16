//! The connection pool on the shared state and how its failures read: the URL's password
//! masked, the server's own message when it sent one.

use std::time::Duration;

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod, Runtime};

use super::{migrations, tls};
use crate::config::SharedStateSettings;

/// How long a statement waits for a connection, or a connection for the server, before the
/// database counts as unreachable.
const TIMEOUT: Duration = Duration::from_secs(5);

/// A failure of the shared state, worded for the operator (the URL's password masked).
#[derive(Debug, thiserror::Error)]
#[error("shared state {location}: {message}")]
pub struct PgError {
    location: String,
    message: String,
    /// The database did not answer (down, unreachable, refusing connections), as opposed to an
    /// answer that is wrong (a schema newer than this program, a failed migration).
    unreachable: bool,
}

impl PgError {
    /// Whether the database did not answer at all: worth waiting for, unlike a wrong answer.
    pub fn is_unreachable(&self) -> bool {
        self.unreachable
    }
}

/// The connection pool on the shared state, with this replica's name and lease length.
#[derive(Clone)]
pub struct PgState {
    pool: Pool,
    location: String,
    replica: String,
    lease: Duration,
}

impl PgState {
    /// Connects to `settings.url` and brings its schema up to date (idempotent; safe when
    /// several replicas start together).
    pub async fn open(settings: &SharedStateSettings) -> Result<Self, PgError> {
        let location = settings.masked_url();
        let fail = |message: String| PgError {
            location: location.clone(),
            message,
            unreachable: false,
        };
        let mut config: tokio_postgres::Config = settings
            .driver_url
            .parse()
            .map_err(|e: tokio_postgres::Error| fail(describe(&e)))?;
        config.connect_timeout(TIMEOUT);
        if config.get_application_name().is_none() {
            config.application_name("syncer-host");
        }
        let connector = tls::connector(&settings.tls).map_err(fail)?;
        let manager = Manager::from_config(
            config,
            connector,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(8)
            .runtime(Runtime::Tokio1)
            .wait_timeout(Some(TIMEOUT))
            .create_timeout(Some(TIMEOUT))
            .recycle_timeout(Some(TIMEOUT))
            .build()
            .map_err(|e| fail(e.to_string()))?;
        let state = Self {
            pool,
            location: location.clone(),
            replica: settings.replica.clone(),
            lease: settings.lease,
        };
        let mut client = state.client().await?;
        migrations::run(&mut client).await.map_err(|error| match error {
            migrations::MigrationError::Db(e) => {
                fail(format!("cannot migrate the schema: {}", describe(&e)))
            }
            migrations::MigrationError::TooNew { current, newest } => fail(format!(
                "the schema is at version {current}, newer than this program knows ({newest}): a newer syncer-host migrated it; upgrade this replica"
            )),
        })?;
        Ok(state)
    }

    /// This replica's name.
    pub fn replica(&self) -> &str {
        &self.replica
    }

    /// How long a lease lives without renewal.
    pub fn lease(&self) -> Duration {
        self.lease
    }

    /// The URL, password masked.
    pub fn location(&self) -> &str {
        &self.location
    }

    /// Whether the database answers now; the reason when it does not.
    pub async fn ping(&self) -> Result<(), PgError> {
        let client = self.client().await?;
        tokio::time::timeout(TIMEOUT, client.simple_query("SELECT 1"))
            .await
            .map_err(|_| self.error("the database did not answer within 5 s"))?
            .map_err(|e| self.error(describe(&e)))?;
        Ok(())
    }

    pub(super) async fn client(&self) -> Result<deadpool_postgres::Object, PgError> {
        self.pool.get().await.map_err(|e| {
            let message = match &e {
                deadpool_postgres::PoolError::Backend(e) => describe(e),
                other => other.to_string(),
            };
            PgError {
                unreachable: true,
                ..self.error(format!(
                    "cannot connect ({message}); check that the database is up and [state] url is right"
                ))
            }
        })
    }

    pub(super) fn error(&self, message: impl Into<String>) -> PgError {
        PgError {
            location: self.location.clone(),
            message: message.into(),
            unreachable: false,
        }
    }

    pub(super) fn query_error(&self, error: &tokio_postgres::Error) -> PgError {
        self.error(describe(error))
    }
}

/// A driver error as a sentence: the server's own message when it sent one.
pub(super) fn describe(error: &tokio_postgres::Error) -> String {
    if let Some(db) = error.as_db_error() {
        return format!("{} ({})", db.message(), db.code().code());
    }
    match std::error::Error::source(error) {
        Some(source) => format!("{error}: {source}"),
        None => error.to_string(),
    }
}

/// Seconds as PostgreSQL's `make_interval(secs => ...)` takes them.
pub(super) fn seconds(duration: Duration) -> f64 {
    duration.as_secs_f64()
}
