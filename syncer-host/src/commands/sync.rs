//! `sync NAME`: one sync now, through the same runner (lock, history) as serve's runs.

use super::json::{print_json, RunOutput};
use crate::config::Config;
use crate::failure::Failure;
use crate::output;
use crate::runner::{RunFlags, Runner};
use crate::stdout::say;

/// `sync NAME [--dry-run] [--json] [--allow-mass-deprovision]`.
pub async fn sync(config: &Config, name: &str, flags: RunFlags, json: bool) -> Result<(), Failure> {
    let settings = config.syncer(name)?;
    let runner = Runner::for_config(config).await?;
    if let Some(warning) = runner.quota_warning(settings).await {
        eprintln!("warning: {warning}");
    }
    let progress = crate::progress::for_sync(json);
    let (run_id, report) = runner.run(settings, flags, progress.as_ref()).await;
    drop(progress);
    if json {
        print_json(&RunOutput {
            run_id,
            report: &report,
        })?;
    } else {
        say!("{}", output::run(run_id, &report));
    }
    // One rule for every caller (SPEC §4): `SyncReport::exit_code`, so a run refused because
    // another is going exits 1 like a failed one.
    match report.exit_code() {
        0 => Ok(()),
        _ => Err(Failure::Run(String::new())),
    }
}
