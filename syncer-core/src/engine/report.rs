//! The report of one run: what SPEC §4 lists for `--json`, and what the run history keeps. It
//! fills itself from what the run went through: the snapshot, the plan, and the applied writes.

use std::collections::BTreeMap;
use std::time::Instant;

use serde::{Deserialize, Serialize};

use super::apply::{Applied, GroupsApplied};
use super::options::SyncOptions;
use super::vocabulary::{
    DesiredUser, HeldBack, OperationKind, Plan, ReportError, RevertConflict, RunKind,
};
use crate::journal::JournalError;
use crate::secret::Secret;
use crate::snapshot::{FetchFailure, Snapshot};
use crate::syncer::FetchError;
use crate::target::TargetError;

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
    /// A sync, or a revert of an earlier run.
    #[serde(default)]
    pub kind: RunKind,
    /// For a revert, the id of the run it undoes (the host fills it in): a number, like the
    /// `run_id` it names. (Reports stored by earlier versions held it as text; they still read.)
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "run_id_as_number_or_text"
    )]
    pub reverts: Option<i64>,
    /// For a revert, the fields it left alone because they changed after the reverted run.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conflicts: Vec<RevertConflict>,
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
            kind: RunKind::Sync,
            reverts: None,
            conflicts: Vec::new(),
        }
    }

    /// Masks every one of `secrets` wherever the report quotes a remote answer (errors,
    /// notices, unread parts): a remote server may echo a credential it was sent ("Incorrect
    /// client secret ..."), and reports reach logs, the history and the API.
    pub fn redact(&mut self, secrets: &[Secret]) {
        let clean = |text: &mut String| {
            for secret in secrets {
                *text = secret.redact(text);
            }
        };
        for error in &mut self.errors {
            clean(&mut error.message);
        }
        for notice in &mut self.notices {
            clean(notice);
        }
        for failure in &mut self.incomplete {
            clean(&mut failure.message);
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

/// Filling the report, step by step as the run goes ([`super::run_sync`] calls these in order).
impl SyncReport {
    /// The report of a whole run of `kind` under `options`: started now, filled by `run` (which
    /// says how the run settled), then given that status, its duration and its end.
    pub(super) async fn of_run(
        options: &SyncOptions,
        kind: RunKind,
        run: impl AsyncFnOnce(&mut SyncReport) -> RunStatus,
    ) -> SyncReport {
        let clock = Instant::now();
        let mut report =
            SyncReport::starting(&options.syncer, &options.organization, options.dry_run);
        report.kind = kind;
        report.status = run(&mut report).await;
        report.duration_ms = u64::try_from(clock.elapsed().as_millis()).unwrap_or(u64::MAX);
        report.finished_at =
            chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        report
    }

    /// The fetch failed: the run ends `failed`.
    pub(super) fn fetch_failed(&mut self, error: FetchError) -> RunStatus {
        self.problem(None, error.api, error.message);
        RunStatus::Failed
    }

    /// The target could not be read: the run ends `failed`.
    pub(super) fn target_unreadable(&mut self, error: &TargetError) -> RunStatus {
        self.problem(None, Some(error.api().to_owned()), error.to_string());
        RunStatus::Failed
    }

    /// The account index could not be marked as being written: nothing was written, since
    /// the index would no longer tell what IAM holds.
    pub(super) fn index_unwritable(
        &mut self,
        error: &crate::account_index::IndexError,
    ) -> RunStatus {
        self.problem(
            None,
            None,
            format!("nothing was written: {error} (it must be marked before a write changes the accounts it lists)"),
        );
        RunStatus::Failed
    }

    /// The stop signal caught the run before its first write: it ends `partial` (see
    /// [`super::run_sync`]).
    pub(super) fn stopped_before_writing(&mut self, after: &str) -> RunStatus {
        self.problem(
            None,
            None,
            format!(
                "stopped by shutdown after {after}: nothing was written; the next run starts over"
            ),
        );
        RunStatus::Partial
    }

    /// What the fetch read: API calls, departments, and the parts it could not read.
    pub(super) fn record_snapshot(&mut self, snapshot: &Snapshot) {
        self.api_calls = snapshot.total_api_calls();
        self.api_calls_by_api = snapshot.api_calls.clone();
        self.departments = snapshot.departments.len();
        self.incomplete = snapshot.failures.clone();
        self.notices.extend(snapshot.notices.iter().cloned());
        self.errors
            .extend(snapshot.failures.iter().map(|failure| ReportError {
                user: None,
                api: Some(failure.api.clone()),
                message: format!("{}: {}", failure.scope, failure.message),
            }));
    }

    /// The people read from the source, after deduplication.
    pub(super) fn record_desired(&mut self, desired: &[DesiredUser]) {
        self.counts.fetched = desired.len();
    }

    /// What the plan decided before any write: notices, users and groups left alone, users
    /// refused, and deprovisioning withheld.
    pub(super) fn record_plan(&mut self, plan: &Plan) {
        self.notices.extend(plan.notices.iter().cloned());
        self.notices.extend(
            plan.skipped
                .iter()
                .map(|skipped| format!("user {} skipped: {}", skipped.user, skipped.reason)),
        );
        self.notices.extend(
            plan.groups
                .kept
                .iter()
                .chain(&plan.groups.skipped)
                .map(|kept| format!("group {}: {}", kept.user, kept.reason)),
        );
        self.counts.unchanged = plan.unchanged;
        self.counts.skipped = plan.skipped.len();
        self.counts.failed = plan.rejected.len();
        self.held_back = plan.held_back.clone();
        for refused in &plan.rejected {
            self.problem(Some(refused.user.clone()), None, refused.reason.clone());
        }
        if let Some(held) = &plan.held_back {
            self.problem(None, None, held.reason.clone());
        }
    }

    /// A revert's conflicts: fields it keeps because they changed since the reverted run (the
    /// run is then `partial`: not everything came back).
    pub(super) fn record_conflicts(&mut self, conflicts: Vec<RevertConflict>) {
        self.conflicts = conflicts;
    }

    /// A dry run: the counts are what the plan would write, and the plan is listed.
    pub(super) fn record_dry_run(&mut self, plan: &Plan) {
        self.counts.created = plan.count(OperationKind::Create);
        self.counts.updated = plan.count(OperationKind::Update);
        self.counts.disabled = plan.count(OperationKind::Disable);
        self.counts.deleted = plan.count(OperationKind::Delete);
        self.counts.groups_created = plan.groups.creates.len();
        self.counts.groups_updated = plan.groups.updates.len();
        self.counts.groups_deleted = plan.groups.deletes.len();
        self.plan = Some(PlannedChanges::from_plan(plan));
    }

    /// [`Self::record_writes`], and how the run ends: `failed` when the journal, the deadline or
    /// the circuit breaker halted the writes, else as [`Self::settled`] says.
    pub(super) fn record_writes_and_settle(
        &mut self,
        planned: usize,
        users: Applied,
        groups: GroupsApplied,
        journal: Option<&JournalError>,
        stopped: bool,
    ) -> RunStatus {
        let halted = journal.is_some() || users.halted.is_some() || groups.halted.is_some();
        self.record_writes(planned, users, groups, journal);
        if halted {
            RunStatus::Failed
        } else {
            self.settled(stopped)
        }
    }

    /// The writes sent: what succeeded, what failed, and how many of the `planned` user writes
    /// a shutdown, the deadline, the circuit breaker (or a journal that could not record them)
    /// kept from being sent.
    pub(super) fn record_writes(
        &mut self,
        planned: usize,
        users: Applied,
        groups: GroupsApplied,
        journal: Option<&JournalError>,
    ) {
        let unsent = (planned as u64).saturating_sub(users.writes + users.withheld);
        match (journal, users.halted.as_ref().or(groups.halted.as_ref())) {
            (Some(error), _) => self.problem(
                None,
                None,
                format!("{error}: the run stopped writing, and {unsent} planned user write(s) were not sent (a write the journal cannot record could not be undone)"),
            ),
            (None, Some(why)) => self.problem(
                None,
                None,
                format!("{unsent} planned write(s) were not sent: {why}"),
            ),
            (None, None) if unsent > 0 => self.problem(
                None,
                None,
                format!(
                    "stopped by shutdown: {unsent} planned write(s) were not sent; the next run will send them"
                ),
            ),
            (None, None) => {}
        }
        self.counts.created = users.count(OperationKind::Create);
        self.counts.updated = users.count(OperationKind::Update);
        self.counts.disabled = users.count(OperationKind::Disable);
        self.counts.deleted = users.count(OperationKind::Delete);
        self.counts.failed += users.failures.len();
        self.counts.groups_created = groups.created;
        self.counts.groups_updated = groups.updated;
        self.counts.groups_deleted = groups.deleted;
        self.counts.groups_failed = groups.failures.len();
        self.target_writes = users.writes + groups.writes;
        self.errors.extend(users.failures);
        self.errors.extend(groups.failures);
    }

    /// How a run that got through its plan ended: `succeeded` when nothing failed, nothing was
    /// left unread or withheld, and no shutdown cut it short; `partial` otherwise.
    pub(super) fn settled(&self, stopped: bool) -> RunStatus {
        let clean = self.counts.failed == 0
            && self.conflicts.is_empty()
            && !stopped
            && self.counts.groups_failed == 0
            && self.incomplete.is_empty()
            && self.held_back.is_none();
        if clean {
            RunStatus::Succeeded
        } else {
            RunStatus::Partial
        }
    }

    fn problem(&mut self, user: Option<String>, api: Option<String>, message: String) {
        self.errors.push(ReportError { user, api, message });
    }
}

/// A run id written as a number, or as the text of one (how earlier versions stored it).
fn run_id_as_number_or_text<'de, D>(deserializer: D) -> Result<Option<i64>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum RunId {
        Number(i64),
        Text(String),
    }
    match Option::<RunId>::deserialize(deserializer)? {
        None => Ok(None),
        Some(RunId::Number(id)) => Ok(Some(id)),
        Some(RunId::Text(text)) => text
            .parse()
            .map(Some)
            .map_err(|_| serde::de::Error::custom(format!("`reverts` is not a run id: {text:?}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redact_masks_every_secret_in_every_message() {
        let mut report = SyncReport::starting("acme-dt", "acme", false);
        report.errors.push(ReportError {
            user: Some("u1".into()),
            api: Some("add-user".into()),
            message: "Incorrect client secret IAMSECRET-1 (also DTSECRET-2)".into(),
        });
        report.notices.push("echo DTSECRET-2".into());
        report.redact(&[Secret::new("IAMSECRET-1"), Secret::new("DTSECRET-2")]);
        let shown = serde_json::to_string(&report).expect("serializes");
        assert!(
            !shown.contains("IAMSECRET-1") && !shown.contains("DTSECRET-2"),
            "{shown}"
        );
        assert!(shown.contains("Incorrect client secret ***"), "{shown}");
    }

    #[test]
    fn the_reverted_run_is_a_number_and_reports_stored_with_text_still_read() {
        let mut report = SyncReport::starting("acme-dt", "acme", false);
        report.kind = RunKind::Revert;
        report.reverts = Some(42);
        let mut stored = serde_json::to_value(&report).expect("serializes");
        assert_eq!(stored["reverts"], 42);
        stored["reverts"] = serde_json::json!("41");
        let earlier: SyncReport = serde_json::from_value(stored.clone()).expect("text reads");
        assert_eq!(earlier.reverts, Some(41));
        stored["reverts"] = serde_json::json!("forty");
        assert!(serde_json::from_value::<SyncReport>(stored).is_err());
        let mut sync = serde_json::to_value(SyncReport::starting("a", "b", false)).expect("json");
        assert!(sync.get("reverts").is_none());
        sync["reverts"] = serde_json::Value::Null;
        let read: SyncReport = serde_json::from_value(sync).expect("null reads");
        assert_eq!(read.reverts, None);
    }

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
