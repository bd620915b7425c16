//! The account index shared by two replicas: hires and leavers delivered at random to either
//! replica, after the first full sync, read no page of IAM's user listing, since each batch
//! reads and keeps the one index in PostgreSQL under the syncer's lease.

use syncer_iam_sim::Flavor;

use super::events::listening_after_the_first_sync;
use super::{shared_state, Replica};
use crate::common::{
    fake_dingtalk, fake_iam, iam_config, iam_name, org, postgres_database, Scratch, DEADLINE,
    IAM_SECRET_VAR,
};
use crate::events::{hire, staffed_department};

#[tokio::test]
async fn hires_and_leavers_on_either_replica_read_no_iam_listing_after_a_full_sync() {
    let Some((_cluster, url)) = postgres_database() else {
        return;
    };
    let org = org(20);
    let dingtalk = fake_dingtalk(org.clone(), Default::default()).await;
    let iam = fake_iam(Flavor::Hanzo).await;
    let scratch = Scratch::new();
    let events = format!(
        "is_enabled = true\nsync_interval = 3600\nevents = \"stream\"\nstream_endpoint = \"{}\"",
        dingtalk.stream_endpoint()
    );
    scratch.write_config(&shared_state(&iam_config(&dingtalk.url(), &iam, &events)));
    let secret = iam.config().client_secret.clone();
    let env = [(IAM_SECRET_VAR, secret.as_str())];
    let replicas = [
        Replica::start_with(&scratch, &url, "replica-a", &env).await,
        Replica::start_with(&scratch, &url, "replica-b", &env).await,
    ];
    listening_after_the_first_sync(&replicas, &dingtalk).await;
    let listings = iam.stats().calls_to("get-users");
    let dept = staffed_department(&org);
    let settled = || async {
        dingtalk
            .all_acknowledged(DEADLINE)
            .await
            .unwrap_or_else(|unsettled| panic!("events not acknowledged: {unsettled:?}"));
    };
    for n in 0..6 {
        dingtalk.hire(hire(&format!("new{n}"), dept));
    }
    settled().await;
    let leavers: Vec<_> = org.users.iter().take(6).collect();
    for user in &leavers {
        dingtalk.leave(&user.userid).expect("leave");
    }
    // Three hires leave again: their accounts came into the index by events, on either side.
    for n in 0..3 {
        dingtalk.leave(&format!("new{n}")).expect("leave");
    }
    settled().await;
    for n in 0..6 {
        let user = iam
            .user("acme", &format!("union-new{n}"))
            .unwrap_or_else(|| panic!("hire {n} is in IAM"));
        assert_eq!(user["isForbidden"], n < 3, "hire {n}: {user}");
    }
    for user in leavers {
        let stored = iam.user("acme", iam_name(user)).expect("kept");
        assert_eq!(stored["isForbidden"], true, "{stored}");
    }
    assert_eq!(
        iam.stats().calls_to("get-users"),
        listings,
        "no page of the organization's users was read by either replica"
    );
    for replica in &replicas {
        let (status, syncers) = replica.get("/api/v1/syncers").await;
        assert_eq!(status, 200, "{syncers}");
        assert!(
            syncers[0]["events"]["received"].as_u64() >= Some(1),
            "events reached {}: {syncers}",
            replica.name
        );
    }
}
