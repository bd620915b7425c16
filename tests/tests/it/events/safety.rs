//! Safety under events: a stale leave touches nobody, a storm of leavers stays within the
//! guard, and an unreachable IAM gets the event delivered again and applied once it is back.

use super::*;

async fn stream_world(people: usize) -> (EventWorld, Org) {
    let org = crate::common::org(people);
    let world = EventWorld::start(org.clone(), STREAM).await;
    assert!(world.dingtalk.connected(1, DEADLINE).await);
    (world, org)
}

#[tokio::test]
async fn a_stale_leave_event_touches_nobody() {
    let (world, org) = stream_world(10).await;
    let person = member(&org, 2);
    let writes = world.writes();
    let id = world.dingtalk.emit_stale_leave(&person.userid);
    world.settled().await;
    let event = world.handled(&id).await;
    assert_eq!(event["outcome"], "unchanged", "{event}");
    assert_eq!(
        world.user(&name_of(&person)).expect("user")["isForbidden"],
        false
    );
    assert_eq!(world.writes(), writes, "nothing written");
    assert_eq!(
        world.user_gets(),
        1,
        "the leave was confirmed with user/get"
    );
}

#[tokio::test]
async fn a_storm_of_leavers_stays_within_the_guard() {
    let (world, org) = stream_world(20).await;
    // The default guard lets at most 10 of 20 managed users go (more than 10 and more than 10%
    // trips it); 15 leave at once.
    let leavers: Vec<SimUser> = org.users.iter().take(15).cloned().collect();
    for leaver in &leavers {
        world.dingtalk.leave(&leaver.userid).expect("leave");
    }
    world.settled().await;
    let disabled = leavers
        .iter()
        .filter(|leaver| world.user(&name_of(leaver)).expect("user")["isForbidden"] == true)
        .count();
    assert!(
        disabled <= 10,
        "{disabled} of 15 leavers disabled by events"
    );
    let counters = world.counters().await;
    assert!(counters["held_back"].as_u64() >= Some(1), "{counters}");
    let recent = world.recent().await;
    let held = recent
        .iter()
        .find(|event| event["outcome"] == "held_back")
        .expect("a held-back event is listed");
    assert!(
        held["error"]
            .as_str()
            .unwrap_or_default()
            .contains("full sync"),
        "{held}"
    );
}

#[tokio::test]
async fn an_event_comes_back_while_iam_is_down_and_is_applied_once_it_is_up() {
    let (world, org) = stream_world(10).await;
    world.iam.set_down(true);
    let dept = staffed_department(&org);
    let id = world.dingtalk.hire(hire("patient", dept));
    let event = eventually("the event to be asked for again", || async {
        world
            .recent()
            .await
            .into_iter()
            .find(|event| event["id"] == id && event["outcome"] == "later")
    })
    .await;
    assert!(event["error"].as_str().is_some(), "{event}");
    world.iam.set_down(false);
    world.settled().await;
    assert!(
        world.user("union-patient").is_some(),
        "applied once IAM is back"
    );
    let applied = world
        .recent()
        .await
        .into_iter()
        .find(|event| event["id"] == id && event["outcome"] == "applied");
    assert!(applied.is_some(), "the redelivery was applied");
}
