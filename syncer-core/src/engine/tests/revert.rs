//! Revert: a run undone from its journal, field by field where the field still holds what the
//! run wrote, conflicts kept and reported; disables, creates, deletes and groups undone; a
//! revert journaled like any run (so it can be reverted), idempotent, and a dry run that writes
//! nothing.

use super::*;
use crate::engine::{RevertOptions, RunKind};
use crate::journal::{JournalEntry, Outcome, WriteKind};
use serde_json::json;

fn bad_override() -> FieldMapping {
    let mut overrides = BTreeMap::new();
    overrides.insert("email".to_owned(), "DisplayName".to_owned());
    FieldMapping::build(&PLUGIN, &overrides).expect("valid mapping")
}

fn in_tree(n: usize) -> Vec<SourceRecord> {
    (0..n)
        .map(|i| {
            in_depts(
                &format!("user{i:03}"),
                &[if i % 2 == 0 { "3" } else { "4" }],
            )
        })
        .collect()
}

fn no_revert_options() -> RevertOptions {
    RevertOptions::default()
}

#[tokio::test]
async fn a_bad_mapping_run_reverted_leaves_the_target_as_before_except_a_persons_edit() {
    let store = Store::default();
    sync_tree(&store, in_tree(4), tree()).await;
    let before = state(&store);
    let (report, bad) =
        journaled_sync(&store, in_tree(4), tree(), &bad_override(), &options()).await;
    assert_eq!(report.counts.updated, 4);
    assert_eq!(store.user("uuser001").display_name, "user001@acme.example");
    // A person fixes one user by hand before the revert.
    store.edit_user("uuser002", |user| user.display_name = "Hand Edited".into());

    let (reverted, _) = revert(&store, &bad, &options(), &no_revert_options()).await;
    assert_eq!(reverted.kind, RunKind::Revert);
    assert_eq!(reverted.counts.updated, 3);
    assert_eq!(reverted.status, RunStatus::Partial);
    assert_eq!(reverted.conflicts.len(), 1);
    let conflict = &reverted.conflicts[0];
    assert_eq!(conflict.user, "acme/uuser002");
    assert_eq!(conflict.field, "DisplayName");
    assert_eq!(
        (&conflict.before, &conflict.written, &conflict.now),
        (
            &json!("姓名user002"),
            &json!("user002@acme.example"),
            &json!("Hand Edited")
        )
    );
    let (mut users, groups) = state(&store);
    assert_eq!(users[2].display_name, "Hand Edited");
    users[2].display_name = "姓名user002".into();
    assert_eq!((users, groups), before);
}

#[tokio::test]
async fn a_mass_disable_reverted_enables_everyone_with_their_groups_back() {
    let store = Store::default();
    sync_tree(&store, in_tree(30), tree()).await;
    let before = state(&store);
    // Department 3 is gone from the source with its 15 people; the rest stay.
    let remaining: Vec<SourceRecord> = in_tree(30)
        .into_iter()
        .filter(|p| p.departments == ["4"])
        .collect();
    let smaller: Vec<Department> = tree().into_iter().filter(|d| d.id != "3").collect();
    let forced = SyncOptions {
        allow_mass_deprovision: true,
        ..options()
    };
    let (report, entries) = journaled_sync(&store, remaining, smaller, &mapping(), &forced).await;
    assert_eq!(report.counts.disabled, 15);
    assert_eq!(report.counts.groups_deleted, 1);
    assert!(store.group("3").is_none());
    assert!(store.user("uuser000").is_forbidden);

    // Only re-enabling 15 of 15 managed users: the guard, which would stop disabling as
    // many, does not stand in the way without the override.
    let (reverted, journal) = revert(&store, &entries, &options(), &no_revert_options()).await;
    assert_eq!(
        reverted.status,
        RunStatus::Succeeded,
        "{:?}",
        reverted.errors
    );
    assert_eq!(reverted.held_back, None);
    assert_eq!(reverted.counts.groups_created, 1);
    assert_eq!(state(&store), before);
    assert!(journal
        .iter()
        .any(|e| e.write == WriteKind::CreateGroup && e.recreated));
    assert_eq!(
        journal
            .iter()
            .filter(|e| e.write == WriteKind::EnableUser)
            .count(),
        15
    );
}

#[tokio::test]
async fn users_a_run_created_are_disabled_by_its_revert_and_its_groups_go() {
    let store = Store::default();
    sync(&store, people(2), &options()).await;
    let (_, entries) = journaled_sync(&store, in_tree(4), tree(), &mapping(), &options()).await;
    let (reverted, _) = revert(&store, &entries, &options(), &no_revert_options()).await;
    assert_eq!(
        reverted.status,
        RunStatus::Succeeded,
        "{:?}",
        reverted.errors
    );
    assert_eq!(reverted.counts.disabled, 2);
    for name in ["uuser002", "uuser003"] {
        let user = store.user(name);
        assert!(user.is_forbidden, "{name}");
        assert!(user.groups.is_empty(), "{name}: {:?}", user.groups);
    }
    for name in ["uuser000", "uuser001"] {
        let user = store.user(name);
        assert!(!user.is_forbidden && user.groups.is_empty(), "{name}");
    }
    assert!(store.groups.lock().expect("lock").is_empty());
    assert_eq!(store.users.lock().expect("lock").len(), 4);
}

#[tokio::test]
async fn with_delete_created_the_users_a_run_created_are_deleted() {
    let store = Store::default();
    let before = state(&store);
    let (_, entries) = journaled_sync(&store, people(3), vec![], &mapping(), &options()).await;
    let delete = RevertOptions {
        delete_created: true,
    };
    let (reverted, journal) = revert(&store, &entries, &options(), &delete).await;
    assert_eq!(reverted.counts.deleted, 3);
    assert_eq!(state(&store), before);
    assert!(journal.iter().all(|e| e.image.is_some()));
}

#[tokio::test]
async fn a_delete_policy_run_reverted_brings_the_users_back_whole() {
    let store = Store::default();
    sync_tree(&store, in_tree(4), tree()).await;
    store.users.lock().expect("lock").iter_mut().for_each(|u| {
        u.extra
            .insert("createdTime".into(), json!("2024-01-01T00:00:00Z"));
    });
    let before = state(&store);
    let delete = SyncOptions {
        leavers: LeaverPolicy::Delete,
        ..options()
    };
    let (report, entries) = journaled_sync(&store, in_tree(2), tree(), &mapping(), &delete).await;
    assert_eq!(report.counts.deleted, 2);
    let (reverted, _) = revert(&store, &entries, &options(), &no_revert_options()).await;
    assert_eq!(reverted.counts.created, 2);
    assert_eq!(state(&store), before);
    assert!(
        reverted.notices.iter().any(|n| n.contains("acme/uuser003")
            && n.contains("password and sign-in sessions cannot come back")),
        "{:?}",
        reverted.notices
    );
}

#[tokio::test]
async fn reverting_a_revert_redoes_the_original_run() {
    let store = Store::default();
    sync_tree(&store, in_tree(4), tree()).await;
    let delete = SyncOptions {
        leavers: LeaverPolicy::Delete,
        ..options()
    };
    let (_, deleted) = journaled_sync(&store, in_tree(3), tree(), &mapping(), &delete).await;
    let (_, bad) = journaled_sync(&store, in_tree(3), tree(), &bad_override(), &delete).await;
    let after_bad = state(&store);

    let (_, undo_bad) = revert(&store, &bad, &options(), &no_revert_options()).await;
    assert_eq!(store.user("uuser000").display_name, "姓名user000");
    let (redo, _) = revert(&store, &undo_bad, &options(), &no_revert_options()).await;
    assert_eq!(redo.counts.updated, 3);
    assert_eq!(state(&store), after_bad);

    let (_, undo_delete) = revert(&store, &deleted, &options(), &no_revert_options()).await;
    assert!(store
        .users
        .lock()
        .expect("lock")
        .iter()
        .any(|u| u.name == "uuser003"));
    let (redo, _) = revert(&store, &undo_delete, &options(), &no_revert_options()).await;
    assert_eq!(redo.counts.deleted, 1);
    assert_eq!(state(&store), after_bad);
}

#[tokio::test]
async fn a_second_revert_of_the_same_run_writes_nothing() {
    let store = Store::default();
    sync_tree(&store, in_tree(6), tree()).await;
    let (_, entries) =
        journaled_sync(&store, in_tree(6), tree(), &bad_override(), &options()).await;
    revert(&store, &entries, &options(), &no_revert_options()).await;
    store.clear_writes();
    let (again, journal) = revert(&store, &entries, &options(), &no_revert_options()).await;
    assert_eq!(store.writes(), vec![]);
    assert!(journal.is_empty());
    assert_eq!(again.status, RunStatus::Succeeded);
    assert_eq!(again.target_writes, 0);
}

#[tokio::test]
async fn reverting_a_run_that_wrote_nothing_writes_nothing() {
    let store = Store::default();
    sync(&store, people(3), &options()).await;
    let (_, entries) = journaled_sync(&store, people(3), vec![], &mapping(), &options()).await;
    assert!(entries.is_empty());
    store.clear_writes();
    let (reverted, _) = revert(&store, &entries, &options(), &no_revert_options()).await;
    assert_eq!(store.writes(), vec![]);
    assert_eq!(reverted.status, RunStatus::Succeeded);
    assert!(reverted.notices.is_empty(), "{:?}", reverted.notices);
}

#[tokio::test]
async fn failed_writes_are_not_reverted() {
    let store = Store::default();
    sync(&store, people(2), &options()).await;
    let (_, mut entries) =
        journaled_sync(&store, people(2), vec![], &bad_override(), &options()).await;
    for entry in &mut entries {
        entry.outcome = Outcome::Failed {
            error: "update-user refused".into(),
        };
    }
    store.clear_writes();
    revert(&store, &entries, &options(), &no_revert_options()).await;
    assert_eq!(store.writes(), vec![]);
}

#[tokio::test]
async fn a_dry_run_revert_lists_the_writes_and_conflicts_and_writes_nothing() {
    let store = Store::default();
    sync(&store, people(3), &options()).await;
    let (_, entries) = journaled_sync(&store, people(3), vec![], &bad_override(), &options()).await;
    store.edit_user("uuser000", |user| user.display_name = "Hand Edited".into());
    let before = state(&store);
    store.clear_writes();
    let dry = SyncOptions {
        dry_run: true,
        ..options()
    };
    let (report, journal) = revert(&store, &entries, &dry, &no_revert_options()).await;
    assert_eq!(store.writes(), vec![]);
    assert_eq!(state(&store), before);
    assert!(journal.is_empty());
    assert!(report.dry_run);
    let plan = report.plan.expect("listed");
    let listed: Vec<(&str, Vec<String>)> = plan
        .update
        .iter()
        .map(|u| (u.iam_user.as_str(), u.fields.clone()))
        .collect();
    // Undone in reverse order of the run's writes.
    assert_eq!(
        listed,
        vec![
            ("acme/uuser002", vec!["DisplayName".to_owned()]),
            ("acme/uuser001", vec!["DisplayName".to_owned()]),
        ]
    );
    assert_eq!(report.conflicts.len(), 1);
    assert_eq!(report.conflicts[0].user, "acme/uuser000");
}

#[tokio::test]
async fn a_revert_that_would_disable_too_many_needs_the_override() {
    let store = Store::default();
    let (_, entries) = journaled_sync(&store, people(20), vec![], &mapping(), &options()).await;
    store.clear_writes();
    let (held, _) = revert(&store, &entries, &options(), &no_revert_options()).await;
    assert_eq!(store.writes(), vec![]);
    assert_eq!(held.status, RunStatus::Partial);
    let reason = &held.held_back.as_ref().expect("held back").reason;
    assert!(reason.contains("--allow-mass-deprovision"), "{reason}");
    let forced = SyncOptions {
        allow_mass_deprovision: true,
        ..options()
    };
    let (done, _) = revert(&store, &entries, &forced, &no_revert_options()).await;
    assert_eq!(done.counts.disabled, 20);
    assert!(store.user("uuser019").is_forbidden);
}

#[tokio::test]
async fn a_renamed_department_reverted_gets_its_group_name_back() {
    let store = Store::default();
    sync_tree(&store, in_tree(2), tree()).await;
    let mut renamed = tree();
    renamed[1].name = "研发部".into();
    let (_, entries) = journaled_sync(&store, in_tree(2), renamed, &mapping(), &options()).await;
    assert_eq!(store.group("2").expect("group").display_name, "研发部");
    let update = entries
        .iter()
        .find(|e| e.write == WriteKind::UpdateGroup)
        .expect("journaled");
    assert_eq!(
        update.field("displayName").map(|c| (&c.before, &c.after)),
        Some((&json!("研发中心"), &json!("研发部")))
    );
    revert(&store, &entries, &options(), &no_revert_options()).await;
    assert_eq!(store.group("2").expect("group").display_name, "研发中心");
}

#[tokio::test]
async fn memberships_changed_since_the_run_are_kept() {
    let store = Store::default();
    sync_tree(&store, in_tree(2), tree()).await;
    let mut moved = in_tree(2);
    moved[0].departments = vec!["2".into()];
    let (_, entries) = journaled_sync(&store, moved, tree(), &mapping(), &options()).await;
    // Someone also puts the user in a group of their own.
    store.edit_user("uuser000", |user| user.groups.push("acme/admins".into()));
    revert(&store, &entries, &options(), &no_revert_options()).await;
    let groups: Vec<String> = store
        .user("uuser000")
        .groups
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(groups, vec!["acme/admins", "acme/3"]);
}

#[test]
fn journal_entries_read_back_from_json_plan_the_same_revert() {
    let entries: Vec<JournalEntry> = serde_json::from_value(json!([
        {"seq": 0, "object": {"kind": "user", "owner": "acme", "name": "alice"},
         "write": "update_user",
         "fields": [{"field": "Title", "before": "Engineer", "after": "CEO"}],
         "outcome": {"status": "pending"}}
    ]))
    .expect("the documented shape");
    let alice = IamUser {
        owner: "acme".into(),
        name: "alice".into(),
        title: "CEO".into(),
        ..IamUser::default()
    };
    let planned = plan_revert(
        &entries,
        vec![alice],
        vec![],
        &options(),
        &no_revert_options(),
    );
    let op = &planned.plan.operations[0];
    assert_eq!(op.columns, vec![IamField::Title]);
    assert_eq!(op.user.title, "Engineer");
}

#[tokio::test]
async fn a_user_the_target_kept_soft_deleted_is_restored_not_created() {
    let store = Store::default();
    sync_tree(&store, in_tree(3), tree()).await;
    let before = state(&store);
    let delete = SyncOptions {
        leavers: LeaverPolicy::Delete,
        ..options()
    };
    let (_, entries) = journaled_sync(&store, in_tree(2), tree(), &mapping(), &delete).await;
    // An organization with soft deletion keeps the user, deleted and out of its groups.
    let mut kept = before.0[2].clone();
    kept.is_deleted = true;
    kept.groups.clear();
    store.users.lock().expect("lock").push(kept);
    store.clear_writes();
    let (reverted, _) = revert(&store, &entries, &options(), &no_revert_options()).await;
    assert_eq!(reverted.counts.updated, 1);
    assert_eq!(
        store.writes(),
        vec![(
            "update".to_owned(),
            "uuser002".to_owned(),
            vec![IamField::IsDeleted, IamField::Groups]
        )]
    );
    assert_eq!(state(&store), before);
}
