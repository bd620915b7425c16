//! The `--json` output of every command: one pretty JSON document on stdout.

use crate::stdout::sayln;
use serde::Serialize;
use syncer_core::SyncReport;

use crate::failure::Failure;

/// A run's report as `sync --json` and `revert --json` print it: the run's id (the one `runs`,
/// the API and `revert RUN_ID` know it by; `null` when the history could not record the run)
/// and the report's own fields.
#[derive(Serialize)]
pub struct RunOutput<'a> {
    /// The run's id in the history.
    pub run_id: Option<i64>,
    /// The report.
    #[serde(flatten)]
    pub report: &'a SyncReport,
}

/// Prints `value` as pretty JSON on stdout.
pub fn print_json(value: &impl serde::Serialize) -> Result<(), Failure> {
    let text = serde_json::to_string_pretty(value)
        .map_err(|error| Failure::Run(format!("cannot encode JSON: {error}")))?;
    sayln!("{text}");
    Ok(())
}
