//! Applying change events: the people and departments they name are read again from the
//! source, one by one, and planned and written by the very functions of a full sync, on an
//! input of those people alone ([`PlanScope::Named`]): matching, ownership, only changed
//! fields, conflict screening, adoption rules and the groups of their departments. The IAM
//! users planned against are those the people can match or collide with, looked up by name,
//! id, e-mail and phone (with the account index for hires and leavers), or the whole listing
//! where the plan needs it (`change_users`); the writes keep the index (`index_writes`). A
//! department not yet a group is read and created, parents first. Nobody the events did not
//! name is touched, and a read that fails touches nobody.

use std::collections::{BTreeMap, HashSet};

use super::apply::apply_plan;
use super::change_report::{ChangeOutcome, ChangeReport};
use super::change_users::{plan_on, read_users, Asked};
use super::changes::ChangeSet;
use super::desired::{desired_users, prefix_departments};
use super::index_writes::{self, IndexWrites};
use super::options::SyncOptions;
use super::plan::PlanInputs;
use super::recorder::Recorder;
use super::report::{RunStatus, SyncReport};
use super::vocabulary::{PlanScope, RunKind};
use crate::account_index::AccountIndex;
use crate::events::{DepartmentLookup, PersonLookup};
use crate::group::IamGroup;
use crate::journal::Journal;
use crate::mapping::FieldMapping;
use crate::snapshot::{Department, SourceRecord};
use crate::syncer::{FetchError, Syncer};
use crate::target::{Target, TargetError};

/// Reads again everything the inputs' `changes` name and applies it, exactly as a full sync
/// would for those people and departments: writes journaled like a run's and kept in the
/// syncer's account index. Never panics on remote failures: they end up in the report.
pub async fn apply_changes(inputs: ChangeInputs<'_>) -> ChangeReport {
    let mut still_listed = Vec::new();
    let mut retry = false;
    let options = inputs.options;
    let report = SyncReport::of_run(options, RunKind::Sync, async |report: &mut SyncReport| {
        apply_into(report, &mut still_listed, &mut retry, inputs).await
    })
    .await;
    let mut settled = ChangeReport::settle(report, still_listed);
    settled.retry = retry;
    if retry {
        settled.outcome = ChangeOutcome::Failed;
    }
    settled
}

/// What [`apply_changes`] works with.
pub struct ChangeInputs<'a> {
    /// The directory the changes come from (read again for everyone they name).
    pub source: &'a dyn Syncer,
    /// Source fields → IAM fields.
    pub mapping: &'a FieldMapping,
    /// Where the users are written.
    pub target: &'a dyn Target,
    /// The run's options, as a full sync of the syncer has them.
    pub options: &'a SyncOptions,
    /// The people and departments the events named.
    pub changes: &'a ChangeSet,
    /// How many users events deprovisioned within the guard's window (see
    /// [`super::EventGuardWindow`]).
    pub recent_deprovisions: usize,
    /// Where writes are journaled, like a run's.
    pub journal: &'a dyn Journal,
    /// The syncer's account index ([`crate::NoIndex`]: read the whole listing for every hire
    /// and leaver).
    pub index: &'a dyn AccountIndex,
}

/// What the source says now about the people named.
#[derive(Default)]
struct People {
    records: Vec<SourceRecord>,
    gone: HashSet<String>,
}

async fn read_people(
    inputs: &ChangeInputs<'_>,
    report: &mut SyncReport,
    still_listed: &mut Vec<String>,
) -> Result<People, FetchError> {
    let mut people = People::default();
    for id in inputs.changes.all_people() {
        report.api_calls += 1;
        match inputs.source.fetch_person(id).await {
            Err(error) => {
                return Err(FetchError {
                    api: error.api,
                    message: format!(
                        "person {id} could not be read from the source, so nobody was changed (the next full sync catches up): {}",
                        error.message
                    ),
                })
            }
            Ok(PersonLookup::Gone) => {
                people.gone.insert(id.clone());
            }
            Ok(PersonLookup::Found(record)) if inputs.changes.people.contains(id) => {
                people.records.push(record);
            }
            Ok(PersonLookup::Found(_)) => still_listed.push(id.clone()),
        }
    }
    Ok(people)
}

/// The departments a plan of these people needs, by source id (without the group prefix):
/// those events named, read again; those the people sit in whose group does not exist yet,
/// read with every parent whose group does not exist either; and the rest as their groups
/// stand, so the plan leaves them as they are.
struct Departments<'a> {
    inputs: &'a ChangeInputs<'a>,
    groups: &'a [IamGroup],
    found: BTreeMap<String, Department>,
    removed: HashSet<String>,
    calls: u64,
}

impl Departments<'_> {
    fn group(&self, id: &str) -> Option<&IamGroup> {
        let name = format!("{}{id}", self.inputs.options.group_name_prefix);
        self.groups.iter().find(|group| group.name == name)
    }

    /// The department as its group stands (no write follows from it).
    fn as_its_group_stands(&self, id: &str, group: &IamGroup) -> Department {
        let prefix = &self.inputs.options.group_name_prefix;
        Department {
            id: id.to_owned(),
            name: group.display_name.clone(),
            parent_id: (!group.is_top_group).then(|| {
                group
                    .parent_id
                    .strip_prefix(prefix.as_str())
                    .unwrap_or(&group.parent_id)
                    .to_owned()
            }),
        }
    }

    async fn read(&mut self, id: &str) -> Result<Option<Department>, FetchError> {
        self.calls += 1;
        match self.inputs.source.fetch_department(id).await {
            Ok(DepartmentLookup::Found(department)) => Ok(Some(department)),
            Ok(DepartmentLookup::Gone) => Ok(None),
            Err(error) => Err(FetchError {
                api: error.api,
                message: format!(
                    "department {id} could not be read from the source, so nothing was changed (the next full sync catches up): {}",
                    error.message
                ),
            }),
        }
    }

    /// Reads `id` and every parent whose group does not exist yet.
    async fn read_with_parents(&mut self, id: &str, named: bool) -> Result<(), FetchError> {
        let mut next = Some(id.to_owned());
        while let Some(id) = next.take() {
            if self.found.contains_key(&id) || self.removed.contains(&id) {
                break;
            }
            match self.read(&id).await? {
                Some(department) => {
                    next = department
                        .parent_id
                        .clone()
                        .filter(|parent| self.group(parent).is_none());
                    self.found.insert(id, department);
                }
                None if named => {
                    self.removed.insert(id);
                }
                None => {}
            }
        }
        Ok(())
    }

    async fn collect(&mut self, people: &[SourceRecord]) -> Result<(), FetchError> {
        let changes = self.inputs.changes;
        for id in changes
            .departments
            .iter()
            .chain(&changes.removed_departments)
        {
            self.read_with_parents(id, true).await?;
        }
        let mut wanted: Vec<&String> = people
            .iter()
            .flat_map(|person| &person.departments)
            .collect();
        wanted.sort();
        wanted.dedup();
        for id in wanted {
            if self.found.contains_key(id) {
                continue;
            }
            match self.group(id) {
                Some(group) => {
                    let department = self.as_its_group_stands(id, group);
                    self.found.insert(id.clone(), department);
                }
                None => self.read_with_parents(id, false).await?,
            }
        }
        Ok(())
    }
}

/// Whether a target error means it cannot be reached now (try the event again later).
fn unreachable(error: &TargetError) -> bool {
    matches!(
        error,
        TargetError::Unavailable { .. } | TargetError::NoAnswer { .. }
    )
}

async fn apply_into(
    report: &mut SyncReport,
    still_listed: &mut Vec<String>,
    retry: &mut bool,
    inputs: ChangeInputs<'_>,
) -> RunStatus {
    let options = inputs.options;
    let target = inputs.target;
    let people = match read_people(&inputs, report, still_listed).await {
        Ok(people) => people,
        Err(error) => return report.fetch_failed(error),
    };
    let mut desired = desired_users(people.records.clone(), inputs.mapping);
    let asked = Asked {
        target,
        index: inputs.index,
        named: people
            .records
            .iter()
            .map(|person| person.id.clone())
            .chain(people.gone.iter().cloned())
            .collect(),
        gone: people.gone.iter().cloned().collect(),
        removed_departments: !inputs.changes.removed_departments.is_empty(),
    };
    let mut users = match read_users(&asked, options, &desired).await {
        Ok(users) => users,
        Err(error) => {
            *retry = unreachable(&error);
            return report.target_unreadable(&error);
        }
    };
    let groups = if options.sync_groups {
        match target.list_groups(&options.organization).await {
            Ok(groups) => groups,
            Err(error) => {
                *retry = unreachable(&error);
                return report.target_unreadable(&error);
            }
        }
    } else {
        Vec::new()
    };
    let (mut departments, removed) = if options.sync_groups {
        let mut read = Departments {
            inputs: &inputs,
            groups: &groups,
            found: BTreeMap::new(),
            removed: HashSet::new(),
            calls: 0,
        };
        let collected = read.collect(&people.records).await;
        report.api_calls += read.calls;
        if let Err(error) = collected {
            return report.fetch_failed(error);
        }
        (read.found.into_values().collect::<Vec<_>>(), read.removed)
    } else {
        (Vec::new(), HashSet::new())
    };
    report.departments = departments.len();
    prefix_departments(&options.group_name_prefix, &mut departments, &mut desired);
    report.record_desired(&desired);
    let prefix = &options.group_name_prefix;
    let scope = PlanScope::Named {
        gone: people.gone,
        removed_groups: removed.iter().map(|id| format!("{prefix}{id}")).collect(),
        recent_deprovisions: inputs.recent_deprovisions,
        managed: None,
    };
    let inputs_of_plan = PlanInputs {
        desired,
        departments: &departments,
        users: Vec::new(),
        groups,
        complete: true,
        mapping: inputs.mapping,
        scope,
    };
    let plan = match plan_on(&asked, &mut users, inputs_of_plan, options).await {
        Ok(plan) => plan,
        Err(error) => {
            *retry = unreachable(&error);
            return report.target_unreadable(&error);
        }
    };
    report.record_plan(&plan);
    if options.stop.is_raised() {
        return report.stopped_before_writing("reading the changes");
    }
    let index_writes = IndexWrites::of(&plan, users.is_whole(), &options.syncer);
    let opened = match index_writes::open(inputs.index, index_writes).await {
        Ok(opened) => opened,
        Err(error) => {
            *retry = true;
            return report.index_unwritable(&error);
        }
    };
    let mut recorder = Recorder::new(
        inputs.journal,
        &plan.listed_users,
        &plan.listed_groups,
        Default::default(),
    );
    let (applied, groups_applied) = apply_plan(
        &plan,
        target,
        options,
        &crate::snapshot::NoProgress,
        &mut recorder,
    )
    .await;
    index_writes::settle(inputs.index, opened, &applied).await;
    let halted = applied.halted.is_some() || groups_applied.halted.is_some();
    report.record_writes(
        plan.operations.len(),
        applied,
        groups_applied,
        recorder.error(),
    );
    if recorder.halted() || halted {
        return RunStatus::Failed;
    }
    report.settled(false)
}
