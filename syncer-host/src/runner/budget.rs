//! The runner's side of the monthly call budget: this month's counts of a syncer (the state's
//! and this process's unwritten ones), the estimate of a full sync, whether a scheduled run may
//! start, what a manual run is warned of, and lifting the used-up mark once a run gets through.

use syncer_core::{RunStatus, SyncReport};

use super::Runner;
use crate::config::SyncerSettings;
use crate::quota::estimate::{estimate_from, interval_advice};
use crate::quota::{Admission, Month, Standing};
use crate::state::quota::{MonthUsage, QuotaError};

impl Runner {
    /// `settings`' counts of this month: what the state holds plus what this process counted
    /// and has not written yet.
    pub async fn usage(
        &self,
        settings: &SyncerSettings,
    ) -> Result<(Month, MonthUsage), QuotaError> {
        let month = Month::of(self.ledger.now());
        let mut usage = self
            .ledger
            .book()
            .usage(&settings.name, &month.key())
            .await?;
        usage.calls += self.ledger.unwritten(&settings.name);
        Ok((month, usage))
    }

    /// The calls a full sync of `settings` needs, as its newest counted run spent (`None`
    /// before any).
    pub async fn estimate(&self, settings: &SyncerSettings) -> Option<u64> {
        estimate_from(self.history(), &settings.name).await
    }

    /// Whether a scheduled full sync of `settings` may start under its monthly call budget. The
    /// state unreadable, it may (a sync that cannot be counted is better than a leaver who
    /// keeps access), with a warning in the log.
    pub async fn admission(&self, settings: &SyncerSettings) -> Admission {
        let usage = match self.usage(settings).await {
            Ok((_, usage)) => usage,
            Err(error) => {
                tracing::warn!(syncer = %settings.name, %error, "cannot read this month's API calls; the scheduled run goes");
                return Admission::Go;
            }
        };
        let estimate = self.estimate(settings).await;
        self.standing(settings, &usage).scheduled(estimate)
    }

    /// What a sync started by hand is warned of under the monthly call budget.
    pub async fn quota_warning(&self, settings: &SyncerSettings) -> Option<String> {
        let (_, usage) = self.usage(settings).await.ok()?;
        let estimate = self.estimate(settings).await;
        self.standing(settings, &usage).manual_warning(estimate)
    }

    fn standing<'a>(&self, settings: &'a SyncerSettings, usage: &'a MonthUsage) -> Standing<'a> {
        Standing {
            remote: settings.plugin.type_name,
            usage,
            budget: settings.monthly_call_budget,
            now: self.ledger.now(),
        }
    }

    /// Whether `settings`' `sync_interval` spends more than its budget in a month, judged by
    /// its newest counted run (or the smallest full sync there is).
    pub async fn interval_advice(&self, settings: &SyncerSettings) -> Option<String> {
        interval_advice(settings, self.estimate(settings).await)
    }

    /// A run that read the source this month (succeeded or partial, with calls) proves the
    /// remote serves it again (an upgraded edition): the month's used-up mark is lifted, so the
    /// schedule resumes.
    pub(super) async fn lift_exhausted(&self, settings: &SyncerSettings, report: &SyncReport) {
        let read = matches!(report.status, RunStatus::Succeeded | RunStatus::Partial);
        if !read || report.api_calls == 0 {
            return;
        }
        let Ok((month, usage)) = self.usage(settings).await else {
            return;
        };
        if usage.exhausted.is_none() {
            return;
        }
        match self
            .ledger
            .book()
            .clear_exhausted(&settings.name, &month.key())
            .await
        {
            Ok(()) => {
                tracing::info!(syncer = %settings.name, "a run got through: the used-up quota mark of this month is lifted")
            }
            Err(error) => tracing::warn!(%error, "could not lift the used-up quota mark"),
        }
    }
}
