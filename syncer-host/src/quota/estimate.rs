//! What a syncer's history says of its calls: the estimate of a full sync (its newest counted
//! run) and, from it, whether its `sync_interval` fits its monthly budget (`check`, `test`).

use syncer_core::RunStatus;

use super::budget;
use crate::config::SyncerSettings;
use crate::history::History;

/// The calls of `syncer`'s newest run that counted any (skipped rows and runs that made no
/// call left out).
pub async fn estimate_from(history: &History, syncer: &str) -> Option<u64> {
    let runs = history.runs(syncer, 5).await.ok()?;
    runs.iter()
        .filter(|run| run.status != RunStatus::Skipped)
        .filter_map(|run| run.report.as_ref())
        .map(|report| report.api_calls)
        .find(|calls| *calls > 0)
}

/// The warning of `check` and `test` when `settings`' interval spends more than its budget in
/// a month: judged by `estimate` (its newest counted run), else the smallest full sync.
pub fn interval_advice(settings: &SyncerSettings, estimate: Option<u64>) -> Option<String> {
    let budget = settings.monthly_call_budget?;
    if !settings.is_enabled {
        return None;
    }
    let (calls, basis) = match estimate {
        Some(calls) => (calls, "as its last run counted"),
        None => (
            budget::SMALLEST_FULL_SYNC,
            "the smallest directory's; no run counted yet",
        ),
    };
    budget::interval_advice(settings.sync_interval, calls, budget, basis)
        .map(|advice| format!("syncer {}: {advice}", settings.name))
}
