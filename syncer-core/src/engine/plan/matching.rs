//! Identity matching: which IAM user each source person is, decided for everyone at once.
//!
//! Matching runs in phases over the whole source, so one person's weak match can never take an
//! account that belongs to another: first this syncer's own source-id mark, then Id, and only
//! then Name, among the accounts nobody claimed yet. A match to an account that is not this
//! syncer's yet (an adoption) is then checked for signs that it belongs to somebody else.

use std::collections::HashMap;

use crate::engine::options::AdoptByName;
use crate::engine::ownership::{self, Owner};
use crate::engine::vocabulary::DesiredUser;
use crate::field::IamField;
use crate::user::IamUser;

/// What matching decided for one source person.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Matched {
    /// No IAM user is this person: create one.
    New,
    /// The IAM user at this index of the current users.
    Existing(usize),
    /// The person cannot be synced safely; why.
    Refused(String),
}

/// Indexes of the target's users, borrowing their strings (no copy of 100,000 ids and names).
struct CurrentIndex<'a> {
    by_id: HashMap<&'a str, usize>,
    by_source_id: HashMap<&'a str, usize>,
    by_name: HashMap<&'a str, usize>,
}

impl<'a> CurrentIndex<'a> {
    fn new(users: &'a [IamUser], me: &str) -> Self {
        let mut index = Self {
            by_id: HashMap::with_capacity(users.len()),
            by_source_id: HashMap::new(),
            by_name: HashMap::with_capacity(users.len()),
        };
        for (i, user) in users.iter().enumerate() {
            if !user.id.is_empty() {
                index.by_id.entry(user.id.as_str()).or_insert(i);
            }
            if let Some(source_id) = own_mark(user, me) {
                index.by_source_id.entry(source_id).or_insert(i);
            }
            index.by_name.insert(user.name.as_str(), i);
        }
        index
    }
}

/// The source id this syncer marked `user` with, if it manages the user.
fn own_mark<'u>(user: &'u IamUser, me: &str) -> Option<&'u str> {
    if ownership::owner_of(user, me) != Owner::Me {
        return None;
    }
    user.properties
        .get(ownership::SOURCE_ID)
        .filter(|id| !id.is_empty())
}

/// Why `user` may not be given to `wanted` although Id or Name points at it: this syncer
/// marked it as another source person's account.
fn marked_for_another(user: &IamUser, wanted: &DesiredUser, me: &str) -> Option<String> {
    let owner = own_mark(user, me)?;
    (owner != wanted.source_id).then(|| {
        format!(
            "IAM user {} is this syncer's account of source user {owner}; it is not handed to {}. If it should be theirs, rename or delete it in IAM",
            user.qualified_name(),
            wanted.source_id
        )
    })
}

/// Why a Name match may not adopt `user` for `wanted` under `rule`: the account is nobody's
/// yet and nothing shows it is this person's (its Name is not the identity the source
/// generated, and it is not linked to this person's source id). Accounts that adoption refuses
/// anyway (administrators, other syncers', disabled, deleted) are left to [`leave_alone`], which
/// reports them as skipped.
fn not_evidently_theirs(
    user: &IamUser,
    wanted: &DesiredUser,
    me: &str,
    rule: AdoptByName,
) -> Option<String> {
    if rule == AdoptByName::Any
        || wanted.stable_name
        || ownership::owner_of(user, me) != Owner::Nobody
        || leave_alone(wanted, user, me).is_some()
        || linked_to(user, wanted)
    {
        return None;
    }
    Some(format!(
        "its Name `{}` is taken by IAM user {}, which no syncer manages; the Name is not an identity the source generated (it fell back to an id an administrator chose), so the account may be somebody else's and nothing was adopted or written. If it is this person's, link it (set its {} field to `{}`) or set adopt_by_name = \"any\"; if not, rename one of them",
        user.name,
        user.qualified_name(),
        link_field(wanted).map_or("provider", IamField::name),
        wanted.source_id
    ))
}

/// The provider field the mapping fills with the person's source id (DingTalk for DingTalk).
fn link_field(wanted: &DesiredUser) -> Option<IamField> {
    PROVIDER_FIELDS
        .iter()
        .copied()
        .find(|field| wanted.text(*field) == wanted.source_id)
}

/// Whether `user` is already linked to `wanted`'s source id through the provider field the
/// mapping fills with it.
fn linked_to(user: &IamUser, wanted: &DesiredUser) -> bool {
    !wanted.source_id.is_empty()
        && link_field(wanted)
            .is_some_and(|field| user.get(field).as_text() == wanted.source_id.as_str())
}

/// Matches every desired person against the current users, in phases: own mark, Id, Name.
/// A Name match adopts an account nobody manages only as `rule` allows.
pub(super) fn match_people(
    desired: &[DesiredUser],
    users: &[IamUser],
    me: &str,
    rule: AdoptByName,
) -> Vec<Matched> {
    let index = CurrentIndex::new(users, me);
    let mut matched: Vec<Option<Matched>> = vec![None; desired.len()];
    // Which person claimed which account.
    let mut claimed: HashMap<usize, usize> = HashMap::new();

    for (person, wanted) in desired.iter().enumerate() {
        if let Some(&found) = index.by_source_id.get(wanted.source_id.as_str()) {
            claimed.insert(found, person);
            matched[person] = Some(Matched::Existing(found));
        }
    }
    for (person, wanted) in desired.iter().enumerate() {
        if matched[person].is_some() {
            continue;
        }
        let id = wanted.text(IamField::Id);
        let Some(&found) = (!id.is_empty())
            .then(|| index.by_id.get(id.as_str()))
            .flatten()
        else {
            continue;
        };
        if claimed.contains_key(&found) {
            // Another person's account (by its mark, or an earlier Id): try Name below.
            continue;
        }
        if let Some(reason) = marked_for_another(&users[found], wanted, me) {
            matched[person] = Some(Matched::Refused(reason));
            continue;
        }
        claimed.insert(found, person);
        matched[person] = Some(Matched::Existing(found));
    }

    let mut by_name: HashMap<usize, Vec<usize>> = HashMap::new();
    for (person, wanted) in desired.iter().enumerate() {
        if matched[person].is_some() {
            continue;
        }
        let name = wanted.text(IamField::Name);
        match (!name.is_empty())
            .then(|| index.by_name.get(name.as_str()))
            .flatten()
        {
            Some(&found) => by_name.entry(found).or_default().push(person),
            None => matched[person] = Some(Matched::New),
        }
    }
    for (found, people) in by_name {
        let user = &users[found];
        let refusal = |person: usize| -> Option<String> {
            if let Some(&holder) = claimed.get(&found) {
                return Some(format!(
                    "its Name `{}` is taken by IAM user {}, which is the account of source user {}; map Name so that it is unique",
                    user.name,
                    user.qualified_name(),
                    desired[holder].source_id
                ));
            }
            if people.len() > 1 {
                let ids: Vec<&str> = people
                    .iter()
                    .map(|p| desired[*p].source_id.as_str())
                    .collect();
                return Some(format!(
                    "source users {} all have the Name `{}` of IAM user {}; the syncer does not guess which one it is: map Name so that it is unique",
                    ids.join(", "),
                    user.name,
                    user.qualified_name()
                ));
            }
            marked_for_another(user, &desired[person], me)
                .or_else(|| not_evidently_theirs(user, &desired[person], me, rule))
        };
        let verdicts: Vec<(usize, Option<String>)> =
            people.iter().map(|p| (*p, refusal(*p))).collect();
        for (person, refused) in verdicts {
            matched[person] = Some(match refused {
                Some(reason) => Matched::Refused(reason),
                None => {
                    claimed.insert(found, person);
                    Matched::Existing(found)
                }
            });
        }
    }
    matched
        .into_iter()
        .map(|m| m.unwrap_or(Matched::New))
        .collect()
}

/// Provider fields: an IAM user's link to an identity of an outside directory or sign-in.
const PROVIDER_FIELDS: &[IamField] = &[
    IamField::DingTalk,
    IamField::Lark,
    IamField::WeCom,
    IamField::Ldap,
    IamField::Okta,
    IamField::AzureAd,
    IamField::Google,
    IamField::GitHub,
    IamField::GitLab,
];

/// Why the syncer must leave `existing` alone although `wanted` matched it: it belongs to another
/// syncer, or it is not the syncer's yet and adopting it is unsafe (a local administrator, a
/// soft-deleted or forbidden account, or one linked to another identity of this source).
pub(super) fn leave_alone(wanted: &DesiredUser, existing: &IamUser, me: &str) -> Option<String> {
    let name = existing.qualified_name();
    match ownership::owner_of(existing, me) {
        Owner::Me => None,
        Owner::OtherSyncer(other) => Some(format!("IAM user {name} is managed by syncer {other}")),
        Owner::Nobody if existing.is_admin => Some(format!(
            "IAM user {name} is a local administrator; the syncer does not adopt administrators"
        )),
        Owner::Nobody if existing.is_deleted => Some(format!(
            "IAM user {name} is deleted in IAM (soft deletion); the syncer does not adopt deleted accounts: restore it in IAM to let the syncer adopt it, or remove it for good"
        )),
        Owner::Nobody if existing.is_forbidden => Some(format!(
            "IAM user {name} is forbidden from signing in; the syncer does not adopt disabled accounts: enable it in IAM if it is this person's, and the next sync adopts it"
        )),
        Owner::Nobody => PROVIDER_FIELDS.iter().find_map(|field| {
            let wanted_value = wanted.text(*field);
            if wanted_value != wanted.source_id {
                return None;
            }
            let held = existing.get(*field).as_text();
            (!held.is_empty() && held != wanted_value).then(|| {
                format!(
                    "IAM user {name} is linked to {field} identity `{held}`, not to this person's `{wanted_value}`; the syncer does not adopt another identity's account"
                )
            })
        }),
    }
}
