//! The scoped read of change events ([`syncer_core::Target::users_for`]) on Hanzo IAM: one
//! `get-user` per key — `id=ORG/NAME` for a name, `userId=` for an `id` value, `email=` and
//! `phone=` for the values IAM keeps unique — a few at a time, the users found each once and
//! ordered by name. A handful of calls instead of the whole organization's listing.

use futures::stream::{self, StreamExt, TryStreamExt};
use syncer_core::{IamUser, ListedUser, TargetError, UserKeys};

use super::client::{Envelope, IamClient};
use super::GET_USER;

/// `get-user` calls in flight at once for one read.
const IN_FLIGHT: usize = 8;

/// The queries of `keys` for users of `organization`.
fn queries(organization: &str, keys: &UserKeys) -> Vec<Vec<(&'static str, String)>> {
    let owner = || ("owner", organization.to_owned());
    let by_name = keys
        .names
        .iter()
        .map(|name| vec![("id", format!("{organization}/{name}"))]);
    let by = |key: &'static str, values: &std::collections::BTreeSet<String>| {
        values
            .iter()
            .map(|value| vec![owner(), (key, value.clone())])
            .collect::<Vec<_>>()
    };
    by_name
        .chain(by("userId", &keys.ids))
        .chain(by("email", &keys.emails))
        .chain(by("phone", &keys.phones))
        .collect()
}

/// The user one query finds, if any (`data: null` when none).
async fn one(
    client: &IamClient,
    query: Vec<(&'static str, String)>,
) -> Result<Option<ListedUser>, TargetError> {
    let envelope: Envelope<ListedUser> = client.list(GET_USER, &query).await?;
    Ok(envelope.data)
}

/// Every user of `organization` that one of `keys` finds.
pub(super) async fn users_for(
    client: &IamClient,
    organization: &str,
    keys: &UserKeys,
) -> Result<Vec<IamUser>, TargetError> {
    let calls: Vec<_> = queries(organization, keys)
        .into_iter()
        .map(|query| one(client, query))
        .collect();
    let found: Vec<Option<ListedUser>> = stream::iter(calls)
        .buffer_unordered(IN_FLIGHT)
        .try_collect()
        .await?;
    let mut users: Vec<IamUser> = found
        .into_iter()
        .flatten()
        .map(|ListedUser(user)| user)
        .filter(|user| user.owner == organization)
        .collect();
    users.sort_by(|a, b| a.name.cmp(&b.name));
    users.dedup_by(|a, b| a.name == b.name);
    Ok(users)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_is_one_query_of_the_organization() {
        let keys = UserKeys {
            names: ["alice".to_owned()].into(),
            ids: ["u1".to_owned()].into(),
            emails: ["a@x.io".to_owned()].into(),
            phones: ["13800138000".to_owned(), "+8613800138000".to_owned()].into(),
        };
        let queries = queries("acme", &keys);
        assert_eq!(queries.len(), 5);
        assert_eq!(queries[0], vec![("id", "acme/alice".to_owned())]);
        assert_eq!(
            queries[1],
            vec![("owner", "acme".to_owned()), ("userId", "u1".to_owned())]
        );
        assert_eq!(queries[2][1], ("email", "a@x.io".to_owned()));
        assert!(queries[3..].iter().all(|query| query[1].0 == "phone"));
    }
}
