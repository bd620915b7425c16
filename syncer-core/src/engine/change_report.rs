//! What applying a batch of change events did: the outcome an event is reported with, and the
//! run-like report (counts, errors, withheld deprovisions) it was decided from.

use serde::{Deserialize, Serialize};

use super::report::{RunStatus, SyncReport};

/// How one event (or the batch it was coalesced into) ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeOutcome {
    /// Written to the target.
    Applied,
    /// Read again and found already as the target holds it: no write.
    Unchanged,
    /// Deprovisions withheld by the guard (the full sync decides).
    HeldBack,
    /// A read or a write failed; recorded, and the next full sync tries again.
    Failed,
    /// An event type the syncer has no use for.
    Ignored,
    /// The same event again (deduplicated on its id): nothing read, nothing written.
    Duplicate,
}

impl ChangeOutcome {
    /// The lowercase name used in JSON, metrics and tables.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Applied => "applied",
            Self::Unchanged => "unchanged",
            Self::HeldBack => "held_back",
            Self::Failed => "failed",
            Self::Ignored => "ignored",
            Self::Duplicate => "duplicate",
        }
    }
}

/// What applying a [`super::ChangeSet`] did.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ChangeReport {
    /// How it ended.
    pub outcome: ChangeOutcome,
    /// Whether the target could not be reached, so nothing was decided: the directory should
    /// deliver the events again (DingTalk `LATER`).
    pub retry: bool,
    /// Users the events deprovisioned (disabled or deleted): they count in the guard's window.
    pub deprovisioned: usize,
    /// People the directory still lists although an event said they left: not touched.
    pub still_listed: Vec<String>,
    /// The run-like report: counts, writes, errors, what was held back.
    pub report: SyncReport,
}

impl ChangeReport {
    /// The report of a batch whose events decided the outcome from `report`.
    pub(super) fn settle(report: SyncReport, still_listed: Vec<String>) -> Self {
        let counts = &report.counts;
        let outcome = if report.status == RunStatus::Failed
            || counts.failed > 0
            || counts.groups_failed > 0
            || !report.errors.is_empty() && report.held_back.is_none()
        {
            ChangeOutcome::Failed
        } else if report.held_back.is_some() {
            ChangeOutcome::HeldBack
        } else if report.target_writes > 0 {
            ChangeOutcome::Applied
        } else {
            ChangeOutcome::Unchanged
        };
        Self {
            outcome,
            retry: false,
            deprovisioned: counts.disabled + counts.deleted,
            still_listed,
            report,
        }
    }

    /// The first problem, in one sentence, for an event's listing.
    pub fn error(&self) -> Option<String> {
        self.report.errors.first().map(|error| match &error.user {
            Some(user) => format!("{user}: {}", error.message),
            None => error.message.clone(),
        })
    }
}
