//! Shutdown: a raised stop signal starts no write, and a run stopped while fetching or
//! reading the target writes nothing; each is `partial`.

use super::*;

#[tokio::test]
async fn raised_stop_signal_starts_no_write_and_reports_partial() {
    let store = Store::default();
    let stopping = options();
    stopping.stop.raise();
    let report = sync(&store, people(5), &stopping).await;
    assert_eq!(store.writes(), vec![]);
    assert_eq!(report.status, RunStatus::Partial);
    assert!(report
        .errors
        .iter()
        .any(|e| e.message.contains("stopped by shutdown")));
}

/// Raises the stop signal while fetching, as SIGTERM during a long fetch would.
struct StoppedWhileFetching(StopSignal);

#[async_trait]
impl Syncer for StoppedWhileFetching {
    async fn test_connection(&self) -> ConnectionReport {
        ConnectionReport::default()
    }
    async fn fetch(&self, _: &dyn FetchProgress) -> Result<Snapshot, FetchError> {
        self.0.raise();
        Ok(Snapshot {
            users: vec![SourceRecord::new("u1").with("userid", "u1")],
            ..Snapshot::default()
        })
    }
}

fn assert_stopped(report: &SyncReport) {
    assert_eq!(report.status, RunStatus::Partial);
    assert_eq!(report.target_writes, 0);
    assert!(
        report
            .errors
            .iter()
            .any(|e| e.message.contains("stopped by shutdown")),
        "{:?}",
        report.errors
    );
}

#[tokio::test]
async fn stop_during_the_fetch_touches_no_target() {
    let options = SyncOptions::new("slow", "acme");
    let source = StoppedWhileFetching(options.stop.clone());
    // No expectations: any call to the target would fail the test.
    let target = MockTarget::new();
    let report = run_sync(SyncInputs::new(&source, &mapping(), &target, &options)).await;
    assert_stopped(&report);
    assert_eq!(report.counts.fetched, 1);
}

#[tokio::test]
async fn stop_while_reading_the_target_writes_nothing() {
    let options = SyncOptions::new("slow", "acme");
    let stop = options.stop.clone();
    let source = StoppedWhileFetching(StopSignal::default());
    let mut target = MockTarget::new();
    target.expect_list_users().returning(move |_| {
        stop.raise();
        Ok(vec![])
    });
    target.expect_list_groups().returning(|_| Ok(vec![]));
    let report = run_sync(SyncInputs::new(&source, &mapping(), &target, &options)).await;
    assert_stopped(&report);
}
