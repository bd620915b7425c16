//! Hires and leavers with the account index: after a full sync, a hire's and a leaver's event
//! read no page of IAM's user listing (the index gives the leaver's account by name and the
//! guard's count) and land as a full sync would land them; where the index cannot be trusted
//! (a write that did not land, a writer that died before it updated the index) the batch
//! reads the whole listing once, which makes the index again.

use super::*;

const LISTING: &str = "get-users";

async fn stream_world() -> (EventWorld, Org) {
    let org = crate::common::org(20);
    let world = EventWorld::start(org.clone(), STREAM).await;
    assert!(world.dingtalk.connected(1, DEADLINE).await);
    (world, org)
}

impl EventWorld {
    /// Member `index` of `org` leaves; returns the event's id once it is acknowledged and the
    /// account disabled.
    async fn member_leaves(&self, org: &Org, index: usize) -> String {
        let person = member(org, index);
        let id = self
            .dingtalk
            .leave(&person.userid)
            .expect("a member leaves");
        self.settled().await;
        let user = self.user(&name_of(&person)).expect("kept");
        assert_eq!(user["isForbidden"], true, "{user}");
        id
    }

    fn listings(&self) -> u64 {
        self.iam.stats().calls_to(LISTING)
    }

    /// Makes the index look as a writer that died after its IAM write and before it settled
    /// the index leaves it: opened (a newer generation), not usable.
    fn leave_index_open(&self) {
        let db = rusqlite::Connection::open(self.scratch.path("syncer-state.db")).expect("state");
        let opened = db
            .execute(
                "UPDATE account_index_state SET generation = generation + 1, usable = 0
                 WHERE syncer = 'acme-dt'",
                [],
            )
            .expect("open the index");
        assert_eq!(opened, 1, "the full sync made the index");
    }
}

#[tokio::test]
async fn a_hire_and_a_leaver_after_a_full_sync_read_no_iam_listing_and_land() {
    let (world, org) = stream_world().await;
    let listings = world.listings();
    let dept = staffed_department(&org);
    world.dingtalk.hire(hire("newbie", dept));
    world.settled().await;
    let user = world.user("union-newbie").expect("the hire is in IAM");
    assert!(
        user["groups"].to_string().contains(&format!("acme/{dept}")),
        "{user}"
    );
    let id = world.member_leaves(&org, 3).await;
    assert_eq!(world.handled(&id).await["outcome"], "applied");
    assert_eq!(
        world.listings(),
        listings,
        "no page of the organization's users was read"
    );
    // The hire, written by an event, is in the index too: their leaving reads no listing.
    world.dingtalk.leave("newbie").expect("the hire leaves");
    world.settled().await;
    assert_eq!(
        world.user("union-newbie").expect("kept")["isForbidden"],
        true
    );
    assert_eq!(world.listings(), listings);
}

#[tokio::test]
async fn a_hire_whose_account_a_dead_writer_made_is_found_on_the_listing_not_created_twice() {
    let (world, org) = stream_world().await;
    // A writer adopted an account for `late` under a name no lookup asks for and died
    // before it updated the index.
    world.iam.insert_user(serde_json::json!({
        "owner": "acme", "name": "late.hire", "id": "6b1f-uuid",
        "properties": {"syncer_managed_by": "acme-dt", "syncer_source_id": "late"}
    }));
    world.leave_index_open();
    let listings = world.listings();
    world.dingtalk.hire(hire("late", staffed_department(&org)));
    world.settled().await;
    assert!(world.user("union-late").is_none(), "no second account");
    let user = world.user("late.hire").expect("the account");
    assert_eq!(user["email"], "late@acme.example", "updated: {user}");
    assert_eq!(
        world.listings() - listings,
        1,
        "one listing, which makes the index again"
    );
    world.member_leaves(&org, 4).await;
    assert_eq!(world.listings() - listings, 1, "the index is trusted again");
}

#[tokio::test]
async fn a_hire_iam_refused_leaves_the_next_leaver_to_the_listing() {
    let (world, org) = stream_world().await;
    world
        .iam
        .fail_user_writes("union-refused", "duplicate phone (injected)");
    let id = world
        .dingtalk
        .hire(hire("refused", staffed_department(&org)));
    world.settled().await;
    assert_eq!(world.handled(&id).await["outcome"], "failed");
    world.iam.clear_user_write_failures();
    let listings = world.listings();
    world.member_leaves(&org, 5).await;
    assert_eq!(
        world.listings() - listings,
        1,
        "the index waited for a listing"
    );
}
