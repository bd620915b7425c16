//! Change events on two replicas sharing one PostgreSQL state: DingTalk delivers each event to
//! one of their Stream connections at random, and the deprovisions both make count in one
//! guard window, so leavers split across them cannot exceed the guard together.

use super::{database, shared_config, Replica};
use crate::common::{eventually, fake_dingtalk, iam_name, org, Scratch, DEADLINE};

/// Whether the embedded store holds the user `name` of `acme` disabled; `None` when absent.
fn forbidden(scratch: &Scratch, name: &str) -> Option<bool> {
    scratch
        .stored_users("acme")
        .into_iter()
        .find(|user| user["name"] == name)
        .and_then(|user| user["isForbidden"].as_bool())
}

#[tokio::test]
async fn leavers_split_across_two_replicas_stay_within_one_guard() {
    let Some((_cluster, url)) = database() else {
        return;
    };
    let org = org(20);
    let dingtalk = fake_dingtalk(org.clone(), Default::default()).await;
    let scratch = Scratch::new();
    scratch.write_config(&shared_config(
        &dingtalk.url(),
        &format!(
            "is_enabled = true\nsync_interval = 3600\nevents = \"stream\"\nstream_endpoint = \"{}\"",
            dingtalk.stream_endpoint()
        ),
    ));
    let replicas = [
        Replica::start(&scratch, &url, "replica-a").await,
        Replica::start(&scratch, &url, "replica-b").await,
    ];
    eventually("the first full sync", || async {
        let runs = replicas[0].runs().await;
        runs.iter()
            .any(|run| run["status"] == "succeeded")
            .then_some(())
    })
    .await;
    assert!(
        dingtalk.connected(2, DEADLINE).await,
        "both replicas listen"
    );
    let leavers: Vec<String> = org
        .users
        .iter()
        .map(|user| iam_name(user).to_owned())
        .filter(|name| forbidden(&scratch, name) == Some(false))
        .take(15)
        .collect();
    assert_eq!(leavers.len(), 15, "enough enabled members");
    // Fifteen leave; alone, each replica would let all of its share go (ten each at most).
    for user in org
        .users
        .iter()
        .filter(|u| leavers.iter().any(|n| n == iam_name(u)))
    {
        dingtalk.leave(&user.userid).expect("leave");
    }
    dingtalk
        .all_acknowledged(DEADLINE)
        .await
        .unwrap_or_else(|unsettled| panic!("events not acknowledged: {unsettled:?}"));
    let disabled = leavers
        .iter()
        .filter(|name| forbidden(&scratch, name) == Some(true))
        .count();
    assert!(
        disabled <= 10,
        "{disabled} of 15 leavers disabled by two replicas"
    );
    let mut counters = Vec::new();
    for replica in &replicas {
        let (status, syncers) = replica.get("/api/v1/syncers").await;
        assert_eq!(status, 200, "{syncers}");
        counters.push(syncers[0]["events"].clone());
    }
    let sum = |key: &str| -> u64 { counters.iter().filter_map(|c| c[key].as_u64()).sum() };
    assert!(sum("held_back") >= 1, "{counters:?}");
    assert!(
        counters.iter().all(|c| c["received"].as_u64() >= Some(1)),
        "the events were split across both replicas: {counters:?}"
    );
}
