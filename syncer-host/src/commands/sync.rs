//! `test NAME`, `sync NAME` and `runs NAME`.

use serde::Serialize;
use syncer_core::{ConnectionCheck, NoProgress, RunStatus};

use super::print_json;
use crate::config::Config;
use crate::history::History;
use crate::output;
use crate::runner::{RunFlags, Runner};
use crate::Failure;

/// The runner for a config: its target and history.
pub fn runner(config: &Config) -> Result<Runner, Failure> {
    let target =
        crate::target::build(&config.target).map_err(|error| Failure::Run(error.to_string()))?;
    let history =
        History::open(&config.state_path).map_err(|error| Failure::Run(error.to_string()))?;
    Ok(Runner::new(target, history, config.state_path.clone()))
}

#[derive(Serialize)]
struct TestOutcome {
    syncer: String,
    ok: bool,
    checks: Vec<ConnectionCheck>,
    message: String,
}

/// `test NAME`: the source's checks, then the target's.
pub async fn test(config: &Config, name: &str, json: bool) -> Result<(), Failure> {
    let settings = config.syncer(name)?;
    let source = (settings.plugin.build)(&settings.plugin_config)
        .map_err(|error| Failure::Usage(error.to_string()))?;
    let mut report = source.test_connection().await;
    match crate::target::build(&config.target) {
        Ok(target) => report
            .checks
            .extend(target.check(&settings.organization).await),
        Err(error) => report
            .checks
            .push(ConnectionCheck::failed("target", error.to_string())),
    }
    let outcome = TestOutcome {
        syncer: name.to_owned(),
        ok: report.ok(),
        message: report.summary(),
        checks: report.checks,
    };
    if json {
        print_json(&outcome)?;
    } else {
        println!(
            "Test Connection of {name}: {}",
            if outcome.ok { "ok" } else { "FAILED" }
        );
        print!("{}", output::checks(&outcome.checks));
    }
    if outcome.ok {
        Ok(())
    } else {
        Err(Failure::Run(String::new()))
    }
}

/// `sync NAME`.
pub async fn sync(config: &Config, name: &str, flags: RunFlags, json: bool) -> Result<(), Failure> {
    let settings = config.syncer(name)?;
    let runner = runner(config)?;
    let (_, report) = runner.run(settings, flags, &NoProgress).await;
    if json {
        print_json(&report)?;
    } else {
        print!("{}", output::report(&report));
    }
    match report.status {
        RunStatus::Succeeded => Ok(()),
        _ => Err(Failure::Run(String::new())),
    }
}

/// `runs NAME`.
pub async fn runs(config: &Config, name: &str, json: bool, limit: usize) -> Result<(), Failure> {
    config.syncer(name)?;
    let history =
        History::open(&config.state_path).map_err(|error| Failure::Run(error.to_string()))?;
    let runs = history
        .runs(name, limit)
        .await
        .map_err(|error| Failure::Run(error.to_string()))?;
    if json {
        return print_json(&runs);
    }
    if runs.is_empty() {
        println!("no runs of {name} yet");
    }
    for run in runs {
        let counts = run
            .report
            .as_ref()
            .map(|r| {
                format!(
                    "fetched {} created {} updated {} disabled {} deleted {} failed {}",
                    r.counts.fetched,
                    r.counts.created,
                    r.counts.updated,
                    r.counts.disabled,
                    r.counts.deleted,
                    r.counts.failed
                )
            })
            .unwrap_or_default();
        println!(
            "#{:<5} {} {:<9}{} {}",
            run.run_id,
            run.started_at,
            run.status.as_str(),
            if run.dry_run { " (dry run)" } else { "" },
            counts
        );
    }
    Ok(())
}
