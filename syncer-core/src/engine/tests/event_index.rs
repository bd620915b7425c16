//! Hires and leavers with the account index: a batch finds the named people's accounts by the
//! names the index gives and takes the guard's count from it, so it reads no whole listing,
//! and decides as a full sync (or a batch on the listing) decides. An index that is missing,
//! left open by a writer that died, or that the lookups contradict, is not trusted: the batch
//! reads the listing, which makes the index again.

use super::event_reads::{add_both, assert_contact_updated, edit_both, reads};
use super::events::{apply_indexed, leaving, people_set, synced, Directory};
use super::*;
use crate::account_index::{AccountIndex, IndexUpdate, IndexedAccount, MemoryIndex, NoIndex};
use crate::engine::ownership;
use crate::journal::NoJournal;

/// A full sync of `source` on `store` that keeps `index`.
async fn indexed_run(store: &Store, source: StaticSource, index: &MemoryIndex) -> SyncReport {
    run_sync(
        SyncInputs::new(&source, &mapping(), &store.mock(), &options())
            .journal(&NoJournal)
            .index(index),
    )
    .await
}

fn forget_reads_and_writes(stores: [&Store; 2]) {
    for store in stores {
        store.clear_writes();
        store.user_reads.lock().expect("lock").clear();
    }
}

/// The same organization twice; the first with its index made by a full sync.
async fn twins() -> (Store, Store, Vec<SourceRecord>, MemoryIndex) {
    let (events, users) = synced().await;
    let (full, _) = synced().await;
    let index = MemoryIndex::default();
    indexed_run(&events, source_with(users.clone(), tree()), &index).await;
    forget_reads_and_writes([&events, &full]);
    (events, full, users, index)
}

/// Applies `changes` on `events` with `index`, and a full sync of `users` on `full`, and
/// checks they wrote the same and reported the same per-user problems.
async fn same_as_a_full_sync(
    events: &Store,
    full: &Store,
    users: Vec<SourceRecord>,
    changes: &ChangeSet,
    index: &MemoryIndex,
) -> ChangeReport {
    let directory = Directory::of(users.clone(), tree());
    let report = apply_indexed(events, &directory, changes, &options(), 0, index).await;
    let full_report = sync_tree(full, users, tree()).await;
    assert_eq!(events.writes(), full.writes(), "{report:?}");
    assert_eq!(report.report.errors, full_report.errors);
    report
}

/// `a` leaves: [`same_as_a_full_sync`] with everyone else of `users`.
async fn a_leaves(
    events: &Store,
    full: &Store,
    users: &[SourceRecord],
    index: &MemoryIndex,
) -> ChangeReport {
    same_as_a_full_sync(events, full, users[1..].to_vec(), &leaving(&["a"]), index).await
}

fn indexed(index: &MemoryIndex, name: &str) -> Option<IndexedAccount> {
    index
        .accounts()
        .into_iter()
        .find(|account| account.name == name)
}

fn marked(name: &str, id: &str, source_id: &str) -> IamUser {
    let mut user = local_user(name, id);
    ownership::mark_managed(&mut user, "dt", source_id);
    user
}

#[tokio::test]
async fn a_full_sync_indexes_every_account_it_manages_and_no_other() {
    let (store, users) = synced().await;
    store
        .users
        .lock()
        .expect("lock")
        .push(local_user("admin", "admin-1"));
    let index = MemoryIndex::default();
    indexed_run(&store, source_with(users, tree()), &index).await;
    assert!(index.is_usable());
    let accounts: Vec<(String, String, bool)> = index
        .accounts()
        .into_iter()
        .map(|a| (a.name, a.source_id, a.active))
        .collect();
    assert_eq!(
        accounts,
        vec![
            ("ua".into(), "a".into(), true),
            ("ub".into(), "b".into(), true),
            ("uc".into(), "c".into(), true),
        ]
    );
}

#[tokio::test]
async fn a_hire_reads_no_listing_and_is_created_as_a_full_sync_creates_it() {
    let (events, full, mut users, index) = twins().await;
    users.push(in_depts("new", &["4"]));
    same_as_a_full_sync(&events, &full, users, &people_set(&["new"]), &index).await;
    assert_eq!(
        reads(&events),
        vec!["lookup"],
        "no listing of the organization"
    );
    assert_eq!(
        events.writes(),
        vec![("create".into(), "unew".into(), vec![])]
    );
    assert!(index.is_usable(), "settled after the write");
    assert_eq!(
        indexed(&index, "unew"),
        Some(IndexedAccount {
            name: "unew".into(),
            source_id: "new".into(),
            active: true
        })
    );
}

#[tokio::test]
async fn a_leaver_is_found_by_the_name_the_index_gives_and_deprovisioned_as_a_full_sync_does() {
    let (events, full, users, index) = twins().await;
    let report = a_leaves(&events, &full, &users, &index).await;
    assert_eq!(
        reads(&events),
        vec!["lookup"],
        "no listing of the organization"
    );
    assert_eq!(report.deprovisioned, 1, "{report:?}");
    assert!(events.user("ua").is_forbidden);
    assert!(index.is_usable());
    assert_eq!(indexed(&index, "ua").map(|a| a.active), Some(false));
}

#[tokio::test]
async fn an_adopted_account_under_another_name_is_found_through_the_index_not_created_again() {
    // Adopted by a Name the mapping no longer gives, it keeps its own id; with the person's
    // e-mail and phone changing, no lookup of the person finds it: only its mark says whose
    // it is, and the index knows the mark.
    let (events, mut users) = synced().await;
    let (full, _) = synced().await;
    edit_both([&events, &full], "ua", |user| {
        user.name = "li.na".into();
        user.id = "7c1e-uuid".into();
    });
    let index = MemoryIndex::default();
    indexed_run(&events, source_with(users.clone(), tree()), &index).await;
    sync_tree(&full, users.clone(), tree()).await;
    forget_reads_and_writes([&events, &full]);
    users[0] = users[0]
        .clone()
        .with("email", "a.new@acme.example")
        .with("mobile", "13900000001");
    same_as_a_full_sync(&events, &full, users, &people_set(&["a"]), &index).await;
    assert_eq!(
        reads(&events),
        vec!["lookup"],
        "the person's keys and the name the index gives: no listing"
    );
    assert_contact_updated(&events, "li.na");
}

#[tokio::test]
async fn a_leaver_whose_account_iam_renamed_is_found_on_the_listing_which_makes_the_index_again() {
    let (events, full, users, index) = twins().await;
    edit_both([&events, &full], "ua", |user| user.name = "li.na".into());
    a_leaves(&events, &full, &users, &index).await;
    assert_eq!(
        reads(&events),
        vec!["lookup", "list"],
        "the index's name finds nobody: the listing decides"
    );
    assert!(
        events.user("li.na").is_forbidden,
        "deprovisioned all the same"
    );
    assert!(index.is_usable(), "replaced from the listing");
    assert_eq!(indexed(&index, "ua"), None);
    assert_eq!(indexed(&index, "li.na").map(|a| a.active), Some(false));
}

#[tokio::test]
async fn an_index_a_writer_left_open_is_not_trusted_and_the_listing_finds_its_account() {
    // A writer opened the index, adopted an account for `new` under a name no lookup asks
    // for, and died before it settled the index.
    let (events, full, mut users, index) = twins().await;
    index.open().await.expect("open");
    add_both([&events, &full], marked("hire.x", "9f2d-uuid", "new"));
    users.push(in_depts("new", &["4"]));
    same_as_a_full_sync(&events, &full, users, &people_set(&["new"]), &index).await;
    assert_eq!(reads(&events), vec!["lookup", "list"]);
    assert_eq!(
        events.writes().first().map(|w| (w.0.clone(), w.1.clone())),
        Some(("update".to_owned(), "hire.x".to_owned())),
        "the account found by its mark, not a second one: {:?}",
        events.writes()
    );
    assert!(index.is_usable(), "replaced from the listing");
    assert_eq!(
        indexed(&index, "hire.x").map(|a| a.source_id),
        Some("new".into())
    );
}

#[tokio::test]
async fn an_account_marked_for_a_named_person_that_the_index_does_not_know_sends_the_batch_to_the_listing(
) {
    // The lookups find a second account marked for `a` (by its e-mail) that the index does
    // not list: the index is stale, whatever it says of the others.
    let (events, full, mut users, index) = twins().await;
    let mut second = marked("a.second", "a-second", "a");
    second.email = "a@acme.example".into();
    add_both([&events, &full], second);
    users[0] = users[0].clone().with("title", "CTO");
    let mut changes = leaving(&["b"]);
    changes.people.insert("a".into());
    let users: Vec<SourceRecord> = users.into_iter().filter(|u| u.id != "b").collect();
    let directory = Directory::of(users, tree());
    // Compared with the same batch on the listing (a full sync would also take the second
    // account for a leaver, which a batch naming `a` as present does not).
    let with = apply_indexed(&events, &directory, &changes, &options(), 0, &index).await;
    let without = apply_indexed(&full, &directory, &changes, &options(), 0, &NoIndex).await;
    assert_eq!(events.writes(), full.writes());
    assert_eq!(with.report.errors, without.report.errors);
    assert_eq!(reads(&events), vec!["lookup", "list"]);
}

#[tokio::test]
async fn without_an_index_the_first_leaver_reads_the_listing_and_the_next_one_does_not() {
    let (events, users) = synced().await;
    let (full, _) = synced().await;
    forget_reads_and_writes([&events, &full]);
    let index = MemoryIndex::default();
    a_leaves(&events, &full, &users, &index).await;
    assert_eq!(reads(&events), vec!["list"]);
    assert!(index.is_usable(), "made from the listing");
    same_as_a_full_sync(
        &events,
        &full,
        users[2..].to_vec(),
        &leaving(&["b"]),
        &index,
    )
    .await;
    assert_eq!(reads(&events), vec!["list", "lookup"]);
    assert!(events.user("ub").is_forbidden);
}

#[tokio::test]
async fn the_guard_weighs_leavers_on_the_index_count_as_on_the_listing() {
    let (events, twin) = (Store::default(), Store::default());
    let index = MemoryIndex::default();
    indexed_run(&events, source(people(20)), &index).await;
    sync(&twin, people(20), &options()).await;
    forget_reads_and_writes([&events, &twin]);
    let mut options = options();
    // 20 managed: a total of 3 event deprovisions trips it, 2 does not (a count of the users
    // read alone, 1, would trip it at 2).
    options.guard = DeprovisionGuard {
        max_percent: 10.0,
        min_users: 1,
    };
    let directory = Directory::of(people(20)[1..].to_vec(), vec![]);
    let gone = leaving(&["user000"]);
    let mut outcomes = Vec::new();
    for recent in [2, 1] {
        let with = apply_indexed(&events, &directory, &gone, &options, recent, &index).await;
        let without = apply_indexed(&twin, &directory, &gone, &options, recent, &NoIndex).await;
        assert_eq!(with.outcome, without.outcome, "{with:?}");
        assert_eq!(with.report.held_back, without.report.held_back);
        assert_eq!(events.writes(), twin.writes());
        outcomes.push(with.outcome);
    }
    assert_eq!(
        outcomes,
        vec![ChangeOutcome::HeldBack, ChangeOutcome::Applied]
    );
    assert!(
        !reads(&events).contains(&"list"),
        "no listing: {:?}",
        reads(&events)
    );
    assert_eq!(reads(&twin), vec!["list", "list"]);
}

/// An index that lacks `ua` (as one kept by a process whose writes this state never saw).
async fn index_without_ua(index: &MemoryIndex) {
    let kept: Vec<IndexedAccount> = index
        .accounts()
        .into_iter()
        .filter(|account| account.name != "ua")
        .collect();
    let ticket = index.open().await.expect("open");
    assert!(index
        .settle(ticket, IndexUpdate::Replace(kept))
        .await
        .expect("settle"));
}

#[tokio::test]
async fn a_leaver_the_index_has_no_account_of_is_decided_on_the_listing() {
    let (events, full, users, index) = twins().await;
    index_without_ua(&index).await;
    a_leaves(&events, &full, &users, &index).await;
    assert_eq!(
        reads(&events),
        vec!["list"],
        "not taken for a leaver without an account"
    );
    assert!(events.user("ua").is_forbidden);
    assert_eq!(
        indexed(&index, "ua").map(|a| a.active),
        Some(false),
        "indexed again"
    );
}

#[tokio::test]
async fn a_change_whose_account_the_index_does_not_know_is_planned_on_the_listing_which_repairs_it()
{
    let (events, full, mut users, index) = twins().await;
    index_without_ua(&index).await;
    users[0] = users[0].clone().with("title", "CTO");
    same_as_a_full_sync(&events, &full, users, &people_set(&["a"]), &index).await;
    assert_eq!(reads(&events), vec!["lookup", "list"]);
    assert!(indexed(&index, "ua").is_some(), "indexed again");
}
