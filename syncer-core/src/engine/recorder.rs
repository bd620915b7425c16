//! The engine's side of the journal: turns a chunk of planned writes into journal entries (the
//! object, every field written with its value before and after, the whole image of what is
//! deleted), records them before the chunk is sent and the outcomes after. One journal call per
//! chunk, never one per write. Once the journal fails, nothing more is sent.

use std::collections::{HashMap, HashSet};

use serde_json::{Map, Value};

use super::vocabulary::{Operation, OperationKind};
use crate::field::{FieldValue, IamField};
use crate::group::IamGroup;
use crate::journal::{
    is_secret_key, FieldChange, Journal, JournalEntry, JournalError, JournalObject, ObjectKind,
    Outcome, OutcomeRecord, WriteKind,
};
use crate::target::Target;
use crate::user::IamUser;

/// How many writes one journal call covers at most.
pub const CHUNK: usize = 500;

/// A group write, as the journal tells them apart.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GroupWrite {
    /// `add-group`.
    Create,
    /// `update-group`.
    Update,
    /// `delete-group`.
    Delete,
}

/// A user write of a chunk, ready to send or withheld.
pub enum Prepared {
    /// Journaled as entry `seq` (unused without a journal).
    Send(u64),
    /// Not sent: what it would destroy could not be read for the journal.
    Withheld(String),
}

/// Records a run's writes in its journal, knowing what the target held before them.
pub struct Recorder<'a> {
    journal: &'a dyn Journal,
    users: HashMap<&'a str, &'a IamUser>,
    groups: HashMap<&'a str, &'a IamGroup>,
    recreated: HashSet<String>,
    next_seq: u64,
    error: Option<JournalError>,
}

impl<'a> Recorder<'a> {
    /// A recorder for one run. `users` and `groups` are the target's listing the plan was made
    /// from (the before-values); `recreated` names the users and groups (`owner/name`) the
    /// run's creates bring back after a deletion (a revert's).
    pub fn new(
        journal: &'a dyn Journal,
        users: &'a [IamUser],
        groups: &'a [IamGroup],
        recreated: HashSet<String>,
    ) -> Self {
        let recording = journal.is_recording();
        Self {
            journal,
            users: if recording {
                users.iter().map(|u| (u.name.as_str(), u)).collect()
            } else {
                HashMap::new()
            },
            groups: if recording {
                groups.iter().map(|g| (g.name.as_str(), g)).collect()
            } else {
                HashMap::new()
            },
            recreated,
            next_seq: 0,
            error: None,
        }
    }

    /// Whether the journal failed: no further write may be sent.
    pub fn halted(&self) -> bool {
        self.error.is_some()
    }

    /// The journal's failure, if any.
    pub fn error(&self) -> Option<&JournalError> {
        self.error.as_ref()
    }

    /// Records the intents of a chunk of user writes. Deletes read the whole user first (the
    /// journal keeps its image); one whose image cannot be read is withheld. `None` when the
    /// journal failed: nothing of the chunk may be sent.
    pub async fn users(
        &mut self,
        chunk: &[Operation],
        target: &dyn Target,
    ) -> Option<Vec<Prepared>> {
        if self.halted() {
            return None;
        }
        if !self.journal.is_recording() {
            return Some(chunk.iter().map(|_| Prepared::Send(0)).collect());
        }
        let mut entries = Vec::with_capacity(chunk.len());
        let mut prepared = Vec::with_capacity(chunk.len());
        for op in chunk {
            let image = if op.kind == OperationKind::Delete {
                match target.full_user(&op.user).await {
                    Ok(full) => Some(full.unwrap_or_else(|| (*op.user).clone())),
                    Err(error) => {
                        prepared.push(Prepared::Withheld(format!(
                            "not deleted: the whole user could not be read for the journal ({error}), and a delete that cannot be undone is not sent; the next run tries again"
                        )));
                        continue;
                    }
                }
            } else {
                None
            };
            let seq = self.seq();
            entries.push(self.user_entry(seq, op, image.as_ref()));
            prepared.push(Prepared::Send(seq));
        }
        self.intents(&entries).await.then_some(prepared)
    }

    /// Records the intents of a batch of group writes; the entries' first `seq`, or `None` when
    /// the journal failed (nothing of the batch may be sent).
    pub async fn groups(&mut self, groups: &[&IamGroup], write: GroupWrite) -> Option<u64> {
        if self.halted() {
            return None;
        }
        let first = self.next_seq;
        if !self.journal.is_recording() || groups.is_empty() {
            return Some(first);
        }
        let entries: Vec<JournalEntry> = groups
            .iter()
            .map(|group| {
                let seq = self.seq();
                self.group_entry(seq, group, write)
            })
            .collect();
        self.intents(&entries).await.then_some(first)
    }

    /// Records how a chunk's writes ended (`Err` holds the report's message).
    pub async fn outcomes(&mut self, outcomes: Vec<(u64, Result<(), String>)>) {
        if !self.journal.is_recording() || outcomes.is_empty() || self.halted() {
            return;
        }
        let records: Vec<OutcomeRecord> = outcomes
            .into_iter()
            .map(|(seq, outcome)| OutcomeRecord {
                seq,
                outcome: match outcome {
                    Ok(()) => Outcome::Applied,
                    Err(error) => Outcome::Failed { error },
                },
            })
            .collect();
        if let Err(error) = self.journal.record_outcomes(&records).await {
            self.error = Some(error);
        }
    }

    fn seq(&mut self) -> u64 {
        let seq = self.next_seq;
        self.next_seq += 1;
        seq
    }

    async fn intents(&mut self, entries: &[JournalEntry]) -> bool {
        match self.journal.record_intents(entries).await {
            Ok(()) => true,
            Err(error) => {
                self.error = Some(error);
                false
            }
        }
    }

    fn user_entry(&self, seq: u64, op: &Operation, image: Option<&IamUser>) -> JournalEntry {
        let user = &op.user;
        let before = self.users.get(user.name.as_str()).copied();
        let recreated =
            op.kind == OperationKind::Create && self.recreated.contains(&user.qualified_name());
        let fields: Vec<FieldChange> = match op.kind {
            OperationKind::Create => IamField::ALL
                .iter()
                .filter(|field| match field {
                    IamField::Groups => !user.groups.is_empty(),
                    IamField::Properties => !user.properties.is_empty(),
                    other => match user.get(**other) {
                        FieldValue::Text(text) => !text.is_empty(),
                        FieldValue::Flag(flag) => flag,
                    },
                })
                .map(|field| FieldChange {
                    field: field.name().to_owned(),
                    before: Value::Null,
                    after: user.field_json(*field),
                })
                .collect(),
            OperationKind::Update | OperationKind::Disable => op
                .columns
                .iter()
                .map(|field| FieldChange {
                    field: field.name().to_owned(),
                    before: before.map_or(Value::Null, |b| b.field_json(*field)),
                    after: user.field_json(*field),
                })
                .collect(),
            OperationKind::Delete => Vec::new(),
        };
        let forbidden = fields
            .iter()
            .find(|change| change.field == IamField::IsForbidden.name());
        let write = match op.kind {
            OperationKind::Create => WriteKind::CreateUser,
            OperationKind::Delete => WriteKind::DeleteUser,
            OperationKind::Disable => WriteKind::DisableUser,
            OperationKind::Update => match forbidden.map(|c| (&c.before, &c.after)) {
                Some((Value::Bool(true), Value::Bool(false))) => WriteKind::EnableUser,
                Some((Value::Bool(false), Value::Bool(true))) => WriteKind::DisableUser,
                _ => WriteKind::UpdateUser,
            },
        };
        let image = match (image, recreated) {
            (Some(image), _) => Some(without_secrets(serde_json::to_value(image))),
            (None, true) => Some(without_secrets(serde_json::to_value(&**user))),
            (None, false) => None,
        };
        JournalEntry {
            seq,
            object: JournalObject {
                kind: ObjectKind::User,
                owner: user.owner.to_string(),
                name: user.name.to_string(),
                id: user.id.to_string(),
            },
            write,
            fields,
            image,
            recreated,
            outcome: Outcome::Pending,
        }
    }

    fn group_entry(&self, seq: u64, group: &IamGroup, write: GroupWrite) -> JournalEntry {
        let after = group_json(group);
        let before = self.groups.get(group.name.as_str()).map(|g| group_json(g));
        let recreated =
            write == GroupWrite::Create && self.recreated.contains(&group.qualified_name());
        let fields = match write {
            GroupWrite::Create => after
                .iter()
                .filter(|(key, value)| !is_identity(key) && is_set(value))
                .map(|(key, value)| FieldChange {
                    field: key.clone(),
                    before: Value::Null,
                    after: value.clone(),
                })
                .collect(),
            GroupWrite::Update => {
                let before = before.clone().unwrap_or_default();
                let keys: std::collections::BTreeSet<&String> =
                    after.keys().chain(before.keys()).collect();
                keys.into_iter()
                    .filter(|key| !is_identity(key) && before.get(*key) != after.get(*key))
                    .map(|key| FieldChange {
                        field: key.clone(),
                        before: before.get(key).cloned().unwrap_or(Value::Null),
                        after: after.get(key).cloned().unwrap_or(Value::Null),
                    })
                    .collect()
            }
            GroupWrite::Delete => Vec::new(),
        };
        let image = match write {
            GroupWrite::Delete => Some(Value::Object(before.unwrap_or(after))),
            GroupWrite::Create if recreated => Some(Value::Object(after)),
            _ => None,
        };
        JournalEntry {
            seq,
            object: JournalObject {
                kind: ObjectKind::Group,
                owner: group.owner.clone(),
                name: group.name.clone(),
                id: String::new(),
            },
            write: match write {
                GroupWrite::Create => WriteKind::CreateGroup,
                GroupWrite::Update => WriteKind::UpdateGroup,
                GroupWrite::Delete => WriteKind::DeleteGroup,
            },
            fields,
            image,
            recreated,
            outcome: Outcome::Pending,
        }
    }
}

/// A group as a JSON object without secrets (groups carry none today; the rule still holds).
pub fn group_json(group: &IamGroup) -> Map<String, Value> {
    match without_secrets(serde_json::to_value(group)) {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

fn is_identity(key: &str) -> bool {
    matches!(key, "owner" | "name")
}

fn is_set(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::String(text) => !text.is_empty(),
        Value::Bool(flag) => *flag,
        Value::Array(items) => !items.is_empty(),
        Value::Object(map) => !map.is_empty(),
        Value::Number(_) => true,
    }
}

/// The object without the keys [`is_secret_key`] names (at its top level, where IAM keeps them).
fn without_secrets(value: Result<Value, serde_json::Error>) -> Value {
    match value {
        Ok(Value::Object(mut map)) => {
            map.retain(|key, _| !is_secret_key(key));
            Value::Object(map)
        }
        Ok(other) => other,
        Err(_) => Value::Null,
    }
}
