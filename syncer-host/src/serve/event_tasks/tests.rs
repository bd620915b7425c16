//! The event hub and its worker in-process, with a test source and the embedded store: a
//! handled event's id survives a restart, a storm costs one read, and an event waits for a
//! running full sync.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use syncer_core::{
    Change, ChangeEvent, ConnectionReport, DepartmentLookup, EventMode, EventOutcome, EventSink,
    FetchError, FetchProgress, PersonLookup, Snapshot, SourceRecord, Syncer,
};
use tokio_util::sync::CancellationToken;

use super::worker;
use crate::config::Config;
use crate::runner::Runner;
use crate::serve::events::EventHub;
use crate::serve::state::AppState;
use crate::state::event_window::EventWindow;
use crate::state::events::SeenEvents;

/// A directory of everyone who is asked about, counting the reads.
#[derive(Default)]
struct Directory {
    reads: AtomicUsize,
}

#[async_trait]
impl Syncer for Directory {
    async fn test_connection(&self) -> ConnectionReport {
        ConnectionReport::default()
    }
    async fn fetch(&self, _: &dyn FetchProgress) -> Result<Snapshot, FetchError> {
        Err(FetchError::unsupported("a full fetch"))
    }
    async fn fetch_person(&self, id: &str) -> Result<PersonLookup, FetchError> {
        self.reads.fetch_add(1, Ordering::SeqCst);
        Ok(PersonLookup::Found(
            SourceRecord::new(id)
                .with("userid", id)
                .with("name", format!("名{id}"))
                .with("active", true),
        ))
    }
    async fn fetch_department(&self, _: &str) -> Result<DepartmentLookup, FetchError> {
        Ok(DepartmentLookup::Gone)
    }
    fn event_mode(&self) -> EventMode {
        EventMode::Stream
    }
}

fn config(dir: &std::path::Path) -> Config {
    let text = r#"
[target]
kind = "embedded"

[[syncers]]
name = "acme-dt"
organization = "acme"
type = "DingTalk"
app_key = "key"
app_secret = "secret"
"#;
    Config::parse(&dir.join("syncer.toml"), text, &|_| None).expect("valid config")
}

/// A serve state over `dir` with a hub for `acme-dt` reading `directory`, its worker running.
async fn hub(
    dir: &std::path::Path,
    directory: Arc<Directory>,
    cancel: &CancellationToken,
) -> (AppState, Arc<EventHub>) {
    let config = config(dir);
    let seen = SeenEvents::sqlite(&config.state_path).expect("seen events");
    let window = EventWindow::beside(&seen).expect("event window");
    let runner = Runner::for_config(&config).await.expect("runner");
    let state = AppState::new(config, runner, None);
    let (hub, jobs) = EventHub::new(
        "acme-dt",
        directory,
        seen,
        window,
        Duration::from_secs(3600),
        state.shared_metrics(),
    );
    tokio::spawn(worker::run(
        state.clone(),
        hub.clone(),
        jobs,
        cancel.clone(),
    ));
    (state, hub)
}

fn hire(id: &str, userid: &str) -> ChangeEvent {
    ChangeEvent {
        id: id.into(),
        kind: "user_add_org".into(),
        change: Change::People(vec![userid.into()]),
    }
}

#[tokio::test]
async fn a_handled_event_is_a_duplicate_after_a_restart() {
    let dir = tempfile::tempdir().expect("tempdir");
    let directory = Arc::new(Directory::default());
    let cancel = CancellationToken::new();
    let (_, first) = hub(dir.path(), directory.clone(), &cancel).await;
    assert_eq!(first.deliver(hire("e1", "u1")).await, EventOutcome::Done);
    assert_eq!(first.counters().applied, 1);
    cancel.cancel();
    drop(first);

    let cancel = CancellationToken::new();
    let (_, second) = hub(dir.path(), directory.clone(), &cancel).await;
    assert_eq!(second.deliver(hire("e1", "u1")).await, EventOutcome::Done);
    assert_eq!(second.counters().duplicates, 1);
    assert_eq!(directory.reads.load(Ordering::SeqCst), 1, "read once, ever");
    cancel.cancel();
}

#[tokio::test]
async fn a_storm_for_one_person_costs_one_read() {
    let dir = tempfile::tempdir().expect("tempdir");
    let directory = Arc::new(Directory::default());
    let cancel = CancellationToken::new();
    let (_, hub) = hub(dir.path(), directory.clone(), &cancel).await;
    let storm = (0..20).map(|i| {
        let hub = hub.clone();
        async move { hub.deliver(hire(&format!("e{i}"), "u1")).await }
    });
    let outcomes = futures::future::join_all(storm).await;
    assert!(outcomes.iter().all(|o| *o == EventOutcome::Done));
    assert_eq!(directory.reads.load(Ordering::SeqCst), 1);
    assert_eq!(hub.counters().applied, 20);
    cancel.cancel();
}

#[tokio::test]
async fn an_event_waits_for_a_running_full_sync() {
    let dir = tempfile::tempdir().expect("tempdir");
    let directory = Arc::new(Directory::default());
    let cancel = CancellationToken::new();
    let (state, hub) = hub(dir.path(), directory.clone(), &cancel).await;
    // A full run holds the syncer's lock.
    let run = state.runner().try_lock("acme-dt").await.expect("lock");
    let delivery = tokio::spawn({
        let hub = hub.clone();
        async move { hub.deliver(hire("e1", "u1")).await }
    });
    let waiting = async {
        while !hub.waiting_for_run() {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    };
    tokio::time::timeout(Duration::from_secs(30), waiting)
        .await
        .expect("the event waits for the run");
    assert_eq!(
        directory.reads.load(Ordering::SeqCst),
        0,
        "nothing read while the run goes"
    );
    assert!(!delivery.is_finished());
    run.release().await;
    assert_eq!(delivery.await.expect("delivered"), EventOutcome::Done);
    assert_eq!(directory.reads.load(Ordering::SeqCst), 1);
    assert!(!hub.waiting_for_run());
    cancel.cancel();
}

#[tokio::test]
async fn an_unreadable_guard_window_asks_for_the_event_again_and_reads_nobody() {
    let dir = tempfile::tempdir().expect("tempdir");
    let directory = Arc::new(Directory::default());
    let cancel = CancellationToken::new();
    let (state, hub) = hub(dir.path(), directory.clone(), &cancel).await;
    let db = rusqlite::Connection::open(&state.config().state_path).expect("state");
    db.execute_batch("DROP TABLE event_deprovisions")
        .expect("drop");
    assert_eq!(hub.deliver(hire("e1", "u1")).await, EventOutcome::Later);
    assert_eq!(directory.reads.load(Ordering::SeqCst), 0);
    let recent = hub.recent();
    assert_eq!(recent[0].outcome, "later");
    assert!(
        recent[0]
            .error
            .as_deref()
            .is_some_and(|error| error.contains("event deprovisions")),
        "{:?}",
        recent[0].error
    );
    // Not remembered as handled: delivered again once the window is back, it is applied.
    db.execute_batch(
        "CREATE TABLE event_deprovisions (syncer TEXT NOT NULL, at INTEGER NOT NULL, count INTEGER NOT NULL)",
    )
    .expect("create");
    assert_eq!(hub.deliver(hire("e1", "u1")).await, EventOutcome::Done);
    assert_eq!(hub.counters().applied, 1);
    cancel.cancel();
}
