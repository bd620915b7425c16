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

/// Validates the `[state]` table: its `path`, if given.
pub fn parse_state(table: Option<Table>) -> Result<Option<String>, KeyError> {
    let Some(mut table) = table else {
        return Ok(None);
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
    table.deny_unknown(&["path"])?;
    Ok(path)
}
