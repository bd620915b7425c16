//! `check`: whether the config file is valid and what it holds (no network).

use crate::config::{Config, TargetSettings};
use crate::failure::Failure;
use crate::history::History;
use crate::quota::estimate::{estimate_from, interval_advice};
use crate::state::sqlite::SqliteHistory;
use crate::stdout::sayln;

/// `check`: the config was loaded (and so validated) by the caller; say what it holds, and warn
/// (on stderr, still exit 0) about what would stop `serve` from starting, and about schedules
/// that would spend more than their monthly call budget.
pub async fn check(config: &Config) -> Result<(), Failure> {
    if let Some(warning) = exposure_warning(config) {
        eprintln!("warning: {}: {warning}", config.file.display());
    }
    let history = local_history(config);
    for syncer in &config.syncers {
        let estimate = match &history {
            Some(history) => estimate_from(history, &syncer.name).await,
            None => None,
        };
        if let Some(advice) = interval_advice(syncer, estimate) {
            eprintln!("warning: {}: {advice}", config.file.display());
        }
    }
    let target = match &config.target {
        TargetSettings::Embedded { path } => format!("embedded store {}", path.display()),
        TargetSettings::Iam(iam) => format!("Hanzo IAM at {}{}", iam.endpoint, iam.api_prefix),
    };
    sayln!("{}: valid", config.file.display());
    sayln!("  target: {target}");
    for syncer in &config.syncers {
        sayln!(
            "  syncer {} ({}) → organization {}, {}, leavers: {}",
            syncer.name,
            syncer.plugin.type_name,
            syncer.organization,
            if syncer.is_enabled {
                format!("every {}s", syncer.sync_interval.as_secs())
            } else {
                "not scheduled".to_owned()
            },
            syncer.leavers
        );
    }
    Ok(())
}

/// The run history of a SQLite state that exists already (`check` creates no file and, for a
/// shared state, makes no connection).
fn local_history(config: &Config) -> Option<History> {
    if config.shared_state.is_some() || !config.state_path.exists() {
        return None;
    }
    SqliteHistory::open(&config.state_path)
        .ok()
        .map(History::Sqlite)
}

/// A warning when `[server] listen` reaches beyond loopback without a `[server] token`: `serve`
/// would refuse to start (it is not an error here, since `serve --listen` may override it).
/// Host names are not resolved (no network); only `localhost` counts as loopback.
fn exposure_warning(config: &Config) -> Option<String> {
    let listen = config.server.listen.as_deref()?;
    if config.server.token.is_some() {
        return None;
    }
    let loopback = match listen.parse::<std::net::SocketAddr>() {
        Ok(address) => address.ip().is_loopback(),
        Err(_) => listen
            .rsplit_once(':')
            .is_some_and(|(host, _)| host.eq_ignore_ascii_case("localhost")),
    };
    (!loopback).then(|| {
        format!(
            "server.listen = \"{listen}\" may reach beyond loopback but [server] token is not set, so `serve` will refuse to start; set token = \"${{SYNCER_API_TOKEN}}\" or listen on 127.0.0.1"
        )
    })
}
