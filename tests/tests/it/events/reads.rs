//! What an event reads from IAM: the few users its person can match or collide with, by
//! `get-user` (name, `userId`, e-mail, phone), never the organization's whole listing — and
//! still every conflict a full sync would catch.

use super::*;

const STREAM: &str = "events = \"stream\"\nstream_endpoint = \"STREAM\"";

async fn stream_world() -> (EventWorld, Org) {
    let org = crate::common::org(20);
    let world = EventWorld::start(org.clone(), STREAM).await;
    assert!(world.dingtalk.connected(1, DEADLINE).await);
    (world, org)
}

#[tokio::test]
async fn a_change_reads_iam_by_lookups_not_the_whole_listing() {
    let (world, org) = stream_world().await;
    let person = member(&org, 3);
    let listings = world.iam.stats().calls_to("get-users");
    world
        .dingtalk
        .modify(&person.userid, |user| user.title = "架构师".into())
        .expect("modify");
    world.settled().await;
    assert_eq!(
        world.user(&name_of(&person)).expect("user")["title"],
        "架构师"
    );
    assert_eq!(
        world.iam.stats().calls_to("get-users"),
        listings,
        "no page of the organization's users was read"
    );
}

#[tokio::test]
async fn a_change_to_an_email_another_iam_user_holds_keeps_it_and_writes_the_rest() {
    let (world, org) = stream_world().await;
    world.iam.insert_user(serde_json::json!({
        "owner": "acme", "name": "local-admin", "email": "Taken@Acme.Example",
        "phone": "+8613900009999"
    }));
    let person = member(&org, 3);
    let name = name_of(&person);
    let before = world.user(&name).expect("user");
    let id = world
        .dingtalk
        .modify(&person.userid, |user| {
            user.email = "taken@acme.example".into();
            user.mobile = "13900009999".into();
            user.title = "架构师".into();
        })
        .expect("modify");
    world.settled().await;
    let after = world.user(&name).expect("user");
    assert_eq!(after["title"], "架构师", "the other changes are written");
    assert_eq!(
        after["email"], before["email"],
        "the e-mail another user holds"
    );
    assert_eq!(
        after["phone"], before["phone"],
        "the phone another user holds"
    );
    let event = world.handled(&id).await;
    let error = event["error"].as_str().unwrap_or_default();
    assert!(error.contains("local-admin"), "{event}");
}
