use serde_json::json;
use syncer_core::{
    FieldChange, Journal, JournalEntry, JournalObject, ObjectKind, Outcome, OutcomeRecord,
    RunStatus, SyncReport, WriteKind,
};

use super::{JournalStore, RunJournal};
use crate::history::History;
use crate::state::sqlite::SqliteHistory;

fn entry(seq: u64, name: &str) -> JournalEntry {
    JournalEntry {
        seq,
        object: JournalObject {
            kind: ObjectKind::User,
            owner: "acme".into(),
            name: name.into(),
            id: format!("id-{name}"),
        },
        write: WriteKind::UpdateUser,
        fields: vec![FieldChange {
            field: "DisplayName".into(),
            before: json!("Old"),
            after: json!("New"),
        }],
        image: None,
        recreated: false,
        outcome: Outcome::Pending,
    }
}

/// Records the start of a run of `acme-dt` at `started_at`.
async fn start(history: &History, started_at: &str) -> i64 {
    history
        .start(&crate::state::record::opening("acme-dt", started_at))
        .await
        .expect("start")
}

/// Records the intents of `entries` in run `run`'s journal.
async fn record(store: &JournalStore, run: i64, entries: &[JournalEntry]) {
    RunJournal::new(store.clone(), Some(run))
        .record_intents(entries)
        .await
        .expect("intents");
}

fn open(dir: &std::path::Path, keep: usize) -> (History, JournalStore) {
    let history = SqliteHistory::open(&dir.join("state.db"))
        .expect("open")
        .keeping(keep);
    let journal = JournalStore::Sqlite(history.journal());
    (History::Sqlite(history), journal)
}

#[tokio::test]
async fn entries_come_back_in_order_with_their_last_outcome() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (history, store) = open(dir.path(), 10);
    let run = start(&history, "2024-01-01T00:00:00.000Z").await;
    let journal = RunJournal::new(store.clone(), Some(run));
    journal
        .record_intents(&[entry(1, "bob"), entry(0, "alice")])
        .await
        .expect("intents");
    journal
        .record_intents(&[entry(2, "carol")])
        .await
        .expect("intents");
    journal
        .record_outcomes(&[
            OutcomeRecord {
                seq: 0,
                outcome: Outcome::Applied,
            },
            OutcomeRecord {
                seq: 2,
                outcome: Outcome::Failed {
                    error: "refused".into(),
                },
            },
        ])
        .await
        .expect("outcomes");
    let entries = store.entries(run).await.expect("entries");
    let seen: Vec<(u64, &str, &Outcome)> = entries
        .iter()
        .map(|e| (e.seq, e.object.name.as_str(), &e.outcome))
        .collect();
    assert_eq!(
        seen,
        vec![
            (0, "alice", &Outcome::Applied),
            (1, "bob", &Outcome::Pending),
            (
                2,
                "carol",
                &Outcome::Failed {
                    error: "refused".into()
                }
            ),
        ]
    );
    assert_eq!(entries[0].fields, entry(0, "alice").fields);
    assert!(store.entries(run + 1).await.expect("none").is_empty());
}

#[tokio::test]
async fn a_batch_is_one_transaction_and_a_failed_one_leaves_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (history, store) = open(dir.path(), 10);
    let run = start(&history, "2024-01-01T00:00:00.000Z").await;
    let journal = RunJournal::new(store.clone(), Some(run));
    journal
        .record_intents(&[entry(0, "alice")])
        .await
        .expect("intents");
    // seq 0 again: the batch fails on its second row, and its first row is not kept either.
    let error = journal
        .record_intents(&[entry(1, "bob"), entry(0, "alice")])
        .await
        .expect_err("duplicate seq");
    assert!(error.message.contains("state.db"), "{error}");
    let names: Vec<String> = store
        .entries(run)
        .await
        .expect("entries")
        .into_iter()
        .map(|e| e.object.name)
        .collect();
    assert_eq!(names, vec!["alice".to_owned()]);
}

#[tokio::test]
async fn a_run_without_a_history_row_cannot_journal_so_nothing_is_sent() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (_, store) = open(dir.path(), 10);
    let journal = RunJournal::new(store, None);
    let error = journal
        .record_intents(&[entry(0, "alice")])
        .await
        .expect_err("no run");
    assert!(
        error
            .to_string()
            .contains("could not record the run's start"),
        "{error}"
    );
}

#[tokio::test]
async fn the_journal_of_a_pruned_run_goes_with_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (history, store) = open(dir.path(), 2);
    let first = start(&history, "2024-01-01T00:00:00.000Z").await;
    record(&store, first, &[entry(0, "alice")]).await;
    let mut done = SyncReport::starting("acme-dt", "acme", false);
    done.status = RunStatus::Succeeded;
    history.finish(first, &done).await.expect("finish");
    let second = start(&history, "2024-01-01T00:00:01.000Z").await;
    record(&store, second, &[entry(0, "bob")]).await;
    assert_eq!(store.entries(first).await.expect("kept").len(), 1);
    for _ in 0..3 {
        history.record_skipped(&done).await.expect("skipped");
    }
    assert!(history.run(first).await.expect("read").is_none(), "pruned");
    assert!(
        store.entries(first).await.expect("read").is_empty(),
        "its journal went with it"
    );
    assert_eq!(
        store.entries(second).await.expect("read").len(),
        1,
        "a running run keeps its journal"
    );
}

#[tokio::test]
async fn a_row_changed_by_hand_is_an_error_naming_the_run_and_entry() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (history, store) = open(dir.path(), 10);
    let run = start(&history, "2024-01-01T00:00:00.000Z").await;
    record(&store, run, &[entry(0, "alice")]).await;
    let db = rusqlite::Connection::open(dir.path().join("state.db")).expect("open");
    db.execute("UPDATE journal SET entry = '{' WHERE seq = 0", [])
        .expect("spoil");
    let error = store.entries(run).await.expect_err("unreadable");
    assert!(
        error
            .to_string()
            .contains(&format!("entry 0 of run {run}'s journal")),
        "{error}"
    );
}
