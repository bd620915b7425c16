//! DingTalk Stream mode: every kind of change arrives by event and is in IAM once the
//! simulator has the acknowledgement, at one `user/get` per changed person.

use super::*;

fn small_org() -> Org {
    crate::common::org(20)
}

async fn stream_world() -> (EventWorld, Org) {
    let org = small_org();
    let world = EventWorld::start(org.clone(), STREAM).await;
    assert!(
        world.dingtalk.connected(1, DEADLINE).await,
        "serve connects to the gateway"
    );
    (world, org)
}

#[tokio::test]
async fn a_hire_appears_in_iam_with_one_user_get_and_its_group() {
    let (world, org) = stream_world().await;
    let dept = staffed_department(&org);
    let before = world.user_gets();
    let id = world.dingtalk.hire(hire("newbie", dept));
    world.settled().await;
    let user = world
        .user("union-newbie")
        .expect("the hire is in IAM once acknowledged");
    assert_eq!(user["email"], "newbie@acme.example");
    assert!(
        user["groups"].to_string().contains(&format!("acme/{dept}")),
        "{user}"
    );
    assert_eq!(world.user_gets() - before, 1, "one user/get for one person");
    let event = world.handled(&id).await;
    assert_eq!(event["outcome"], "applied", "{event}");
    assert_eq!(event["type"], "user_add_org");
    let counters = world.counters().await;
    assert_eq!(counters["mode"], "stream");
    assert_eq!(counters["connected"], true);
    assert!(counters["applied"].as_u64() >= Some(1), "{counters}");
}

#[tokio::test]
async fn a_change_a_mover_a_leaver_and_a_returner_are_carried_over() {
    let (world, org) = stream_world().await;
    let person = member(&org, 3);
    let name = name_of(&person);
    // A change of name.
    world
        .dingtalk
        .modify(&person.userid, |user| user.name = "改名了".into())
        .expect("modify");
    world.settled().await;
    assert_eq!(world.user(&name).expect("user")["displayName"], "改名了");
    // A mover: to the root department only.
    world
        .dingtalk
        .move_user(&person.userid, vec![1])
        .expect("move");
    world.settled().await;
    let groups = world.user(&name).expect("user")["groups"].clone();
    assert_eq!(groups, serde_json::json!(["acme/1"]), "moved: {groups}");
    // A leaver: disabled.
    world.dingtalk.leave(&person.userid).expect("leave");
    world.settled().await;
    assert_eq!(world.user(&name).expect("user")["isForbidden"], true);
    // Back again: enabled.
    let mut back = person.clone();
    back.name = "回来了".into();
    world.dingtalk.hire(back);
    world.settled().await;
    let user = world.user(&name).expect("user");
    assert_eq!(user["isForbidden"], false, "{user}");
    assert_eq!(user["displayName"], "回来了");
    // Nobody else was touched: every other member is as the full sync left them.
    let other = name_of(&member(&org, 4));
    assert_eq!(world.user(&other).expect("other")["isForbidden"], false);
}

#[tokio::test]
async fn departments_created_renamed_and_removed_follow_as_groups() {
    let (world, _) = stream_world().await;
    let (dept, _) = world
        .dingtalk
        .create_department(1, "新部门")
        .expect("create");
    world.settled().await;
    let group = |world: &EventWorld| {
        world
            .iam
            .groups("acme")
            .into_iter()
            .find(|group| group["name"] == dept.to_string().as_str())
    };
    assert_eq!(
        group(&world).expect("group created")["displayName"],
        "新部门"
    );
    world
        .dingtalk
        .rename_department(dept, "改名部门")
        .expect("rename");
    world.settled().await;
    assert_eq!(group(&world).expect("group")["displayName"], "改名部门");
    let events = world.dingtalk.remove_department(dept);
    assert!(!events.is_empty());
    world.settled().await;
    assert!(group(&world).is_none(), "an empty department's group goes");
}

#[tokio::test]
async fn duplicates_and_redeliveries_cost_no_write() {
    let (world, org) = stream_world().await;
    let mut config = world.dingtalk.stream_config();
    config.duplicate_after_ack = true;
    world.dingtalk.set_stream_config(config);
    let dept = staffed_department(&org);
    world.dingtalk.hire(hire("twice", dept));
    world.settled().await;
    let counters = eventually("the duplicate to be counted", || async {
        let counters = world.counters().await;
        (counters["duplicates"].as_u64() >= Some(1)).then_some(counters)
    })
    .await;
    assert_eq!(counters["applied"], 1, "{counters}");
    assert_eq!(world.user_gets(), 1, "the duplicate read nobody");
}

#[tokio::test]
async fn a_disconnect_is_survived() {
    let (world, org) = stream_world().await;
    assert!(world.dingtalk.disconnect() >= 1);
    let dept = staffed_department(&org);
    world.dingtalk.hire(hire("after-disconnect", dept));
    world.settled().await;
    assert!(world.user("union-after-disconnect").is_some());
    world.dingtalk.drop_connections();
    world.dingtalk.hire(hire("after-drop", dept));
    world.settled().await;
    assert!(world.user("union-after-drop").is_some());
}
