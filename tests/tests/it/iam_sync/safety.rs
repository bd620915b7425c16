//! Safety rules seen from the fake IAM: the guard's base, the empty source, what a dry run shows
//! of withheld deprovisioning, contested e-mails and phones, unsafe adoptions and fields the
//! source suddenly cannot read.

use super::*;

/// Removes `users` from the simulated DingTalk.
fn remove(world: &IamWorld, users: &[SimUser]) {
    world.dingtalk.update_org(|org| {
        for user in users {
            org.remove_user(&user.userid);
        }
    });
}

#[tokio::test]
async fn the_guard_base_leaves_out_leavers_disabled_long_ago() {
    let world = IamWorld::start(org(120), fake_iam(Flavor::Hanzo).await, "").await;
    initial_sync(&world).await;
    let active = active_with_unionid(&world.dingtalk.org());
    remove(&world, &active[..60]);
    let (outcome, report) = world.sync(&["--allow-mass-deprovision"]).await;
    assert_eq!(outcome.code, 0, "{}", outcome.all());
    assert_eq!(report["counts"]["disabled"], 60, "{}", summary(&report));

    // 11 of 120 managed users is under 10%, but 60 of them are disabled already: 11 of the
    // ones who may still sign in is more.
    remove(&world, &active[60..71]);
    world.iam.reset_stats();
    let (outcome, report) = world.sync(&[]).await;
    assert_eq!(outcome.code, 1, "{}", outcome.all());
    assert_eq!(report["counts"]["disabled"], 0, "{}", summary(&report));
    assert_eq!(report["held_back"]["count"], 11, "{}", summary(&report));
    assert_eq!(world.iam.stats().total_writes, 0);
}

#[tokio::test]
async fn the_override_does_not_let_an_empty_source_deprovision_anyone() {
    let (world, _) = sync_after_the_source_emptied(&["--allow-mass-deprovision"]).await;
    assert_eq!(world.iam.stats().total_writes, 0);
}

#[tokio::test]
async fn a_dry_run_lists_who_the_guard_withholds() {
    let world = IamWorld::start(org(120), fake_iam(Flavor::Hanzo).await, "").await;
    initial_sync(&world).await;
    let leavers = active_with_unionid(&world.dingtalk.org())[..13].to_vec();
    remove(&world, &leavers);
    world.iam.reset_stats();
    let (outcome, report) = world.sync(&["--dry-run"]).await;
    assert_eq!(outcome.code, 1, "{}", outcome.all());
    assert_eq!(report["held_back"]["count"], 13, "{}", summary(&report));
    let listed: BTreeSet<(String, String, String)> = report["held_back"]["users"]
        .as_array()
        .expect("the withheld users are listed")
        .iter()
        .map(|u| {
            let text = |key: &str| u[key].as_str().expect("text").to_owned();
            (text("user"), text("iam_user"), text("action"))
        })
        .collect();
    let expected: BTreeSet<(String, String, String)> = leavers
        .iter()
        .map(|u| {
            (
                u.userid.clone(),
                format!("{ORG}/{}", u.unionid),
                "disable".to_owned(),
            )
        })
        .collect();
    assert_eq!(listed, expected);
    assert_eq!(world.iam.stats().total_writes, 0);
}

#[tokio::test]
async fn a_returning_leaver_whose_new_email_is_taken_is_still_re_enabled() {
    let world = IamWorld::start(org(30), fake_iam(Flavor::Hanzo).await, "").await;
    initial_sync(&world).await;
    let leaver = active_with_unionid(&world.dingtalk.org())[0].clone();
    remove(&world, std::slice::from_ref(&leaver));
    let (outcome, _) = world.sync(&[]).await;
    assert_eq!(outcome.code, 0, "{}", outcome.all());
    assert_eq!(stored(&world.iam, &leaver.unionid)["isForbidden"], true);
    world.iam.insert_user(json!({
        "owner": ORG, "name": "local-holder", "email": "recycled@acme.example",
    }));

    let mut back = leaver.clone();
    back.email = "recycled@acme.example".to_owned();
    back.title = "Returned".to_owned();
    world.dingtalk.update_org(|org| org.add_user(back));
    let (outcome, report) = world.sync(&[]).await;
    assert_eq!(outcome.code, 1, "{}", outcome.all());
    assert_eq!(report["status"], "partial", "{}", summary(&report));
    let user = stored(&world.iam, &leaver.unionid);
    assert_eq!(
        user["isForbidden"],
        false,
        "re-enabled: {}",
        summary(&report)
    );
    assert_eq!(user["title"], "Returned");
    assert_eq!(user["email"], leaver.email.as_str());
    assert!(
        has_user_error(&report, &leaver.userid, "recycled@acme.example"),
        "{}",
        report["errors"]
    );
}

#[tokio::test]
async fn phones_handed_over_in_one_run_reach_their_new_holders() {
    let world = IamWorld::start(org(40), fake_iam(Flavor::Hanzo).await, "").await;
    initial_sync(&world).await;
    let people: Vec<SimUser> = active_with_unionid(&world.dingtalk.org())
        .into_iter()
        .filter(|user| !user.mobile.is_empty())
        .take(10)
        .collect();
    assert_eq!(people.len(), 10, "ten members with a mobile number");
    // Five chains: the giver gets a new number, the taker (listed first) gets the giver's.
    world.dingtalk.update_org(|org| {
        for (i, pair) in people.chunks(2).enumerate() {
            let (taker, giver) = (&pair[0], &pair[1]);
            org.user_mut(&giver.userid).expect("member").mobile = format!("1770000000{i}");
            org.user_mut(&taker.userid).expect("member").mobile = giver.mobile.clone();
        }
    });
    let (outcome, report) = world.sync(&[]).await;
    assert_eq!(outcome.code, 0, "{}", outcome.all());
    assert_eq!(report["counts"]["updated"], 10, "{}", summary(&report));
    for (i, pair) in people.chunks(2).enumerate() {
        let (taker, giver) = (&pair[0], &pair[1]);
        assert_eq!(
            stored(&world.iam, &giver.unionid)["phone"],
            format!("1770000000{i}")
        );
        assert_eq!(
            stored(&world.iam, &taker.unionid)["phone"],
            giver.mobile.as_str()
        );
    }
}

#[tokio::test]
async fn accounts_unsafe_to_adopt_are_left_alone_and_reported() {
    let source = org(20);
    let people = active_with_unionid(&source);
    let iam = fake_iam(Flavor::Hanzo).await;
    iam.insert_user(json!({
        "owner": ORG, "name": "disabled-local", "id": people[0].userid, "isForbidden": true,
    }));
    iam.insert_user(json!({
        "owner": ORG, "name": "linked-local", "id": people[1].userid, "dingtalk": "someone-else",
    }));
    iam.insert_user(json!({
        "owner": ORG, "name": "deleted-local", "id": people[2].userid, "isDeleted": true,
    }));
    let untouched = ["disabled-local", "linked-local", "deleted-local"].map(|n| stored(&iam, n));
    let world = IamWorld::start(source, iam, "").await;
    let (outcome, report) = world.sync(&[]).await;
    assert_eq!(outcome.code, 0, "{}", outcome.all());
    assert_eq!(report["counts"]["skipped"], 3, "{}", summary(&report));
    assert_eq!(report["counts"]["created"], 17, "{}", summary(&report));
    for before in &untouched {
        let name = before["name"].as_str().expect("name");
        assert_eq!(&stored(&world.iam, name), before, "{name} was touched");
    }
    let notices = report["notices"].to_string();
    for (person, why) in [(0, "forbidden"), (1, "someone-else"), (2, "deleted")] {
        assert!(
            notices.contains(&format!("user {} skipped", people[person].userid))
                && notices.contains(why),
            "{why}: {notices}"
        );
    }
}

#[tokio::test]
async fn a_name_never_hands_a_leavers_account_to_another_person() {
    let source = org(20);
    let newcomer = active_with_unionid(&source)[0].clone();
    let iam = fake_iam(Flavor::Hanzo).await;
    // The syncer's account of someone who left, bearing the newcomer's Name.
    iam.insert_user(json!({
        "owner": ORG, "name": newcomer.unionid, "id": "gone01", "password": "theirs",
        "properties": {"syncer_managed_by": SYNCER, "syncer_source_id": "gone01"},
    }));
    let world = IamWorld::start(source, iam, "").await;
    let (outcome, report) = world.sync(&[]).await;
    assert_eq!(outcome.code, 1, "{}", outcome.all());
    let account = stored(&world.iam, &newcomer.unionid);
    assert_eq!(account["properties"]["syncer_source_id"], "gone01");
    assert_eq!(
        account["isForbidden"], true,
        "the leaver's account is disabled"
    );
    assert!(
        has_user_error(&report, &newcomer.userid, "gone01"),
        "{}",
        report["errors"]
    );
}

#[tokio::test]
async fn phones_missing_for_everyone_are_kept_and_the_scope_is_named() {
    let world = IamWorld::start(org(40), fake_iam(Flavor::Hanzo).await, "").await;
    initial_sync(&world).await;
    world.dingtalk.update_org(|org| {
        for user in &mut org.users {
            user.mobile.clear();
        }
    });
    world.iam.reset_stats();
    let (outcome, report) = world.sync(&[]).await;
    assert_eq!(outcome.code, 0, "{}", outcome.all());
    assert_eq!(world.iam.stats().total_writes, 0, "{}", summary(&report));
    assert!(
        report["notices"]
            .as_array()
            .expect("notices")
            .iter()
            .any(|n| n
                .as_str()
                .is_some_and(|n| n.contains("Phone") && n.contains("Contact.User.mobile"))),
        "{}",
        report["notices"]
    );
}
