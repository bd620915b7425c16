//! The journal of a sync: every write recorded before it is sent (object, fields with before
//! and after, the image of what is deleted), its outcome after, in batches; no write the journal
//! cannot record.

use super::*;
use crate::journal::{
    FieldChange, Journal, JournalEntry, JournalError, MemoryJournal, ObjectKind, Outcome,
    OutcomeRecord, WriteKind,
};
use serde_json::json;

/// A sync of `people` into `target`, every write journaled in `journal`.
async fn sync_journaled_into(
    target: &dyn Target,
    people: Vec<SourceRecord>,
    options: &SyncOptions,
    journal: &dyn Journal,
) -> SyncReport {
    run_sync(SyncInputs::new(&source(people), &mapping(), target, options).journal(journal)).await
}

#[tokio::test]
async fn every_write_is_journaled_with_before_and_after_and_its_outcome() {
    let store = Store::default();
    let (_, created) = journaled_sync(&store, people(2), vec![], &mapping(), &options()).await;
    assert_eq!(created.len(), 2);
    let first = &created[0];
    assert_eq!(first.write, WriteKind::CreateUser);
    assert_eq!(first.object.kind, ObjectKind::User);
    assert_eq!(first.object.name, "uuser000");
    assert_eq!(first.outcome, Outcome::Applied);
    assert_eq!(
        first.field("DisplayName"),
        Some(&FieldChange {
            field: "DisplayName".into(),
            before: json!(null),
            after: json!("姓名user000"),
        })
    );
    let fields: Vec<&str> = first.fields.iter().map(|c| c.field.as_str()).collect();
    assert_eq!(
        fields,
        vec![
            "Id",
            "Name",
            "DisplayName",
            "Email",
            "Phone",
            "DingTalk",
            "Properties"
        ]
    );
    let mut changed = people(2);
    changed[1] = changed[1].clone().with("title", "经理");
    let (_, updated) = journaled_sync(&store, changed, vec![], &mapping(), &options()).await;
    assert_eq!(updated.len(), 1);
    assert_eq!(updated[0].write, WriteKind::UpdateUser);
    assert_eq!(
        updated[0].fields,
        vec![FieldChange {
            field: "Title".into(),
            before: json!(""),
            after: json!("经理"),
        }]
    );
}

#[tokio::test]
async fn disable_and_enable_are_journaled_as_such() {
    let store = Store::default();
    sync(&store, people(3), &options()).await;
    let (_, gone) = journaled_sync(&store, people(2), vec![], &mapping(), &options()).await;
    assert_eq!(gone.len(), 1);
    assert_eq!(gone[0].write, WriteKind::DisableUser);
    let forbidden = gone[0].field("IsForbidden").expect("journaled");
    assert_eq!(
        (&forbidden.before, &forbidden.after),
        (&json!(false), &json!(true))
    );
    let (_, back) = journaled_sync(&store, people(3), vec![], &mapping(), &options()).await;
    assert_eq!(back[0].write, WriteKind::EnableUser);
}

#[tokio::test]
async fn a_deleted_user_is_journaled_whole_without_secrets() {
    let store = Store::default();
    sync(&store, people(2), &options()).await;
    store.edit_user("uuser001", |user| {
        user.extra.insert("password".into(), json!("$2a$10$hash"));
        user.extra.insert("passwordSalt".into(), json!("salt"));
        user.extra
            .insert("createdTime".into(), json!("2024-01-01T00:00:00Z"));
    });
    let delete = SyncOptions {
        leavers: LeaverPolicy::Delete,
        ..options()
    };
    let (_, entries) = journaled_sync(&store, people(1), vec![], &mapping(), &delete).await;
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].write, WriteKind::DeleteUser);
    let image = entries[0].image.as_ref().expect("image journaled");
    assert_eq!(image["createdTime"], "2024-01-01T00:00:00Z");
    assert_eq!(image["email"], "user001@acme.example");
    assert!(image.get("password").is_none() && image.get("passwordSalt").is_none());
    let text = serde_json::to_string(&entries).expect("serializes");
    assert!(!text.contains("$2a$10$hash"), "{text}");
}

#[tokio::test]
async fn journal_calls_are_one_per_chunk_not_one_per_write() {
    let store = Store::default();
    let journal = MemoryJournal::new();
    let count = 2 * JOURNAL_CHUNK + 10;
    let report = sync_journaled_into(&store.mock(), people(count), &options(), &journal).await;
    assert_eq!(report.counts.created, count);
    assert_eq!(journal.entries().len(), count);
    // Three chunks, each an intent call and an outcome call.
    assert_eq!(journal.calls(), 6);
    let seqs: Vec<u64> = journal.entries().iter().map(|e| e.seq).collect();
    assert_eq!(seqs, (0..count as u64).collect::<Vec<_>>());
}

/// A journal whose store fails after `accepting` intent batches.
struct FailingJournal {
    accepting: std::sync::atomic::AtomicUsize,
}

#[async_trait]
impl Journal for FailingJournal {
    async fn record_intents(&self, _: &[JournalEntry]) -> Result<(), JournalError> {
        let left = self.accepting.load(std::sync::atomic::Ordering::SeqCst);
        if left == 0 {
            return Err(JournalError {
                message: "disk full".into(),
            });
        }
        self.accepting
            .store(left - 1, std::sync::atomic::Ordering::SeqCst);
        Ok(())
    }

    async fn record_outcomes(&self, _: &[OutcomeRecord]) -> Result<(), JournalError> {
        Ok(())
    }
}

#[tokio::test]
async fn no_write_is_sent_that_the_journal_cannot_record() {
    let store = Store::default();
    let journal = FailingJournal {
        accepting: 0.into(),
    };
    let report = sync_journaled_into(&store.mock(), people(3), &options(), &journal).await;
    assert_eq!(store.writes(), vec![]);
    assert_eq!(report.status, RunStatus::Failed);
    let message = &report.errors[0].message;
    assert!(message.contains("journal could not record") && message.contains("disk full"));
    assert!(
        message.contains("3 planned user write(s) were not sent"),
        "{message}"
    );
}

#[tokio::test]
async fn the_run_stops_writing_at_the_first_chunk_the_journal_refuses() {
    let store = Store::default();
    let journal = FailingJournal {
        accepting: 1.into(),
    };
    let report = sync_journaled_into(
        &store.mock(),
        people(JOURNAL_CHUNK + 5),
        &options(),
        &journal,
    )
    .await;
    assert_eq!(store.writes().len(), JOURNAL_CHUNK);
    assert_eq!(report.counts.created, JOURNAL_CHUNK);
    assert_eq!(report.status, RunStatus::Failed);
}

#[tokio::test]
async fn a_refused_write_is_journaled_as_failed() {
    let store = Store::default();
    store.failing_groups.lock().expect("lock").push("4".into());
    let (report, entries) = journaled_sync(
        &store,
        vec![in_depts("a", &["2"])],
        tree(),
        &mapping(),
        &options(),
    )
    .await;
    assert_eq!(report.counts.groups_failed, 1);
    let refused = entries
        .iter()
        .find(|e| e.object.name == "4")
        .expect("journaled");
    assert_eq!(refused.write, WriteKind::CreateGroup);
    assert!(
        matches!(&refused.outcome, Outcome::Failed { error } if error.contains("taken")),
        "{:?}",
        refused.outcome
    );
    let group = entries
        .iter()
        .find(|e| e.object.name == "2")
        .expect("journaled");
    assert_eq!(group.outcome, Outcome::Applied);
    assert_eq!(
        group.field("displayName").map(|c| &c.after),
        Some(&json!("研发中心"))
    );
}

#[tokio::test]
async fn a_dry_run_journals_nothing() {
    let store = Store::default();
    let dry = SyncOptions {
        dry_run: true,
        ..options()
    };
    let journal = MemoryJournal::new();
    sync_journaled_into(&store.mock(), people(3), &dry, &journal).await;
    assert_eq!(journal.calls(), 0);
}

#[tokio::test]
async fn writes_a_shutdown_kept_from_being_sent_are_journaled_as_not_sent() {
    let store = Store::default();
    let opts = SyncOptions {
        write_concurrency: 1,
        ..options()
    };
    let stop = opts.stop.clone();
    let mut target = store.mock();
    target.checkpoint();
    let users = store.users.clone();
    target
        .expect_list_users()
        .returning(move |_| Ok(users.lock().expect("lock").clone()));
    target.expect_list_groups().returning(|_| Ok(vec![]));
    // The first write raises the stop signal, as SIGTERM during the writes would.
    target.expect_create_user().returning(move |_| {
        stop.raise();
        Ok(())
    });
    let journal = MemoryJournal::new();
    let report = sync_journaled_into(&target, people(3), &opts, &journal).await;
    assert_eq!(report.counts.created, 1);
    let outcomes: Vec<Outcome> = journal.entries().into_iter().map(|e| e.outcome).collect();
    assert_eq!(outcomes[0], Outcome::Applied);
    for outcome in &outcomes[1..] {
        assert!(
            matches!(outcome, Outcome::Failed { error } if error.contains("not sent")),
            "{outcome:?}"
        );
    }
}

#[tokio::test]
async fn a_delete_whose_user_cannot_be_read_whole_is_not_sent() {
    let store = Store::default();
    sync(&store, people(2), &options()).await;
    let mut target = MockTarget::new();
    let users = store.users.clone();
    target
        .expect_list_users()
        .returning(move |_| Ok(users.lock().expect("lock").clone()));
    target.expect_list_groups().returning(|_| Ok(vec![]));
    target.expect_delete_user().never();
    target.expect_full_user().returning(|_| {
        Err(TargetError::Unavailable {
            api: "get-user".into(),
            message: "timed out".into(),
        })
    });
    let delete = SyncOptions {
        leavers: LeaverPolicy::Delete,
        ..options()
    };
    let journal = MemoryJournal::new();
    let report = sync_journaled_into(&target, people(1), &delete, &journal).await;
    assert!(journal.entries().is_empty());
    assert_eq!(report.counts.deleted, 0);
    assert_eq!(report.status, RunStatus::Partial);
    let message = &report.errors[0].message;
    assert!(
        message.contains("not deleted") && message.contains("timed out"),
        "{message}"
    );
    assert!(
        !message.contains("stopped by shutdown"),
        "{:?}",
        report.errors
    );
    assert_eq!(report.errors.len(), 1, "{:?}", report.errors);
}
