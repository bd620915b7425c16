//! Failures: a user the target refuses, a name IAM refuses or a duplicate e-mail stops no
//! other user; a failed fetch is a failed run.

use std::sync::{Arc, Mutex};

use super::*;

#[tokio::test]
async fn one_rejected_user_does_not_stop_the_others() {
    let store = Store::default();
    let mut mock = store.mock();
    mock.checkpoint();
    let inner = store.clone();
    mock.expect_list_users().returning(|_| Ok(vec![]));
    mock.expect_list_groups().returning(|_| Ok(vec![]));
    mock.expect_create_user().returning(move |user| {
        if user.name == "uuser001" {
            return Err(TargetError::Rejected {
                api: "add-user".into(),
                message: "quota".into(),
            });
        }
        inner.users.lock().expect("lock").push(user.clone());
        Ok(())
    });
    let report = run_sync(SyncInputs::new(
        &source(people(3)),
        &mapping(),
        &mock,
        &options(),
    ))
    .await;
    assert_eq!(report.status, RunStatus::Partial);
    assert_eq!((report.counts.created, report.counts.failed), (2, 1));
    let error = report
        .errors
        .iter()
        .find(|e| e.user.is_some())
        .expect("per-user error");
    assert_eq!(error.user.as_deref(), Some("user001"));
    assert!(error.message.contains("quota"));
}

#[tokio::test]
async fn names_iam_refuses_and_duplicate_emails_are_reported_not_sent() {
    let store = Store::default();
    let bad_name = person("x").with("unionid", "张 三");
    let twin = person("y").with("email", "x@acme.example");
    let report = sync(&store, vec![bad_name, twin, person("z")], &options()).await;
    assert_eq!((report.counts.created, report.counts.failed), (2, 1));
    assert!(report
        .errors
        .iter()
        .any(|e| e.user.as_deref() == Some("x") && e.message.contains("user name")));
    let report = sync(
        &store,
        vec![person("w").with("email", "z@acme.example")],
        &options(),
    )
    .await;
    assert!(report
        .errors
        .iter()
        .any(|e| e.user.as_deref() == Some("w") && e.message.contains("already used")));
}

#[tokio::test]
async fn fetch_failure_is_a_failed_run() {
    struct Broken;
    #[async_trait]
    impl Syncer for Broken {
        async fn test_connection(&self) -> ConnectionReport {
            ConnectionReport::default()
        }
        async fn fetch(&self, _: &dyn FetchProgress) -> Result<Snapshot, FetchError> {
            Err(FetchError {
                api: Some("/gettoken".into()),
                message: "bad key".into(),
            })
        }
    }
    let mut mock = MockTarget::new();
    mock.expect_list_users().never();
    let report = run_sync(SyncInputs::new(&Broken, &mapping(), &mock, &options())).await;
    assert_eq!(report.status, RunStatus::Failed);
    assert_eq!(report.errors[0].api.as_deref(), Some("/gettoken"));
}

/// A target that lists nobody and answers no create: every write is a [`TargetError::NoAnswer`].
fn target_that_never_answers(calls: Arc<Mutex<usize>>) -> MockTarget {
    let mut mock = MockTarget::new();
    mock.expect_list_users().returning(|_| Ok(vec![]));
    mock.expect_list_groups().returning(|_| Ok(vec![]));
    mock.expect_create_user().returning(move |_| {
        *calls.lock().expect("lock") += 1;
        Err(TargetError::NoAnswer {
            api: "add-user".into(),
            message: "timed out".into(),
        })
    });
    mock
}

#[tokio::test]
async fn five_unanswered_writes_in_a_row_stop_the_writes_and_fail_the_run() {
    let calls = Arc::new(Mutex::new(0));
    let options = SyncOptions {
        write_concurrency: 1,
        ..options()
    };
    let report = run_sync(SyncInputs::new(
        &source(people(20)),
        &mapping(),
        &target_that_never_answers(calls.clone()),
        &options,
    ))
    .await;
    assert_eq!(*calls.lock().expect("lock"), 5, "{report:?}");
    assert_eq!(report.status, RunStatus::Failed);
    assert!(
        report
            .errors
            .iter()
            .any(|e| e.message.contains("15 planned write(s) were not sent")
                && e.message.contains("stopped answering")),
        "{report:?}"
    );
}

#[tokio::test]
async fn no_write_starts_after_the_run_deadline() {
    let calls = Arc::new(Mutex::new(0));
    let options = SyncOptions {
        deadline: Some(Deadline::after(std::time::Duration::ZERO)),
        ..options()
    };
    let report = run_sync(SyncInputs::new(
        &source(people(3)),
        &mapping(),
        &target_that_never_answers(calls.clone()),
        &options,
    ))
    .await;
    assert_eq!(*calls.lock().expect("lock"), 0, "{report:?}");
    assert_eq!(report.status, RunStatus::Failed);
    assert!(
        report
            .errors
            .iter()
            .any(|e| e.message.contains("run_deadline_seconds")),
        "{report:?}"
    );
}

#[tokio::test]
async fn group_writes_that_get_no_answer_trip_the_breaker_and_no_user_is_written() {
    let calls = Arc::new(Mutex::new(0));
    let mut mock = target_that_never_answers(Arc::new(Mutex::new(0)));
    let counted = calls.clone();
    mock.expect_create_group().returning(move |_| {
        *counted.lock().expect("lock") += 1;
        Err(TargetError::NoAnswer {
            api: "add-group".into(),
            message: "timed out".into(),
        })
    });
    // Ten top departments, one level: the breaker trips inside it.
    let departments = (1..11)
        .map(|id| dept(&id.to_string(), "team", None))
        .collect();
    let options = SyncOptions {
        write_concurrency: 1,
        ..options()
    };
    let report = run_sync(SyncInputs::new(
        &source_with(people(3), departments),
        &mapping(),
        &mock,
        &options,
    ))
    .await;
    assert_eq!(*calls.lock().expect("lock"), 5, "{report:?}");
    assert_eq!(report.status, RunStatus::Failed);
    assert_eq!(report.counts.created, 0);
    assert!(
        report
            .errors
            .iter()
            .any(|e| e.message.contains("3 planned write(s) were not sent")),
        "{report:?}"
    );
}
