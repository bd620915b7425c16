//! The engine's vocabulary: the people the source wants, the writes a plan holds, the users and
//! groups left alone, the deprovisioning withheld, and a problem of a run. Every engine module
//! speaks these types; this module imports no other engine module.

use std::collections::{BTreeMap, HashSet};

use serde::{Deserialize, Serialize};

use crate::field::{FieldValue, IamField};
use crate::group::IamGroup;
use crate::user::IamUser;

/// A person the source wants in IAM, after mapping.
#[derive(Clone, Debug, PartialEq)]
pub struct DesiredUser {
    /// The source's id of the person.
    pub source_id: String,
    /// The mapped IAM values.
    pub values: BTreeMap<IamField, FieldValue>,
    /// The ids of the person's departments (their groups).
    pub departments: Vec<String>,
    /// Mapped flag fields the source left unknown for this person (`active` missing): IAM's
    /// value is kept, neither set nor cleared.
    pub unknown: Vec<IamField>,
    /// Whether the mapped Name is the identity the source generated for the person (see
    /// [`crate::FieldMapping::name_is_stable`]): only then is an unmanaged IAM account of that
    /// Name evidently theirs.
    pub stable_name: bool,
}

impl DesiredUser {
    /// The mapped value of `field` as text (empty when it is not mapped).
    pub(super) fn text(&self, field: IamField) -> String {
        self.values
            .get(&field)
            .map(|value| value.as_text().into())
            .unwrap_or_default()
    }
}

/// Which people and departments a plan decides about.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum PlanScope {
    /// The whole organization (a full sync): every managed user missing from the source is a
    /// leaver, every managed group whose department is gone is deleted once empty.
    #[default]
    Everyone,
    /// Only what change events named (the source was read for those alone): the people given
    /// are planned as a full sync would plan them, but only the managed users whose source id
    /// is in `gone` are leavers, and only the managed groups in `removed_groups` may be
    /// deleted. Every other user and group is left as it is.
    Named {
        /// Source ids the directory confirmed are no longer members.
        gone: HashSet<String>,
        /// Names of groups whose department the directory removed.
        removed_groups: HashSet<String>,
        /// Deprovisions events already made within the guard's window: the guard counts
        /// them with this plan's.
        recent_deprovisions: usize,
        /// How many users the syncer manages who may sign in, from the account index, when
        /// the users given are not the whole listing (`None`: counted on the users given).
        managed: Option<usize>,
    },
}

impl PlanScope {
    /// Whether a managed user with source id `source_id` who is not among the people read is
    /// a leaver in this scope.
    pub fn is_leaver(&self, source_id: Option<&str>) -> bool {
        match self {
            Self::Everyone => true,
            Self::Named { gone, .. } => source_id.is_some_and(|id| gone.contains(id)),
        }
    }
}

/// What a planned write does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OperationKind {
    /// `add-user`.
    Create,
    /// `update-user` of mapped fields (also adoption and re-enabling a returning leaver).
    Update,
    /// `update-user` setting IsForbidden for a leaver.
    Disable,
    /// `delete-user` of a leaver.
    Delete,
}

/// One planned write.
#[derive(Clone, Debug, PartialEq)]
pub struct Operation {
    /// What it does.
    pub kind: OperationKind,
    /// The full user as it should be after the write (boxed: plans of 100,000 operations grow
    /// their list by copying, and a small element keeps that cheap).
    pub user: Box<IamUser>,
    /// For updates, exactly the fields that change.
    pub columns: Vec<IamField>,
    /// The source id of the person (`None` for leavers gone from the source).
    pub source_id: Option<String>,
    /// When to send it: every write of a phase finishes before the next phase starts, so a
    /// user who takes over an e-mail or phone another user gives up in the same run is
    /// written after that other user (0 for almost every write).
    pub phase: usize,
}

impl Operation {
    /// The identity to report this operation under: the source id, or the IAM name.
    pub fn subject(&self) -> String {
        self.source_id
            .clone()
            .unwrap_or_else(|| self.user.qualified_name())
    }
}

/// A person (or group) left alone, with the reason.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Skipped {
    /// The source id (or IAM name).
    pub user: String,
    /// Why.
    pub reason: String,
}

/// Deprovisioning that was planned but withheld for safety.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeldBack {
    /// How many users would have been deprovisioned.
    pub count: usize,
    /// Why nobody was.
    pub reason: String,
    /// In a dry run, who would have been deprovisioned and how, for review before overriding.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub users: Vec<WithheldUser>,
}

/// One user whose deprovisioning was withheld.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WithheldUser {
    /// The source id (or IAM name for users without one).
    pub user: String,
    /// The IAM user, `owner/name`.
    pub iam_user: String,
    /// What would have happened: `disable` or `delete`.
    pub action: OperationKind,
}

impl WithheldUser {
    /// The user `op` would have deprovisioned, as a withheld one.
    pub fn of(op: &Operation) -> Self {
        Self {
            user: op.subject(),
            iam_user: op.user.qualified_name(),
            action: op.kind,
        }
    }

    /// The users `ops` would have deprovisioned, listed in a dry run only (for the operator to
    /// review before overriding the guard); a real run lists none.
    pub(super) fn in_dry_run<'a>(
        dry_run: bool,
        ops: impl IntoIterator<Item = &'a Operation>,
    ) -> Vec<Self> {
        if dry_run {
            ops.into_iter().map(Self::of).collect()
        } else {
            Vec::new()
        }
    }
}

/// The group writes of a run.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct GroupPlan {
    /// Groups to create, parents before children.
    pub creates: Vec<IamGroup>,
    /// Groups to rewrite (renamed, moved, or adopted), as full groups.
    pub updates: Vec<IamGroup>,
    /// Groups to delete, children before parents.
    pub deletes: Vec<IamGroup>,
    /// Groups already as they should be.
    pub unchanged: usize,
    /// Departments gone from the source whose group is kept, and why.
    pub kept: Vec<Skipped>,
    /// Groups left alone because someone else manages them.
    pub skipped: Vec<Skipped>,
}

impl GroupPlan {
    /// How many group writes the plan holds.
    pub fn writes(&self) -> usize {
        self.creates.len() + self.updates.len() + self.deletes.len()
    }
}

/// The result of the diff.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Plan {
    /// Writes to make, creates first, then updates, then deprovisions.
    pub operations: Vec<Operation>,
    /// Desired users already as they should be.
    pub unchanged: usize,
    /// Users deliberately not touched (owned by someone else, or unsafe to adopt).
    pub skipped: Vec<Skipped>,
    /// Users that cannot be synced as the source has them, caught before sending: refused
    /// outright (a name IAM refuses, an unsafe match), or written without a value another IAM
    /// user holds (a duplicate e-mail or phone).
    pub rejected: Vec<Skipped>,
    /// Deprovisioning withheld by a safety rule.
    pub held_back: Option<HeldBack>,
    /// How many users of the organization this syncer manages and who may sign in (not
    /// forbidden, not deleted): the base of the mass-deprovision guard.
    pub managed: usize,
    /// Group writes (departments as groups).
    pub groups: GroupPlan,
    /// Things the operator should know that are not failures (a field left alone because
    /// the source seems unable to read it).
    pub notices: Vec<String>,
    /// The target's users the plan was made from: what the journal records as the values
    /// before each write.
    pub listed_users: Vec<IamUser>,
    /// The target's groups the plan was made from.
    pub listed_groups: Vec<IamGroup>,
}

impl Plan {
    /// Operations of one kind.
    pub fn of_kind(&self, kind: OperationKind) -> impl Iterator<Item = &Operation> {
        self.operations.iter().filter(move |op| op.kind == kind)
    }

    /// How many operations of one kind.
    pub fn count(&self, kind: OperationKind) -> usize {
        self.of_kind(kind).count()
    }
}

/// A field a revert left alone because it changed after the reverted run wrote it (by a person,
/// or by a later run): it holds neither what the run wrote nor what was there before.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RevertConflict {
    /// The user or group, `owner/name` (groups as `group owner/name`).
    pub user: String,
    /// The field (`DisplayName`, `Properties.syncer_source_id`, a group's `displayName`).
    pub field: String,
    /// What the field held before the reverted run.
    pub before: serde_json::Value,
    /// What the reverted run wrote.
    pub written: serde_json::Value,
    /// What it holds now (and keeps).
    pub now: serde_json::Value,
}

/// What kind of run a report is of.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RunKind {
    /// A sync from the source.
    #[default]
    Sync,
    /// The undoing of an earlier run from its journal.
    Revert,
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
