//! `test NAME`, `sync NAME` and `runs NAME`.

use super::print_json;
use crate::config::Config;
use crate::connection::test_connection;
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

/// `test NAME`: the source's checks, then the target's.
pub async fn test(config: &Config, name: &str, json: bool) -> Result<(), Failure> {
    let settings = config.syncer(name)?;
    let outcome = test_connection(config, settings).await;
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
    let progress = crate::progress::for_sync(json);
    let (_, report) = runner.run(settings, flags, progress.as_ref()).await;
    drop(progress);
    if json {
        print_json(&report)?;
    } else {
        print!("{}", output::report(&report));
    }
    // One rule for every caller (SPEC §4): `SyncReport::exit_code`, so a run refused because
    // another is going exits 1 like a failed one.
    match report.exit_code() {
        0 => Ok(()),
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
