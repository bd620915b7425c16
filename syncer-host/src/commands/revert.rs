//! `revert RUN_ID`: undoes a run from its journal, as a run of kind `revert` of that run's
//! syncer, through the same runner (lock or lease, history, report) as `sync`.

use super::json::{print_json, RunOutput};
use crate::config::Config;
use crate::failure::Failure;
use crate::output;
use crate::revert::RevertError;
use crate::runner::{RunFlags, RunJob, Runner};
use crate::stdout::say;

/// `revert RUN_ID [--dry-run] [--json] [--delete-created] [--allow-mass-deprovision]`.
pub async fn revert(
    config: &Config,
    run_id: i64,
    flags: RunFlags,
    delete_created: bool,
    json: bool,
) -> Result<(), Failure> {
    let runner = Runner::for_config(config).await?;
    let (settings, job) = runner
        .find_revert(config, run_id, delete_created)
        .await
        .map_err(|error| match error {
            RevertError::UnknownRun(_) | RevertError::SyncerGone { .. } => {
                Failure::Usage(error.to_string())
            }
            RevertError::History(_) => Failure::Run(error.to_string()),
        })?;
    let progress = crate::progress::for_sync(json);
    let (new_run, report) = runner
        .run_job(settings, flags, RunJob::Revert(job), progress.as_ref())
        .await;
    drop(progress);
    if json {
        print_json(&RunOutput {
            run_id: new_run,
            report: &report,
        })?;
    } else {
        say!("{}", output::run(new_run, &report));
    }
    // The exit codes of `sync` (SPEC §4): 0 only when everything came back.
    match report.exit_code() {
        0 => Ok(()),
        _ => Err(Failure::Run(String::new())),
    }
}
