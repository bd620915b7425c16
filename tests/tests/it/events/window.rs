//! The guard's window of event deprovisions, kept in the host's state: what events deprovisioned
//! before a restart still counts after it, the window empties once one `sync_interval` has
//! passed, and a full sync settles it. The default guard lets at most 10 of 20 managed users go
//! (more than 10 and more than 10% trips it).
//!
//! A full sync settles the window, and serve runs one at start and one every `sync_interval`:
//! where a test needs the window left alone, the app loses its department scope first, so
//! those syncs fail and decide nothing.

use std::time::{Duration, Instant};

use syncer_dingtalk_sim::{DeptFault, Permission};

use super::*;

/// `count` members of `org` whom IAM holds enabled after the first sync.
fn enabled_members(world: &EventWorld, org: &Org, count: usize) -> Vec<SimUser> {
    let enabled: Vec<SimUser> = org
        .users
        .iter()
        .filter(|user| {
            world
                .user(&name_of(user))
                .is_some_and(|u| u["isForbidden"] == false)
        })
        .take(count)
        .cloned()
        .collect();
    assert_eq!(enabled.len(), count, "enough enabled members");
    enabled
}

/// How many of `people` IAM holds disabled.
fn disabled(world: &EventWorld, people: &[SimUser]) -> usize {
    people
        .iter()
        .filter(|person| world.user(&name_of(person)).expect("user")["isForbidden"] == true)
        .count()
}

/// `people` leave the company, by event; once every event is acknowledged, how many of them
/// IAM holds disabled.
async fn leave(world: &EventWorld, people: &[SimUser]) -> usize {
    for person in people {
        world.dingtalk.leave(&person.userid).expect("leave");
    }
    world.settled().await;
    disabled(world, people)
}

/// From now on every full sync fails at its first department read; `user/get` still works.
fn full_syncs_fail(world: &EventWorld) {
    world.dingtalk.set_faults(Faults {
        missing_permission: Some(Permission::DepartmentRead),
        ..Faults::default()
    });
}

/// The ten leavers of `allowed` leave (as many as the guard allows), then `over` (one more,
/// held back).
async fn fill_the_window(world: &EventWorld, allowed: &[SimUser], over: &[SimUser]) {
    assert_eq!(
        leave(world, allowed).await,
        10,
        "as many as the guard allows"
    );
    assert_eq!(leave(world, over).await, 0, "one more is held back");
    assert!(held_back(world).await >= 1);
}

/// Starts a full sync through the API; its run once finished.
async fn full_sync(world: &EventWorld) -> Value {
    let (status, started) = world.served.post("/api/v1/syncers/acme-dt/sync").await;
    assert_eq!(status, 202, "{started}");
    let run_id = started["run_id"].as_i64().expect("run id");
    world.served.wait_for_run(run_id).await
}

async fn held_back(world: &EventWorld) -> u64 {
    let counters = world.counters().await;
    counters["held_back"].as_u64().unwrap_or(0)
}

#[tokio::test]
async fn deprovisions_by_events_before_a_restart_still_count_after_it() {
    let org = crate::common::org(20);
    let world = EventWorld::start(org.clone(), STREAM).await;
    assert!(world.dingtalk.connected(1, DEADLINE).await);
    let people = enabled_members(&world, &org, 13);
    let (before, after) = people.split_at(8);
    assert_eq!(leave(&world, before).await, 8, "within the guard");
    // Five more would make 13: the guard lets at most two of them go, unless the eight are
    // forgotten.
    full_syncs_fail(&world);
    let (world, run) = world.restart().await;
    assert_eq!(
        run["status"], "failed",
        "the sync at start decided nothing: {run}"
    );
    assert!(world.dingtalk.connected(1, DEADLINE).await);
    let more = leave(&world, after).await;
    assert!(
        before.len() + more <= 10,
        "{more} of 5 more leavers disabled after the restart: the eight before it were forgotten"
    );
    assert!(held_back(&world).await >= 1);
}

#[tokio::test]
async fn the_window_empties_once_a_sync_interval_has_passed() {
    const INTERVAL: Duration = Duration::from_secs(3);
    let org = crate::common::org(20);
    let world = EventWorld::start_every(org.clone(), INTERVAL.as_secs(), STREAM).await;
    assert!(world.dingtalk.connected(1, DEADLINE).await);
    full_syncs_fail(&world);
    let people = enabled_members(&world, &org, 11);
    let (allowed, over) = people.split_at(10);
    let first_leave = Instant::now();
    fill_the_window(&world, allowed, over).await;
    let held = over[0].clone();
    // DingTalk tells again that the held-back person left, until the event is applied.
    eventually("the held-back leaver to be disabled", || async {
        world.dingtalk.emit_stale_leave(&held.userid);
        world.settled().await;
        (world.user(&name_of(&held)).expect("user")["isForbidden"] == true).then_some(())
    })
    .await;
    assert!(
        first_leave.elapsed() >= INTERVAL,
        "applied only once the window had passed, after {:?}",
        first_leave.elapsed()
    );
}

#[tokio::test]
async fn a_full_sync_settles_the_window_and_events_deprovision_again() {
    let org = crate::common::org(20);
    let world = EventWorld::start(org.clone(), STREAM).await;
    assert!(world.dingtalk.connected(1, DEADLINE).await);
    let people = enabled_members(&world, &org, 12);
    let (storm, later) = people.split_at(11);
    let (allowed, over) = storm.split_at(10);
    fill_the_window(&world, allowed, over).await;
    let run = full_sync(&world).await;
    assert_eq!(run["status"], "succeeded", "{run}");
    assert_eq!(
        disabled(&world, storm),
        11,
        "the full sync decided the held-back"
    );
    assert_eq!(
        leave(&world, later).await,
        1,
        "a fresh window lets the next leaver go"
    );
}

#[tokio::test]
async fn a_full_sync_that_holds_its_own_leavers_back_leaves_the_window_as_it_is() {
    let org = crate::common::org(20);
    let world = EventWorld::start(org.clone(), STREAM).await;
    assert!(world.dingtalk.connected(1, DEADLINE).await);
    let people = enabled_members(&world, &org, 12);
    let (allowed, rest) = people.split_at(10);
    let (over, later) = rest.split_at(1);
    fill_the_window(&world, allowed, over).await;
    // A department cannot be read: the sync is partial and deprovisions nobody.
    world.dingtalk.set_faults(Faults {
        failing_departments: [(staffed_department(&org), DeptFault::AlwaysBusy)].into(),
        ..Faults::default()
    });
    let run = full_sync(&world).await;
    assert_eq!(run["status"], "partial", "{run}");
    assert!(run["report"]["held_back"].is_object(), "{run}");
    world.dingtalk.set_faults(Faults::default());
    assert_eq!(
        leave(&world, later).await,
        0,
        "the ten by events still count: that sync decided about nobody"
    );
}
