//! A run cut by an outage of the shared state: its lease is lost, it stops writing and ends
//! while the database is down, so its row stays `running`. Once the database is back, the
//! replica that ran it closes the row with the run's own report (why it ended), not as a run
//! whose process died.

use syncer_dingtalk_sim::Faults;

use super::{slow_run, Replica, TOKEN};
use crate::common::{call_api, eventually, postgres_database};

/// How many runs of `acme-dt` ended `status` as `/metrics` counts them (kept in memory, so it
/// answers while the database is down).
async fn runs_ended(replica: &Replica, status: &str) -> u64 {
    let (_, text) = call_api(&replica.url, reqwest::Method::GET, "/metrics", TOKEN).await;
    let series = format!("syncer_runs_total{{syncer=\"acme-dt\",status=\"{status}\"}} ");
    text.lines()
        .find_map(|line| line.strip_prefix(series.as_str()))
        .and_then(|count| count.trim().parse().ok())
        .unwrap_or(0)
}

#[tokio::test]
async fn a_run_cut_by_a_database_outage_is_closed_with_why_it_ended_once_the_database_is_back() {
    let Some((mut cluster, url)) = postgres_database() else {
        return;
    };
    // Every DingTalk call takes a second: the fetch outlasts the lease (3 s) while the
    // database is down.
    let (dingtalk, _scratch, replica, run_id) = slow_run(&url, 1000).await;

    cluster.stop().expect("stop the database");
    eventually("the run to end while the database is down", || async {
        (runs_ended(&replica, "failed").await > 0).then_some(())
    })
    .await;
    cluster.restart().expect("start the database again");
    eventually("healthz ok again", || async {
        let (status, _) = replica.get("/healthz").await;
        (status == 200).then_some(())
    })
    .await;

    // The next run on that replica finds the row still `running` and closes it.
    dingtalk.set_faults(Faults::default());
    let (status, body) = replica.sync().await;
    assert_eq!(status, 202, "{body}");
    let (status, run) = replica.get(&format!("/api/v1/runs/{run_id}")).await;
    assert_eq!(status, 200, "{run}");
    assert_eq!(run["status"], "failed", "{run}");
    let errors = run["report"]["errors"].to_string();
    assert!(errors.contains("lost its lease"), "{run}");
    assert!(
        !errors.contains("interrupted"),
        "closed with its own report, not as a run whose process died: {run}"
    );
}
