//! The shared state's schema, as numbered migrations the program applies at start. They run in
//! one transaction under a transaction-scoped advisory lock, so replicas starting together
//! apply each migration once and in order, and a failed one leaves nothing half-created. The
//! versions applied are rows of `schema_migrations`.
//!
//! Later versions add what other parts keep here (quota counters, seen event ids, the write
//! journal): append a migration, never edit one that has shipped.

/// The advisory lock key of the migrations (any constant unique to this program).
const LOCK_KEY: i64 = 0x5379_6e63_6572_0001;

/// `(version, SQL)`, in order.
const MIGRATIONS: &[(i32, &str)] = &[
    (
        1,
        "
    CREATE TABLE runs (
        run_id BIGSERIAL PRIMARY KEY,
        syncer TEXT NOT NULL,
        status TEXT NOT NULL,
        dry_run BOOLEAN NOT NULL,
        started_at TEXT NOT NULL,
        finished_at TEXT NOT NULL DEFAULT '',
        report TEXT,
        replica TEXT NOT NULL
    );
    CREATE INDEX runs_by_syncer ON runs (syncer, run_id);
    CREATE TABLE leases (
        syncer TEXT PRIMARY KEY,
        holder TEXT NOT NULL,
        token TEXT NOT NULL,
        run_id BIGINT,
        expires_at TIMESTAMPTZ NOT NULL
    );
    CREATE TABLE schedule (
        syncer TEXT PRIMARY KEY,
        next_due TIMESTAMPTZ NOT NULL,
        claimed_by TEXT
    );
    ",
    ),
    // The write journal of every run (issue 15), deleted with its run.
    (2, super::journal::MIGRATION),
    // The ids of the change events handled (issue 12), pruned by age.
    (
        3,
        "
    CREATE TABLE seen_events (
        syncer TEXT NOT NULL,
        event_id TEXT NOT NULL,
        seen_at TIMESTAMPTZ NOT NULL,
        PRIMARY KEY (syncer, event_id)
    );
    CREATE INDEX seen_events_by_age ON seen_events (seen_at);
    ",
    ),
    // The monthly API call counts (`quota.rs`).
    (4, super::quota::MIGRATION),
    // The deprovisions made by change events, over the guard's window (issue 12).
    (5, super::event_window::MIGRATION),
    // The account index of each syncer: hires and leavers by event without the whole listing.
    (6, super::account_index::MIGRATION),
];

/// Why the schema could not be brought up to date.
pub enum MigrationError {
    /// A statement failed.
    Db(tokio_postgres::Error),
    /// The database is at a version this program does not know.
    TooNew {
        /// Its version.
        current: i32,
        /// The newest this program knows.
        newest: i32,
    },
}

/// Applies the migrations the database does not have yet.
pub async fn run(client: &mut deadpool_postgres::Object) -> Result<(), MigrationError> {
    let fail = MigrationError::Db;
    let tx = client.transaction().await.map_err(fail)?;
    tx.batch_execute(&format!("SELECT pg_advisory_xact_lock({LOCK_KEY})"))
        .await
        .map_err(fail)?;
    tx.batch_execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
             version INTEGER PRIMARY KEY,
             applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
         )",
    )
    .await
    .map_err(fail)?;
    let current: i32 = tx
        .query_one(
            "SELECT COALESCE(max(version), 0) FROM schema_migrations",
            &[],
        )
        .await
        .map_err(fail)?
        .get(0);
    let newest = MIGRATIONS.last().map_or(0, |(version, _)| *version);
    if current > newest {
        return Err(MigrationError::TooNew { current, newest });
    }
    for (version, sql) in MIGRATIONS.iter().filter(|(version, _)| *version > current) {
        tx.batch_execute(sql).await.map_err(fail)?;
        tx.execute(
            "INSERT INTO schema_migrations (version) VALUES ($1)",
            &[version],
        )
        .await
        .map_err(fail)?;
    }
    tx.commit().await.map_err(fail)
}
