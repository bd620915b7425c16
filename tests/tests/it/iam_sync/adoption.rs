//! Adoption by Name (issue 14, item 4): an unmanaged IAM account is adopted by Name only where it
//! is evidently the person's; a local account that merely shares a fallback userid keeps its
//! e-mail, display name and link, and the collision is reported for the person.

use super::*;

in_both_flavours!(
    a_local_account_named_like_a_fallback_userid_is_reported_and_left_alone,
    adopt_by_name_any_adopts_the_fallback_name_match,
);

/// A source whose member 2 has no unionid (their Name falls back to their userid), a fake IAM
/// of `flavor` holding a local account of that name, and the member.
async fn world_with_a_local_namesake(flavor: Flavor, extra: &str) -> (IamWorld, SimUser) {
    let mut source = org(10);
    source.users[2].unionid.clear();
    let member = source.users[2].clone();
    let iam = fake_iam(flavor).await;
    iam.insert_user(json!({
        "owner": ORG, "name": member.userid, "id": "local-uuid",
        "displayName": "Local Contractor", "email": "local@example.com",
        "password": "local-password",
    }));
    (IamWorld::start(source, iam, extra).await, member)
}

async fn a_local_account_named_like_a_fallback_userid_is_reported_and_left_alone(flavor: Flavor) {
    let (world, member) = world_with_a_local_namesake(flavor, "").await;
    let before = stored(&world.iam, &member.userid);
    let (outcome, report) = world.sync(&[]).await;
    assert_ne!(outcome.code, 0, "{}", outcome.all());
    assert_eq!(report["status"], "partial", "{}", summary(&report));
    assert!(
        has_user_error(&report, &member.userid, &format!("{ORG}/{}", member.userid)),
        "{}",
        summary(&report)
    );
    assert_eq!(
        stored(&world.iam, &member.userid),
        before,
        "nothing written"
    );
    assert_eq!(report["counts"]["created"], 9, "{}", summary(&report));
}

async fn adopt_by_name_any_adopts_the_fallback_name_match(flavor: Flavor) {
    let (world, member) = world_with_a_local_namesake(flavor, "adopt_by_name = \"any\"").await;
    let report = initial_sync(&world).await;
    assert_eq!(report["counts"]["updated"], 1, "{}", summary(&report));
    let adopted = stored(&world.iam, &member.userid);
    assert_eq!(adopted["displayName"], member.name.as_str());
    assert_eq!(adopted["properties"]["syncer_managed_by"], SYNCER);
}
