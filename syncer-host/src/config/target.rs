//! `[target]`: the embedded store (default) or a Hanzo IAM server.

use std::path::{Path, PathBuf};

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
}

const EMBEDDED_KEYS: &[&str] = &["kind", "path"];
const IAM_KEYS: &[&str] = &[
    "kind",
    "endpoint",
    "client_id",
    "client_secret",
    "api_prefix",
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
    Ok(TargetSettings::Iam(IamSettings {
        endpoint: endpoint.trim_end_matches('/').to_owned(),
        client_id: required("client_id")?,
        client_secret: Secret::new(required("client_secret")?),
        api_prefix: format!("/{}", prefix.trim_matches('/')),
    }))
}
