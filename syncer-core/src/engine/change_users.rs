//! The IAM users a batch of change events plans against. A full sync reads the whole
//! organization; a batch plans a few people, and their plan depends only on the accounts they
//! can match (this syncer's mark, Id, Name) or collide with (a name, an e-mail, a phone). So a
//! batch asks the target for those alone ([`Target::users_for`]) and reads the whole listing
//! only where the plan weighs the organization as a whole or the lookups cannot be sure:
//!
//! - leavers (the guard counts the users this syncer manages) and removed departments (a
//!   group goes only once nobody is in it);
//! - a mapped field that came back empty for everyone the batch read while an account the
//!   lookups found holds a value (the missing-scope guard weighs every managed user);
//! - a plan that would create a user: an account this syncer adopted keeps the `id` it had,
//!   and under a remapped Name it may have no name the lookups ask for, while the full
//!   listing finds it by the syncer's mark. A hire costs the listing; a change does not.

use super::options::SyncOptions;
use super::plan::{blank_for_everyone, plan, PlanInputs};
use super::vocabulary::{DesiredUser, OperationKind, Plan};
use crate::field::IamField;
use crate::phone::normalize_phone;
use crate::target::{Target, TargetError, UserKeys};
use crate::user::IamUser;

/// Whether the batch must be planned on the whole listing before any lookup is tried.
pub(super) struct Whole {
    /// The directory said some named person is gone (a leaver).
    pub leavers: bool,
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
}

/// Reads the users the batch of `desired` needs: those the lookups find, or the whole listing
/// where the module's rules say so.
pub(super) async fn read_users(
    target: &dyn Target,
    organization: &str,
    whole: Whole,
    desired: &[DesiredUser],
) -> Result<UsersRead, TargetError> {
    let everyone = |users| UsersRead {
        users,
        scoped: false,
    };
    if whole.leavers || whole.removed_departments {
        return target.list_users(organization).await.map(everyone);
    }
    let keys = keys_of(desired);
    let mut users = if keys.is_empty() {
        Vec::new()
    } else {
        target.users_for(organization, &keys).await?
    };
    if blanked_field_is_held(desired, &users) {
        return target.list_users(organization).await.map(everyone);
    }
    users.sort_by(|a, b| a.name.cmp(&b.name));
    users.dedup_by(|a, b| a.name == b.name);
    Ok(UsersRead {
        users,
        scoped: true,
    })
}

/// Plans `inputs` (its `users` left empty) on `read`; a plan made on the scoped read that
/// would create a user is made again on the whole listing.
pub(super) async fn plan_on(
    target: &dyn Target,
    read: UsersRead,
    mut inputs: PlanInputs<'_>,
    options: &SyncOptions,
) -> Result<Plan, TargetError> {
    if !read.scoped {
        inputs.users = read.users;
        return Ok(plan(inputs, options));
    }
    let again = PlanInputs {
        desired: inputs.desired.clone(),
        groups: inputs.groups.clone(),
        scope: inputs.scope.clone(),
        users: Vec::new(),
        ..inputs
    };
    inputs.users = read.users;
    let scoped = plan(inputs, options);
    let creates = scoped
        .operations
        .iter()
        .any(|op| op.kind == OperationKind::Create);
    if !creates {
        return Ok(scoped);
    }
    let mut inputs = again;
    inputs.users = target.list_users(&options.organization).await?;
    Ok(plan(inputs, options))
}
