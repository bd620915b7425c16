//! The config file (SPEC §3): TOML with `${VAR}` expansion, unknown keys rejected by name, and
//! every error naming the file, the key and the fix.

mod expand;
#[cfg(test)]
mod fuzz;
mod server;
pub(crate) mod state_url;
mod syncer;
mod table;
mod target;
#[cfg(test)]
mod tests;

use std::collections::HashSet;
use std::fmt;
use std::path::{Path, PathBuf};

pub use server::{ServerSettings, SharedStateSettings};
pub use state_url::{TlsSettings, Verification};
pub use syncer::SyncerSettings;
pub use target::{IamSettings, TargetSettings};

use table::Table;

/// The default config file name.
pub const DEFAULT_CONFIG: &str = "syncer.toml";
/// The default file of the host's own state (run history).
pub const DEFAULT_STATE: &str = "syncer-state.db";

/// A config problem: which file, which key, what is wrong and how to fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// The config file.
    pub file: PathBuf,
    /// The key, as a dotted path (`syncers[0].app_secret`); empty for the whole file.
    pub key: String,
    /// What is wrong, and the fix.
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.key.is_empty() {
            write!(f, "{}: {}", self.file.display(), self.message)
        } else {
            write!(f, "{}: {}: {}", self.file.display(), self.key, self.message)
        }
    }
}

impl std::error::Error for ConfigError {}

/// The tables a config file may hold.
const TOP_LEVEL_KEYS: &[&str] = &["target", "syncers", "server", "state"];

/// A loaded, validated config.
#[derive(Debug)]
pub struct Config {
    /// The file it came from.
    pub file: PathBuf,
    /// Where users land.
    pub target: TargetSettings,
    /// The syncers, in file order.
    pub syncers: Vec<SyncerSettings>,
    /// The HTTP control API.
    pub server: ServerSettings,
    /// The host's own database (run history) when it is a SQLite file (`[state] path`).
    pub state_path: PathBuf,
    /// The state shared by several replicas (`[state] url`), which replaces `state_path`.
    pub shared_state: Option<SharedStateSettings>,
}

impl Config {
    /// Reads, expands and validates the config file at `file`, reading `${VAR}` from the
    /// process environment.
    pub fn load(file: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(file).map_err(|error| ConfigError {
            file: file.to_owned(),
            key: String::new(),
            message: format!(
                "cannot read the config file ({error}); create it (see README.md) or pass --config PATH"
            ),
        })?;
        Self::parse(file, &text, &|name| std::env::var(name).ok())
    }

    /// Parses config text; `file` names it in errors and anchors relative paths.
    pub fn parse(
        file: &Path,
        text: &str,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Self, ConfigError> {
        let error = |key: &str, message: String| ConfigError {
            file: file.to_owned(),
            key: key.to_owned(),
            message,
        };
        let mut root: toml::Table = toml::from_str(text).map_err(|e| {
            let line = e
                .span()
                .map(|span| text[..span.start.min(text.len())].matches('\n').count() + 1);
            let at = line.map(|n| format!(" (line {n})")).unwrap_or_default();
            let key = line.map(|n| key_on_line(text, n)).unwrap_or_default();
            error(
                &key,
                format!("not valid TOML{at}: {}", e.message().trim_end()),
            )
        })?;
        for (key, item) in root.iter_mut() {
            expand::expand_value(item, key, env).map_err(|(key, e)| error(&key, e.to_string()))?;
        }
        let fail = |(key, message): table::KeyError| error(&key, message);
        let mut root = Table::new("", root);
        let target_table = root
            .table("target", "{ kind = \"embedded\" }")
            .map_err(fail)?;
        let syncer_tables = root.tables("syncers", "[[syncers]]").map_err(fail)?;
        let server = root.table("server", "{ listen = \"127.0.0.1:8080\" }");
        let server = server::parse_server(server.map_err(fail)?).map_err(fail)?;
        let state = root.table("state", "{ path = \"syncer-state.db\" }");
        let state = server::parse_state(state.map_err(fail)?).map_err(fail)?;
        root.deny_unknown(TOP_LEVEL_KEYS)
            .map_err(|(key, message)| {
                error(&key, format!("{message}; see README.md (Using it)"))
            })?;
        let base = file.parent().unwrap_or(Path::new("."));
        let target = target::parse(target_table.map(Table::into_rest).unwrap_or_default(), base)
            .map_err(fail)?;
        let mut syncers = Vec::with_capacity(syncer_tables.len());
        let mut names = HashSet::new();
        for (i, table) in syncer_tables.into_iter().enumerate() {
            let settings = syncer::parse(table).map_err(fail)?;
            if !names.insert(settings.name.clone()) {
                return Err(error(
                    &format!("syncers[{i}].name"),
                    format!(
                        "two syncers are named `{}`; give each syncer a unique name",
                        settings.name
                    ),
                ));
            }
            syncers.push(settings);
        }
        let state_path = state.path.unwrap_or_else(|| DEFAULT_STATE.to_owned());
        Ok(Self {
            file: file.to_owned(),
            target,
            syncers,
            server,
            state_path: base.join(state_path),
            shared_state: state.shared,
        })
    }

    /// The syncer called `name`, or an error listing the configured ones.
    pub fn syncer(&self, name: &str) -> Result<&SyncerSettings, ConfigError> {
        self.syncers
            .iter()
            .find(|syncer| syncer.name == name)
            .ok_or_else(|| {
                let known: Vec<&str> = self.syncers.iter().map(|s| s.name.as_str()).collect();
                ConfigError {
                    file: self.file.clone(),
                    key: "syncers".to_owned(),
                    message: if known.is_empty() {
                        format!("no syncer named `{name}`: the file configures no syncers; add a [[syncers]] table")
                    } else {
                        format!(
                            "no syncer named `{name}`; configured syncers: {}",
                            known.join(", ")
                        )
                    },
                }
            })
    }
}

/// The dotted path (`syncers[0].deprovision_guard_percent`) of the `key = value` on line
/// `line` (1-based) of a TOML text, found by reading the lines above it for their table headers;
/// empty when that line holds no plain key. Used to name the key of a value TOML cannot read.
fn key_on_line(text: &str, line: usize) -> String {
    let mut table = String::new();
    let mut arrays: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    let mut key = String::new();
    for (number, content) in text.lines().enumerate().take(line) {
        let content = content.trim();
        if let Some(name) = content.strip_prefix("[[").and_then(|r| r.split_once("]]")) {
            let name = name.0.trim().to_owned();
            let index = arrays
                .entry(name.clone())
                .and_modify(|i| *i += 1)
                .or_insert(0);
            table = format!("{name}[{index}]");
        } else if let Some(name) = content.strip_prefix('[').and_then(|r| r.split_once(']')) {
            table = name.0.trim().to_owned();
        } else if number + 1 == line {
            if let Some((name, _)) = content.split_once('=') {
                let name = name.trim();
                let plain = !name.is_empty()
                    && name
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
                if plain {
                    key = name.to_owned();
                }
            }
        }
    }
    match (table.is_empty(), key.is_empty()) {
        (_, true) => String::new(),
        (true, false) => key,
        (false, false) => format!("{table}.{key}"),
    }
}
