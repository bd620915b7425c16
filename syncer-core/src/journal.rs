//! The journal contract: what a run records about every write it sends, so the run can be
//! undone (`revert`). The engine records an *intent* before it sends a batch of writes and the
//! *outcomes* after; the host stores them (one transaction per call) next to the run's history
//! entry. This module knows no storage and no engine logic, only the shapes and the trait.
//!
//! The JSON shape of a [`JournalEntry`] is stable (hosts store it and read it back years later):
//!
//! ```json
//! {"seq": 7, "object": {"kind": "user", "owner": "acme", "name": "alice", "id": "u1"},
//!  "write": "update_user",
//!  "fields": [{"field": "DisplayName", "before": "Alice", "after": "Alice Liu"}],
//!  "outcome": {"status": "applied"}}
//! ```
//!
//! - `seq` orders the entries of one run (the order the engine planned them); revert walks them
//!   backwards.
//! - `write` is one of `create_user`, `update_user`, `disable_user`, `enable_user`,
//!   `delete_user`, `create_group`, `update_group`, `delete_group`; a change of a user's group
//!   memberships is an `update_user` (or `disable_user`) of the field `Groups`.
//! - `fields` lists every field the write sets, by IAM field name for users (`DisplayName`,
//!   `IsForbidden`, `Groups`, `Properties`) and by IAM JSON key for groups (`displayName`,
//!   `parentId`), with the value the target held before (`null` for a create) and the value
//!   written. Text fields are strings, flags booleans, `Groups` an array of `ORG/GROUP`,
//!   `Properties` an object.
//! - `image` (on `delete_user`, `delete_group`, and on a create that brings a deleted object
//!   back) is the whole object as the target gave it, without secrets (password hashes, keys,
//!   tokens are never journaled), so it can be created again.
//! - `recreated` is true on a create that brought back an object a run had deleted.
//! - `outcome.status` is `pending` (intent recorded, no outcome yet: the process died while the
//!   write was in flight), `applied`, or `failed` with `error`.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// What kind of object a write concerns.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ObjectKind {
    /// An IAM user.
    User,
    /// An IAM group.
    Group,
}

/// The object a write concerns.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct JournalObject {
    /// User or group.
    pub kind: ObjectKind,
    /// The organization.
    pub owner: String,
    /// The user's or group's name (unique in the organization).
    pub name: String,
    /// The user's id (empty for groups).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub id: String,
}

impl JournalObject {
    /// `owner/name`, as reports name users and groups.
    pub fn qualified_name(&self) -> String {
        format!("{}/{}", self.owner, self.name)
    }
}

/// What a write does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WriteKind {
    /// `add-user`.
    CreateUser,
    /// `update-user` of fields (mapped fields, memberships, marks).
    UpdateUser,
    /// `update-user` setting IsForbidden (sign-in stops).
    DisableUser,
    /// `update-user` clearing IsForbidden (sign-in allowed again).
    EnableUser,
    /// `delete-user`.
    DeleteUser,
    /// `add-group`.
    CreateGroup,
    /// `update-group`.
    UpdateGroup,
    /// `delete-group`.
    DeleteGroup,
}

/// One field a write sets, with its value before and the value written.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldChange {
    /// The field: an IAM field name for users (`DisplayName`), a JSON key for groups.
    pub field: String,
    /// What the target held before the write (`null` when the object did not exist).
    pub before: Value,
    /// What the write set.
    pub after: Value,
}

/// How a journaled write ended.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "lowercase")]
pub enum Outcome {
    /// Recorded before sending; no outcome was recorded (the write may or may not have landed).
    Pending,
    /// The target accepted the write.
    Applied,
    /// The target refused the write, or it was never sent.
    Failed {
        /// Why, as the run's report says it.
        error: String,
    },
}

/// One write of a run, as the journal keeps it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct JournalEntry {
    /// Position in the run (0, 1, 2, ... in the order the writes were planned).
    pub seq: u64,
    /// The user or group written.
    pub object: JournalObject,
    /// What the write does.
    pub write: WriteKind,
    /// Every field the write sets, with before and after.
    #[serde(default)]
    pub fields: Vec<FieldChange>,
    /// The whole object (without secrets), for deletes and for creates that bring one back.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<Value>,
    /// Whether this create brought back an object a run had deleted.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub recreated: bool,
    /// How it ended.
    pub outcome: Outcome,
}

impl JournalEntry {
    /// The change of `field`, when the write sets it.
    pub fn field(&self, field: &str) -> Option<&FieldChange> {
        self.fields.iter().find(|change| change.field == field)
    }

    /// Whether the write may have landed (applied, or no outcome recorded).
    pub fn may_have_applied(&self) -> bool {
        !matches!(self.outcome, Outcome::Failed { .. })
    }
}

/// The outcome of one journaled write, by its [`JournalEntry::seq`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutcomeRecord {
    /// The entry's position in the run.
    pub seq: u64,
    /// How the write ended.
    pub outcome: Outcome,
}

/// The journal could not record: the engine sends no further write.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "the journal could not record the run's writes ({message}); fix the state store and run again"
)]
pub struct JournalError {
    /// What the store said (never a secret: no connection string, no password).
    pub message: String,
}

/// Where a run's journal goes. One journal belongs to one run: the host creates it with the
/// run's id. Each call is one batch (the host writes it in one transaction); the engine makes
/// one call per chunk of writes, not one per write.
#[async_trait]
pub trait Journal: Send + Sync {
    /// Whether anything is kept. The engine skips building entries when not (a run without a
    /// journal pays nothing for it).
    fn is_recording(&self) -> bool {
        true
    }

    /// Records the intents of writes about to be sent (outcome `pending`). When this fails,
    /// none of these writes is sent.
    async fn record_intents(&self, entries: &[JournalEntry]) -> Result<(), JournalError>;

    /// Records how sent writes ended.
    async fn record_outcomes(&self, outcomes: &[OutcomeRecord]) -> Result<(), JournalError>;
}

/// The journal of callers that keep none: records nothing, never fails.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoJournal;

#[async_trait]
impl Journal for NoJournal {
    fn is_recording(&self) -> bool {
        false
    }

    async fn record_intents(&self, _: &[JournalEntry]) -> Result<(), JournalError> {
        Ok(())
    }

    async fn record_outcomes(&self, _: &[OutcomeRecord]) -> Result<(), JournalError> {
        Ok(())
    }
}

/// A journal kept in memory: for tests, and for hosts that hand a run's entries on themselves.
#[derive(Debug, Default)]
pub struct MemoryJournal {
    entries: parking_lot::Mutex<Vec<JournalEntry>>,
    calls: std::sync::atomic::AtomicUsize,
}

impl MemoryJournal {
    /// An empty journal.
    pub fn new() -> Self {
        Self::default()
    }

    /// The entries recorded so far, in `seq` order, with their outcomes.
    pub fn entries(&self) -> Vec<JournalEntry> {
        let mut entries = self.lock().clone();
        entries.sort_by_key(|entry| entry.seq);
        entries
    }

    /// How many calls (batches) the journal received.
    pub fn calls(&self) -> usize {
        self.calls.load(std::sync::atomic::Ordering::SeqCst)
    }

    fn lock(&self) -> parking_lot::MutexGuard<'_, Vec<JournalEntry>> {
        self.entries.lock()
    }
}

#[async_trait]
impl Journal for MemoryJournal {
    async fn record_intents(&self, entries: &[JournalEntry]) -> Result<(), JournalError> {
        self.calls.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        self.lock().extend_from_slice(entries);
        Ok(())
    }

    async fn record_outcomes(&self, outcomes: &[OutcomeRecord]) -> Result<(), JournalError> {
        self.calls.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let mut entries = self.lock();
        for record in outcomes {
            // The engine records intents in `seq` order, so the entries stay sorted by it.
            if let Ok(at) = entries.binary_search_by_key(&record.seq, |entry| entry.seq) {
                entries[at].outcome = record.outcome.clone();
            }
        }
        Ok(())
    }
}

/// Keys of a user or group image that are never journaled: credentials and sign-in secrets.
/// A user brought back from its image has none of them (they cannot come back).
pub fn is_secret_key(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    [
        "password",
        "secret",
        "token",
        "accesskey",
        "recoverycode",
        "salt",
    ]
    .iter()
    .any(|word| key.contains(word))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn entry_json_shape_is_stable() {
        let entry = JournalEntry {
            seq: 7,
            object: JournalObject {
                kind: ObjectKind::User,
                owner: "acme".into(),
                name: "alice".into(),
                id: "u1".into(),
            },
            write: WriteKind::UpdateUser,
            fields: vec![FieldChange {
                field: "DisplayName".into(),
                before: json!("Alice"),
                after: json!("Alice Liu"),
            }],
            image: None,
            recreated: false,
            outcome: Outcome::Applied,
        };
        let value = serde_json::to_value(&entry).expect("serializes");
        assert_eq!(
            value,
            json!({"seq": 7, "object": {"kind": "user", "owner": "acme", "name": "alice", "id": "u1"},
                   "write": "update_user",
                   "fields": [{"field": "DisplayName", "before": "Alice", "after": "Alice Liu"}],
                   "outcome": {"status": "applied"}})
        );
        let failed = serde_json::to_value(Outcome::Failed {
            error: "refused".into(),
        })
        .expect("serializes");
        assert_eq!(failed, json!({"status": "failed", "error": "refused"}));
        let back: JournalEntry = serde_json::from_value(value).expect("reads back");
        assert_eq!(back, entry);
    }

    #[test]
    fn secret_keys_are_recognized() {
        for key in [
            "password",
            "passwordSalt",
            "accessSecret",
            "accessKey",
            "totpSecret",
        ] {
            assert!(is_secret_key(key), "{key}");
        }
        for key in ["displayName", "email", "groups", "createdTime"] {
            assert!(!is_secret_key(key), "{key}");
        }
    }
}
