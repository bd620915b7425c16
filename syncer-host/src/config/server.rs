//! `[server]` (the HTTP control API of `serve`) and `[state]` (the host's own database).

use std::time::Duration;

use super::table::{KeyError, Table};

/// How long shutdown waits for running syncs unless `[server] shutdown_grace` says otherwise.
pub const DEFAULT_SHUTDOWN_GRACE: Duration = Duration::from_secs(30);

/// `[server]`: the HTTP control API.
#[derive(Clone, Debug)]
pub struct ServerSettings {
    /// Address to listen on, `HOST:PORT`.
    pub listen: Option<String>,
    /// Bearer token required by every endpoint but `/healthz`; never empty.
    pub token: Option<String>,
    /// How long SIGTERM / Ctrl-C waits for running syncs before recording them as failed
    /// (`shutdown_grace`, seconds; keep it below the orchestrator's kill timeout).
    pub shutdown_grace: Duration,
}

impl Default for ServerSettings {
    fn default() -> Self {
        Self {
            listen: None,
            token: None,
            shutdown_grace: DEFAULT_SHUTDOWN_GRACE,
        }
    }
}

const SERVER_KEYS: &[&str] = &["listen", "token", "shutdown_grace"];

/// Validates the `[server]` table.
pub fn parse_server(table: Option<Table>) -> Result<ServerSettings, KeyError> {
    let Some(mut table) = table else {
        return Ok(ServerSettings::default());
    };
    let listen = table.string("listen", "\"127.0.0.1:8080\"")?;
    if let Some(address) = &listen {
        let port_ok = address
            .rsplit_once(':')
            .is_some_and(|(host, port)| !host.is_empty() && port.parse::<u16>().is_ok());
        if !port_ok {
            return Err((
                table.key("listen"),
                format!(
                    "`{address}` is not HOST:PORT; write it like `listen = \"127.0.0.1:8080\"`"
                ),
            ));
        }
    }
    let token = table.string("token", "\"${SYNCER_API_TOKEN}\"")?;
    if let Some(token) = &token {
        if token.trim().is_empty() {
            return Err((
                table.key("token"),
                "is empty (a ${VAR} set to \"\" expands to nothing), which would leave the control API without authentication; set it to a long random value, or remove the key to serve on loopback only without a token".to_owned(),
            ));
        }
        if token.chars().any(|c| c.is_control() || !c.is_ascii()) {
            return Err((
                table.key("token"),
                "holds a control or non-ASCII character, which no HTTP client can send in an Authorization header; use printable ASCII (a long random hex or base64 value)".to_owned(),
            ));
        }
        if token.trim() != token {
            return Err((
                table.key("token"),
                "starts or ends with whitespace (a newline from a file?), which no client can send in a header; strip it".to_owned(),
            ));
        }
    }
    let grace = table
        .count("shutdown_grace", "a whole number of seconds", "30")?
        .map(Duration::from_secs)
        .unwrap_or(DEFAULT_SHUTDOWN_GRACE);
    if grace.is_zero() || grace > Duration::from_secs(3600) {
        return Err((
            table.key("shutdown_grace"),
            format!(
                "must be between 1 and 3600 seconds, got {}",
                grace.as_secs()
            ),
        ));
    }
    table.deny_unknown(SERVER_KEYS)?;
    Ok(ServerSettings {
        listen,
        token,
        shutdown_grace: grace,
    })
}

/// How long a run's lease lives without renewal unless `[state] lease_seconds` says otherwise.
pub const DEFAULT_LEASE: Duration = Duration::from_secs(30);

/// `[state] url`: the state shared by several replicas, in PostgreSQL.
#[derive(Clone)]
pub struct SharedStateSettings {
    /// `postgres://user:password@host:port/db`; a secret (it holds the password): show it only
    /// through [`SharedStateSettings::masked_url`].
    pub url: String,
    /// The URL as the driver parses it: `url` without the TLS parameters only `tls` enforces
    /// (`sslmode=verify-*` becomes `require`, `sslrootcert` goes); as secret as `url`.
    pub driver_url: String,
    /// How the connection is encrypted and the server's certificate checked.
    pub tls: super::TlsSettings,
    /// How long a run's lease lives without renewal (`lease_seconds`).
    pub lease: Duration,
    /// This replica's name in run records and leases (`replica`, default `hostname:pid`).
    pub replica: String,
}

impl SharedStateSettings {
    /// The URL with its password masked, for messages.
    pub fn masked_url(&self) -> String {
        syncer_core::mask_url_credentials(&self.url)
    }
}

impl std::fmt::Debug for SharedStateSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SharedStateSettings")
            .field("url", &self.masked_url())
            .field("tls", &self.tls)
            .field("lease", &self.lease)
            .field("replica", &self.replica)
            .finish()
    }
}

/// The validated `[state]` table: a SQLite `path` or a shared `url`, never both.
#[derive(Debug, Default)]
pub struct StateTable {
    /// `path`, the SQLite file of one machine.
    pub path: Option<String>,
    /// `url` and its lease settings, the PostgreSQL state of several replicas.
    pub shared: Option<SharedStateSettings>,
}

/// This process's default replica name: `hostname:pid`.
fn default_replica() -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .map(|name| name.trim().to_owned())
        .filter(|name| !name.is_empty())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_else(|| "localhost".to_owned());
    format!("{host}:{}", std::process::id())
}

const STATE_KEYS: &[&str] = &["path", "url", "lease_seconds", "replica"];

/// Validates the `[state]` table: its `path`, or its `url` with `lease_seconds` and `replica`.
pub fn parse_state(table: Option<Table>) -> Result<StateTable, KeyError> {
    let Some(mut table) = table else {
        return Ok(StateTable::default());
    };
    let path = table.string("path", "\"syncer-state.db\"")?;
    if let Some(path) = &path {
        let file_name = std::path::Path::new(path).file_name();
        if path.trim().is_empty() || file_name.is_none() || path.ends_with('/') {
            return Err((
                table.key("path"),
                format!(
                    "`{path}` names no file; write the database file, like `path = \"syncer-state.db\"`"
                ),
            ));
        }
    }
    let url = table.string("url", "\"${SYNCER_STATE_URL}\"")?;
    let lease = table.count("lease_seconds", "a whole number of seconds", "30")?;
    let replica = table.string("replica", "\"iam-sidecar-1\"")?;
    if path.is_some() && url.is_some() {
        return Err((
            table.key("url"),
            "and state.path are both set: `path` keeps the state in a SQLite file of one machine, `url` in a PostgreSQL database shared by several replicas; keep one of them".to_owned(),
        ));
    }
    let Some(url) = url else {
        for key in ["lease_seconds", "replica"] {
            let set = match key {
                "lease_seconds" => lease.is_some(),
                _ => replica.is_some(),
            };
            if set {
                return Err((
                    table.key(key),
                    "applies only to a shared state: set `url = \"postgres://...\"` too, or remove the key".to_owned(),
                ));
            }
        }
        table.deny_unknown(STATE_KEYS)?;
        return Ok(StateTable { path, shared: None });
    };
    let scheme_ok = url.starts_with("postgres://") || url.starts_with("postgresql://");
    let (driver_url, tls) =
        super::state_url::split_url(&url).map_err(|message| (table.key("url"), message))?;
    if !scheme_ok || driver_url.parse::<tokio_postgres::Config>().is_err() {
        return Err((
            table.key("url"),
            format!(
                "`{}` is not a PostgreSQL URL; write it like `url = \"postgres://syncer:PASSWORD@db:5432/syncer\"` (or `\"${{SYNCER_STATE_URL}}\"`)",
                syncer_core::mask_url_credentials(&url)
            ),
        ));
    }
    let lease = lease.map(Duration::from_secs).unwrap_or(DEFAULT_LEASE);
    if lease < Duration::from_secs(3) || lease > Duration::from_secs(3600) {
        return Err((
            table.key("lease_seconds"),
            format!(
                "must be between 3 and 3600 seconds, got {}: it is renewed every third of it, and a dead replica's run is taken over after it",
                lease.as_secs()
            ),
        ));
    }
    let replica = match replica {
        Some(name) if name.trim().is_empty() || name.chars().any(char::is_control) => {
            return Err((
                table.key("replica"),
                "is empty or holds a control character; name this replica like `replica = \"iam-sidecar-1\"`, or remove the key for hostname:pid".to_owned(),
            ));
        }
        Some(name) => name,
        None => default_replica(),
    };
    table.deny_unknown(STATE_KEYS)?;
    Ok(StateTable {
        path: None,
        shared: Some(SharedStateSettings {
            url,
            driver_url,
            tls,
            lease,
            replica,
        }),
    })
}
