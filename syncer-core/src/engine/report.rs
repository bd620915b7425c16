//! The report of one run: what SPEC §4 lists for `--json`, and what the run history keeps.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::plan::{HeldBack, OperationKind, Plan};
use crate::snapshot::FetchFailure;

/// How a run ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RunStatus {
    /// Still going.
    Running,
    /// Everything done.
    Succeeded,
    /// Done, but something was left out: rejected users, an incomplete fetch, a tripped guard.
    Partial,
    /// Nothing (or nothing reliable) was done.
    Failed,
    /// Not run (another run of the syncer was going).
    Skipped,
}

impl RunStatus {
    /// The lowercase name used in JSON and tables.
    pub fn as_str(self) -> &'static str {
        match self {
            RunStatus::Running => "running",
            RunStatus::Succeeded => "succeeded",
            RunStatus::Partial => "partial",
            RunStatus::Failed => "failed",
            RunStatus::Skipped => "skipped",
        }
    }
}

/// How many users went which way.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    /// Users read from the source (after deduplication).
    pub fetched: usize,
    /// Users created (or, in a dry run, that would be).
    pub created: usize,
    /// Users updated.
    pub updated: usize,
    /// Users already up to date.
    pub unchanged: usize,
    /// Leavers disabled.
    pub disabled: usize,
    /// Leavers deleted.
    pub deleted: usize,
    /// Users that failed (refused before sending or by the target).
    pub failed: usize,
    /// Users deliberately left alone (managed by someone else).
    pub skipped: usize,
    /// Groups created (departments).
    pub groups_created: usize,
    /// Groups updated (renamed or moved departments).
    pub groups_updated: usize,
    /// Groups deleted (departments gone and emptied).
    pub groups_deleted: usize,
    /// Group writes the target refused.
    pub groups_failed: usize,
}

/// One problem of a run, with the user or API it concerns.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportError {
    /// The user (source id or IAM `owner/name`), when it concerns one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// The API, when it concerns one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub api: Option<String>,
    /// What happened, and what to do.
    pub message: String,
}

/// One user in a dry-run plan.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlannedUser {
    /// The source id (or IAM name for leavers without one).
    pub user: String,
    /// The IAM user, `owner/name`.
    pub iam_user: String,
    /// For updates, the fields that would change.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<String>,
}

/// Who a dry run would create, update, disable and delete.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlannedChanges {
    /// Would be created.
    pub create: Vec<PlannedUser>,
    /// Would be updated.
    pub update: Vec<PlannedUser>,
    /// Would be disabled.
    pub disable: Vec<PlannedUser>,
    /// Would be deleted.
    pub delete: Vec<PlannedUser>,
    /// Groups that would be created, updated and deleted (`owner/name`).
    pub groups: PlannedGroups,
}

/// Group writes of a dry run.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlannedGroups {
    /// Would be created.
    pub create: Vec<String>,
    /// Would be updated.
    pub update: Vec<String>,
    /// Would be deleted.
    pub delete: Vec<String>,
}

impl PlannedChanges {
    /// Lists a plan's operations by kind.
    pub fn from_plan(plan: &Plan) -> Self {
        let list = |kind: OperationKind| {
            plan.of_kind(kind)
                .map(|op| PlannedUser {
                    user: op.subject(),
                    iam_user: op.user.qualified_name(),
                    fields: op.columns.iter().map(|c| c.name().to_owned()).collect(),
                })
                .collect()
        };
        Self {
            create: list(OperationKind::Create),
            update: list(OperationKind::Update),
            disable: list(OperationKind::Disable),
            delete: list(OperationKind::Delete),
            groups: PlannedGroups {
                create: plan
                    .groups
                    .creates
                    .iter()
                    .map(|g| g.qualified_name())
                    .collect(),
                update: plan
                    .groups
                    .updates
                    .iter()
                    .map(|g| g.qualified_name())
                    .collect(),
                delete: plan
                    .groups
                    .deletes
                    .iter()
                    .map(|g| g.qualified_name())
                    .collect(),
            },
        }
    }
}

/// The report of one sync run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SyncReport {
    /// The syncer's name.
    pub syncer: String,
    /// The IAM organization.
    pub organization: String,
    /// How it ended.
    pub status: RunStatus,
    /// Whether this was a dry run (counts are then what would happen).
    pub dry_run: bool,
    /// The counts.
    pub counts: Counts,
    /// Source API calls made.
    pub api_calls: u64,
    /// Source API calls by API.
    pub api_calls_by_api: BTreeMap<String, u64>,
    /// Writes sent to the target.
    pub target_writes: u64,
    /// Departments read.
    pub departments: usize,
    /// Wall time in milliseconds.
    pub duration_ms: u64,
    /// Start, RFC 3339.
    pub started_at: String,
    /// End, RFC 3339.
    pub finished_at: String,
    /// Problems, each with the user or API it concerns.
    pub errors: Vec<ReportError>,
    /// Parts of the source that could not be read.
    pub incomplete: Vec<FetchFailure>,
    /// Deprovisioning withheld for safety, and why.
    pub held_back: Option<HeldBack>,
    /// Things worth knowing that are not failures (groups kept, groups left to others).
    #[serde(default)]
    pub notices: Vec<String>,
    /// In a dry run, who would be changed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub plan: Option<PlannedChanges>,
}

impl SyncReport {
    /// A report of a run that starts now, with nothing done yet (status `running`).
    pub fn starting(syncer: &str, organization: &str, dry_run: bool) -> Self {
        let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        Self {
            syncer: syncer.to_owned(),
            organization: organization.to_owned(),
            status: RunStatus::Running,
            dry_run,
            counts: Counts::default(),
            api_calls: 0,
            api_calls_by_api: BTreeMap::new(),
            target_writes: 0,
            departments: 0,
            duration_ms: 0,
            started_at: now.clone(),
            finished_at: now,
            errors: Vec::new(),
            incomplete: Vec::new(),
            held_back: None,
            notices: Vec::new(),
            plan: None,
        }
    }

    /// The process exit code SPEC §4 prescribes: 0 when fully succeeded, 1 otherwise — failed,
    /// partial, and also skipped (refused because another run of the syncer was going), since
    /// the sync that was asked for did not happen.
    pub fn exit_code(&self) -> u8 {
        match self.status {
            RunStatus::Succeeded => 0,
            RunStatus::Running | RunStatus::Partial | RunStatus::Failed | RunStatus::Skipped => 1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_fully_successful_run_exits_zero() {
        let mut report = SyncReport::starting("acme-dt", "acme", false);
        for (status, code) in [
            (RunStatus::Succeeded, 0),
            (RunStatus::Partial, 1),
            (RunStatus::Failed, 1),
            (RunStatus::Skipped, 1),
            (RunStatus::Running, 1),
        ] {
            report.status = status;
            assert_eq!(report.exit_code(), code, "{status:?}");
        }
    }
}
