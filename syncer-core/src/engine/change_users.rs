//! The IAM users a batch of change events plans against. A full sync reads the whole
//! organization; a batch plans a few people, and their plan depends only on the accounts they
//! can match (this syncer's mark, Id, Name) or collide with (a name, an e-mail, a phone). So a
//! batch asks the target for those alone ([`Target::users_for`]) and reads the whole listing
//! only where the plan weighs the organization as a whole or the lookups cannot be sure:
//!
//! - removed departments (a group goes only once nobody is in it);
//! - a mapped field that came back empty for everyone the batch read while an account the
//!   lookups found holds a value (the missing-scope guard weighs every managed user);
//! - leavers (the guard counts the users this syncer manages) and plans that would create a
//!   user (an account this syncer adopted keeps the `id` it had, and under a remapped Name it
//!   may have no name the lookups ask for: only its mark tells it is the person's), unless the
//!   account index ([`AccountIndex`]) is usable.
//!
//! The index names every account carrying the syncer's mark and counts those who may sign in.
//! Where it is usable the batch asks for the named people's accounts by the names it gives
//! too, takes the guard's count from it, and trusts it only where the lookups agree with it:
//! each indexed account of a named person is there as the index has it, each account read
//! that is marked for a named person is indexed, and each leaver has an indexed account.
//! Otherwise the batch reads the whole listing (which then replaces the index).

use std::collections::BTreeSet;

use super::options::SyncOptions;
use super::plan::{blank_for_everyone, plan, PlanInputs};
use super::vocabulary::{DesiredUser, OperationKind, Plan, PlanScope};
use crate::account_index::{AccountIndex, IndexView, IndexedAccount};
use crate::field::IamField;
use crate::phone::normalize_phone;
use crate::target::{Target, TargetError, UserKeys};
use crate::user::IamUser;

/// What a batch asks of the target's users.
pub(super) struct Asked<'a> {
    /// The target and the account index.
    pub target: &'a dyn Target,
    /// The account index of the syncer.
    pub index: &'a dyn AccountIndex,
    /// The source ids the batch named (people read, and those the directory says are gone).
    pub named: BTreeSet<String>,
    /// The source ids the directory says are gone (the leavers).
    pub gone: BTreeSet<String>,
    /// Some event removed a department.
    pub removed_departments: bool,
}

/// The keys of every account `desired` can match or collide with.
pub(super) fn keys_of(desired: &[DesiredUser]) -> UserKeys {
    let mut keys = UserKeys::default();
    for person in desired {
        let (name, id) = (person.text(IamField::Name), person.text(IamField::Id));
        // Name is never renamed: an account made when the Name fell back to the source id
        // (or the Id) keeps that name.
        for candidate in [name, id.clone(), person.source_id.clone()] {
            if !candidate.is_empty() {
                keys.names.insert(candidate);
            }
        }
        for candidate in [id, person.source_id.clone()] {
            if !candidate.is_empty() {
                keys.ids.insert(candidate);
            }
        }
        let email = person.text(IamField::Email).trim().to_owned();
        if !email.is_empty() {
            // IAM may keep it lowercased and look it up as given (a case-sensitive database):
            // ask for both spellings.
            keys.emails.insert(email.to_lowercase());
            keys.emails.insert(email);
        }
        keys.phones
            .extend(phone_spellings(&person.text(IamField::Phone)));
    }
    keys
}

/// The spellings of `phone` IAM may hold another user's copy in: as given, the national
/// digits, and the E.164 form.
fn phone_spellings(phone: &str) -> Vec<String> {
    let phone = phone.trim();
    let digits = normalize_phone(phone);
    if digits.is_empty() {
        return Vec::new();
    }
    let china_mobile = digits.len() == 11 && digits.starts_with('1');
    let e164 = if china_mobile {
        format!("+86{digits}")
    } else {
        format!("+{digits}")
    };
    let mut spellings = vec![phone.to_owned(), digits, e164];
    spellings.sort();
    spellings.dedup();
    spellings
}

/// Whether a mapped text field came back empty for every person while a user found holds a
/// value: the missing-scope guard (`plan/unreadable_fields.rs`) would then weigh the whole
/// organization to decide whether that value is cleared or kept.
fn blanked_field_is_held(desired: &[DesiredUser], users: &[IamUser]) -> bool {
    blank_for_everyone(desired)
        .into_iter()
        .any(|field| users.iter().any(|user| !user.get(field).is_empty()))
}

/// The users a batch reads before planning.
pub(super) struct UsersRead {
    /// As the target listed or found them, ordered by name, each once.
    pub users: Vec<IamUser>,
    /// Whether they are only those the lookups found (not the whole listing).
    pub scoped: bool,
    /// The account index, when the lookups agreed with it.
    pub view: Option<IndexView>,
}

impl UsersRead {
    fn everyone(users: Vec<IamUser>) -> Self {
        Self {
            users,
            scoped: false,
            view: None,
        }
    }

    /// Whether the plan was made on the whole listing.
    pub(super) fn is_whole(&self) -> bool {
        !self.scoped
    }
}

/// The account index for `named`, when it is usable (a failure to read it only costs the
/// whole listing).
async fn view_of(index: &dyn AccountIndex, named: &BTreeSet<String>) -> Option<IndexView> {
    match index.read(named).await {
        Ok(view) => view,
        Err(error) => {
            tracing::warn!(%error, "the account index could not be read: the whole listing is read instead");
            None
        }
    }
}

impl Asked<'_> {
    /// Whether the directory said some named person is gone.
    fn leavers(&self) -> bool {
        !self.gone.is_empty()
    }
}

/// Whether the lookups found what `view` says of the `named` people: each indexed account
/// is among `users` exactly as indexed, and each user marked for a named person is indexed.
fn agrees(view: &IndexView, named: &BTreeSet<String>, users: &[IamUser], me: &str) -> bool {
    let found = |account: &IndexedAccount| {
        users
            .iter()
            .find(|user| user.name == account.name.as_str())
            .and_then(|user| IndexedAccount::of(user, me))
            .as_ref()
            == Some(account)
    };
    view.accounts.iter().all(found)
        && users
            .iter()
            .filter_map(|user| IndexedAccount::of(user, me))
            .filter(|account| named.contains(&account.source_id))
            .all(|account| view.accounts.contains(&account))
}

fn sorted(mut users: Vec<IamUser>) -> Vec<IamUser> {
    users.sort_by(|a, b| a.name.cmp(&b.name));
    users.dedup_by(|a, b| a.name == b.name);
    users
}

/// Reads the users the batch of `desired` needs: those the lookups find (by the people's keys
/// and by the names the index gives their accounts), or the whole listing where the module's
/// rules say so.
pub(super) async fn read_users(
    asked: &Asked<'_>,
    options: &SyncOptions,
    desired: &[DesiredUser],
) -> Result<UsersRead, TargetError> {
    let (target, organization) = (asked.target, options.organization.as_str());
    let whole = || async {
        target
            .list_users(organization)
            .await
            .map(UsersRead::everyone)
    };
    if asked.removed_departments {
        return whole().await;
    }
    let view = view_of(asked.index, &asked.named).await;
    // A leaver is decided on the index only where it knows their account: one it does not
    // know may be an account it missed (a missed leaver keeps signing in).
    let unknown_leaver = |view: &IndexView| {
        asked
            .gone
            .iter()
            .any(|id| !view.accounts.iter().any(|account| account.source_id == *id))
    };
    match &view {
        None if asked.leavers() => return whole().await,
        Some(view) if unknown_leaver(view) => return whole().await,
        _ => {}
    }
    let mut keys = keys_of(desired);
    if let Some(view) = &view {
        keys.names
            .extend(view.accounts.iter().map(|account| account.name.clone()));
    }
    let users = if keys.is_empty() {
        Vec::new()
    } else {
        target.users_for(organization, &keys).await?
    };
    let disagrees = view
        .as_ref()
        .is_some_and(|view| !agrees(view, &asked.named, &users, &options.syncer));
    if disagrees || blanked_field_is_held(desired, &users) {
        return whole().await;
    }
    Ok(UsersRead {
        users: sorted(users),
        scoped: true,
        view,
    })
}

/// Plans `inputs` (its `users` left empty) on `read`, with the index's managed count when it
/// was read. A plan made on the scoped read without the index that would create a user is
/// made again on the whole listing (with the index, no account of the person exists that the
/// lookups did not find). `read` ends as what the plan was made on.
pub(super) async fn plan_on(
    asked: &Asked<'_>,
    read: &mut UsersRead,
    inputs: PlanInputs<'_>,
    options: &SyncOptions,
) -> Result<Plan, TargetError> {
    let again = |users: Vec<IamUser>, managed: Option<usize>| PlanInputs {
        desired: inputs.desired.clone(),
        groups: inputs.groups.clone(),
        scope: with_managed(inputs.scope.clone(), managed),
        users,
        ..inputs
    };
    if !read.scoped {
        return Ok(plan(again(std::mem::take(&mut read.users), None), options));
    }
    let managed = read.view.as_ref().map(|view| view.managed);
    let scoped = plan(again(read.users.clone(), managed), options);
    let creates = scoped
        .operations
        .iter()
        .any(|op| op.kind == OperationKind::Create);
    if !creates || read.view.is_some() {
        return Ok(scoped);
    }
    read.scoped = false;
    let users = asked.target.list_users(&options.organization).await?;
    Ok(plan(again(users, None), options))
}

/// `scope` with the index's count of managed users, when known.
fn with_managed(scope: PlanScope, count: Option<usize>) -> PlanScope {
    match scope {
        PlanScope::Named {
            gone,
            removed_groups,
            recent_deprovisions,
            ..
        } => PlanScope::Named {
            gone,
            removed_groups,
            recent_deprovisions,
            managed: count,
        },
        everyone => everyone,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::field::FieldValue;

    fn with_email(email: &str) -> DesiredUser {
        DesiredUser {
            source_id: "u1".into(),
            values: [(IamField::Email, FieldValue::Text(email.into()))].into(),
            departments: Vec::new(),
            unknown: Vec::new(),
            stable_name: true,
        }
    }

    #[test]
    fn an_email_is_asked_for_as_given_and_lowercased() {
        let keys = keys_of(&[with_email(" Li.Na@Acme.Example ")]);
        let emails: Vec<&str> = keys.emails.iter().map(String::as_str).collect();
        assert_eq!(emails, ["Li.Na@Acme.Example", "li.na@acme.example"]);
        let keys = keys_of(&[with_email("li.na@acme.example")]);
        assert_eq!(
            keys.emails.len(),
            1,
            "one lookup when it is lowercase already"
        );
    }
}
