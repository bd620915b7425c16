//! `[target]`: the embedded store (default) or a Hanzo IAM server.

use std::path::{Path, PathBuf};
use std::time::Duration;

use syncer_core::Secret;

/// The default embedded store file.
pub const DEFAULT_EMBEDDED_PATH: &str = "syncer.db";
/// Hanzo IAM's API prefix.
pub const DEFAULT_API_PREFIX: &str = "/v1/iam";

/// Where users land.
#[derive(Clone, Debug)]
pub enum TargetSettings {
    /// The embedded SQLite store.
    Embedded {
        /// Its file.
        path: PathBuf,
    },
    /// A Hanzo IAM (or Casdoor-compatible) server.
    Iam(IamSettings),
}

/// How to reach a Hanzo IAM server.
#[derive(Clone, Debug)]
pub struct IamSettings {
    /// Base URL, without trailing slash.
    pub endpoint: String,
    /// The application's client id.
    pub client_id: String,
    /// The application's client secret.
    pub client_secret: Secret,
    /// `/v1/iam` (Hanzo) or `/api` (Casdoor).
    pub api_prefix: String,
    /// How long one IAM call may take before it counts as unanswered (`timeout_seconds`).
    pub timeout: Duration,
    /// The most users the syncer reads from one organization (`max_users`): a listing that
    /// counts or brings more is an error, never an unbounded read.
    pub max_users: usize,
}

/// Seconds one IAM call may take unless `timeout_seconds` says otherwise.
pub const DEFAULT_IAM_TIMEOUT_SECONDS: u64 = 60;
/// Users read from one organization at most unless `max_users` says otherwise.
pub const DEFAULT_MAX_USERS: usize = 1_000_000;

const EMBEDDED_KEYS: &[&str] = &["kind", "path"];
const IAM_KEYS: &[&str] = &[
    "kind",
    "endpoint",
    "client_id",
    "client_secret",
    "api_prefix",
    "timeout_seconds",
    "max_users",
];

/// Validates the `[target]` table; errors are `(key, message)`.
pub fn parse(table: toml::Table, base: &Path) -> Result<TargetSettings, (String, String)> {
    let text = |key: &str| -> Result<Option<String>, (String, String)> {
        match table.get(key) {
            None => Ok(None),
            Some(toml::Value::String(text)) => Ok(Some(text.clone())),
            Some(other) => Err((
                format!("target.{key}"),
                format!("must be a string, got {}", other.type_str()),
            )),
        }
    };
    let kind = text("kind")?.unwrap_or_else(|| "embedded".to_owned());
    let allowed = match kind.as_str() {
        "embedded" => EMBEDDED_KEYS,
        "iam" => IAM_KEYS,
        other => {
            return Err((
                "target.kind".to_owned(),
                format!("unknown target kind `{other}`; use \"embedded\" or \"iam\""),
            ))
        }
    };
    if let Some(key) = table.keys().find(|key| !allowed.contains(&key.as_str())) {
        return Err((
            format!("target.{key}"),
            format!(
                "unknown key for target kind \"{kind}\"; allowed keys: {}",
                allowed.join(", ")
            ),
        ));
    }
    if kind == "embedded" {
        let path = text("path")?.unwrap_or_else(|| DEFAULT_EMBEDDED_PATH.to_owned());
        return Ok(TargetSettings::Embedded {
            path: base.join(path),
        });
    }
    let required = |key: &str| -> Result<String, (String, String)> {
        text(key)?.filter(|value| !value.is_empty()).ok_or_else(|| {
            (
                format!("target.{key}"),
                "is required for kind \"iam\"".to_owned(),
            )
        })
    };
    let endpoint = required("endpoint")?;
    if !endpoint.starts_with("http://") && !endpoint.starts_with("https://") {
        return Err((
            "target.endpoint".to_owned(),
            format!("`{endpoint}` is not a URL; write it with https://"),
        ));
    }
    let prefix = text("api_prefix")?.unwrap_or_else(|| DEFAULT_API_PREFIX.to_owned());
    let count = |key: &str, range: std::ops::RangeInclusive<i64>, default: u64| match table.get(key)
    {
        None => Ok(default),
        Some(toml::Value::Integer(n)) if range.contains(n) => Ok(n.unsigned_abs()),
        Some(toml::Value::Integer(n)) => Err((
            format!("target.{key}"),
            format!(
                "must be between {} and {}, got {n}",
                range.start(),
                range.end()
            ),
        )),
        Some(other) => Err((
            format!("target.{key}"),
            format!("must be a whole number, got {}", other.type_str()),
        )),
    };
    let timeout = count("timeout_seconds", 1..=3600, DEFAULT_IAM_TIMEOUT_SECONDS)?;
    let max_users = count("max_users", 1..=100_000_000, DEFAULT_MAX_USERS as u64)?;
    Ok(TargetSettings::Iam(IamSettings {
        timeout: Duration::from_secs(timeout),
        max_users: usize::try_from(max_users).unwrap_or(DEFAULT_MAX_USERS),
        endpoint: endpoint.trim_end_matches('/').to_owned(),
        client_id: required("client_id")?,
        client_secret: Secret::new(required("client_secret")?),
        api_prefix: format!("/{}", prefix.trim_matches('/')),
    }))
}
