//! Change events on two replicas sharing one PostgreSQL state: DingTalk delivers each event to
//! one of their Stream connections at random, and the deprovisions both make count in one
//! guard window, so leavers split across them cannot exceed the guard together; and the ids
//! of the events handled are one set, so a redelivery to the other replica is a duplicate.

use super::{shared_config, Replica};
use crate::common::{
    eventually, fake_dingtalk, iam_name, org, postgres_database, Scratch, DEADLINE,
};
use crate::events::{hire, staffed_department};
use syncer_dingtalk_sim::{FakeDingTalk, Org};

/// Whether the embedded store holds the user `name` of `acme` disabled; `None` when absent.
fn forbidden(scratch: &Scratch, name: &str) -> Option<bool> {
    scratch
        .stored_users("acme")
        .into_iter()
        .find(|user| user["name"] == name)
        .and_then(|user| user["isForbidden"].as_bool())
}

/// Two replicas of a Stream syncer on `url`, both connected, after the first full sync.
async fn two_listening_replicas(
    scratch: &Scratch,
    url: &str,
    dingtalk: &FakeDingTalk,
) -> [Replica; 2] {
    scratch.write_config(&shared_config(
        &dingtalk.url(),
        &format!(
            "is_enabled = true\nsync_interval = 3600\nevents = \"stream\"\nstream_endpoint = \"{}\"",
            dingtalk.stream_endpoint()
        ),
    ));
    let replicas = [
        Replica::start(scratch, url, "replica-a").await,
        Replica::start(scratch, url, "replica-b").await,
    ];
    listening_after_the_first_sync(&replicas, dingtalk).await;
    replicas
}

/// Waits for the first full sync of `replicas`, and asserts that both listen to `dingtalk`.
pub(super) async fn listening_after_the_first_sync(
    replicas: &[Replica; 2],
    dingtalk: &FakeDingTalk,
) {
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
}

/// The `events` counters of the syncer on each replica.
async fn event_counters(replicas: &[Replica]) -> Vec<serde_json::Value> {
    let mut counters = Vec::new();
    for replica in replicas {
        let (status, syncers) = replica.get("/api/v1/syncers").await;
        assert_eq!(status, 200, "{syncers}");
        counters.push(syncers[0]["events"].clone());
    }
    counters
}

/// Two listening replicas of a 20-person organization on a throwaway PostgreSQL.
struct TwoReplicas {
    org: Org,
    dingtalk: FakeDingTalk,
    scratch: Scratch,
    replicas: [Replica; 2],
    _cluster: syncer_pg_cluster::PgCluster,
}

impl TwoReplicas {
    /// `None` (having said how to run the test) where no PostgreSQL is installed.
    async fn start() -> Option<TwoReplicas> {
        let (cluster, url) = postgres_database()?;
        let org = org(20);
        let dingtalk = fake_dingtalk(org.clone(), Default::default()).await;
        let scratch = Scratch::new();
        let replicas = two_listening_replicas(&scratch, &url, &dingtalk).await;
        Some(TwoReplicas {
            org,
            dingtalk,
            scratch,
            replicas,
            _cluster: cluster,
        })
    }
}

fn total(counters: &[serde_json::Value], key: &str) -> u64 {
    counters.iter().filter_map(|c| c[key].as_u64()).sum()
}

#[tokio::test]
async fn leavers_split_across_two_replicas_stay_within_one_guard() {
    let Some(world) = TwoReplicas::start().await else {
        return;
    };
    let leavers: Vec<String> = world
        .org
        .users
        .iter()
        .map(|user| iam_name(user).to_owned())
        .filter(|name| forbidden(&world.scratch, name) == Some(false))
        .take(15)
        .collect();
    assert_eq!(leavers.len(), 15, "enough enabled members");
    // Fifteen leave; alone, each replica would let all of its share go (ten each at most).
    for user in world
        .org
        .users
        .iter()
        .filter(|u| leavers.iter().any(|n| n == iam_name(u)))
    {
        world.dingtalk.leave(&user.userid).expect("leave");
    }
    world
        .dingtalk
        .all_acknowledged(DEADLINE)
        .await
        .unwrap_or_else(|unsettled| panic!("events not acknowledged: {unsettled:?}"));
    let disabled = leavers
        .iter()
        .filter(|name| forbidden(&world.scratch, name) == Some(true))
        .count();
    assert!(
        disabled <= 10,
        "{disabled} of 15 leavers disabled by two replicas"
    );
    let counters = event_counters(&world.replicas).await;
    assert!(total(&counters, "held_back") >= 1, "{counters:?}");
    assert!(
        counters.iter().all(|c| c["received"].as_u64() >= Some(1)),
        "the events were split across both replicas: {counters:?}"
    );
}

#[tokio::test]
async fn an_event_handled_by_one_replica_is_a_duplicate_on_the_other() {
    let Some(world) = TwoReplicas::start().await else {
        return;
    };
    let mut config = world.dingtalk.stream_config();
    config.duplicate_after_ack = true;
    world.dingtalk.set_stream_config(config);
    let user_gets = || world.dingtalk.stats().calls("/topapi/v2/user/get");
    let before = user_gets();
    // Each hire is delivered twice, each time to one of the two sockets at random: about half
    // the second deliveries reach the replica that did not handle the first.
    let dept = staffed_department(&world.org);
    let hires = 16;
    for n in 0..hires {
        world.dingtalk.hire(hire(&format!("twice{n}"), dept));
    }
    let counters = eventually("every duplicate to be counted", || async {
        let counters = event_counters(&world.replicas).await;
        (total(&counters, "duplicates") >= hires).then_some(counters)
    })
    .await;
    world
        .dingtalk
        .all_acknowledged(DEADLINE)
        .await
        .unwrap_or_else(|unsettled| panic!("events not acknowledged: {unsettled:?}"));
    assert_eq!(total(&counters, "applied"), hires, "{counters:?}");
    assert_eq!(total(&counters, "duplicates"), hires, "{counters:?}");
    assert_eq!(
        user_gets() - before,
        hires,
        "a duplicate on either replica reads nobody: {counters:?}"
    );
    for n in 0..hires {
        assert_eq!(
            forbidden(&world.scratch, &format!("union-twice{n}")),
            Some(false),
            "hire {n} is in IAM"
        );
    }
}
