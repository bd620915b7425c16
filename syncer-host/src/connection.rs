//! Test Connection of a configured syncer: the source's own checks, then the target's. Shared by
//! `syncer-host test` and `POST /api/v1/syncers/{name}/test`.

use serde::Serialize;
use syncer_core::{ConnectionCheck, ConnectionReport, SharedMeter};

use crate::config::{Config, SyncerSettings};

/// The outcome of Test Connection, as the CLI prints it with `--json` and the API answers.
#[derive(Clone, Debug, Serialize)]
pub struct TestOutcome {
    /// The syncer.
    pub syncer: String,
    /// Whether every check passed.
    pub ok: bool,
    /// Every check, in order.
    pub checks: Vec<ConnectionCheck>,
    /// One sentence: the first failure, or that all passed.
    pub message: String,
}

/// Runs the source's and the target's checks for `settings`, counting the source's calls on
/// `meter` (the caller flushes it).
pub async fn test_connection(
    config: &Config,
    settings: &SyncerSettings,
    meter: Option<SharedMeter>,
) -> TestOutcome {
    let plugin_config = match meter {
        Some(meter) => settings.plugin_config.clone().with_meter(meter),
        None => settings.plugin_config.clone(),
    };
    let mut report = match (settings.plugin.build)(&plugin_config) {
        Ok(source) => source.test_connection().await,
        Err(error) => ConnectionReport {
            checks: vec![ConnectionCheck::failed("configuration", error.to_string())],
        },
    };
    match crate::target::build(&config.target) {
        Ok(target) => report
            .checks
            .extend(target.check(&settings.organization).await),
        Err(error) => report
            .checks
            .push(ConnectionCheck::failed("target", error.to_string())),
    }
    TestOutcome {
        syncer: settings.name.clone(),
        ok: report.ok(),
        message: report.summary(),
        checks: report.checks,
    }
}
