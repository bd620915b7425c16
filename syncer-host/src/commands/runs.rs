//! `runs NAME`: a syncer's run history, newest first.

use super::json::print_json;
use crate::config::Config;
use crate::failure::Failure;
use crate::stdout::sayln;
use crate::store::RunStore;

/// `runs NAME [--json] [--limit N]`.
pub async fn runs(config: &Config, name: &str, json: bool, limit: usize) -> Result<(), Failure> {
    config.syncer(name)?;
    let store = RunStore::for_config(config)
        .await
        .map_err(|error| Failure::Run(error.to_string()))?;
    let runs = store
        .history()
        .runs(name, limit)
        .await
        .map_err(|error| Failure::Run(error.to_string()))?;
    if json {
        return print_json(&runs);
    }
    if runs.is_empty() {
        sayln!("no runs of {name} yet");
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
        let reverts = run
            .report
            .as_ref()
            .and_then(|r| r.reverts)
            .map(|id| format!(" (revert of #{id})"))
            .unwrap_or_default();
        sayln!(
            "#{:<5} {} {:<9}{}{} {}",
            run.run_id,
            run.started_at,
            run.status.as_str(),
            if run.dry_run { " (dry run)" } else { "" },
            reverts,
            counts
        );
    }
    Ok(())
}
