//! The marks a syncer keeps in a user's `properties`: which syncer manages the user, the source
//! id it came from, and whether the syncer disabled the user as a leaver.

use crate::user::IamUser;

/// Property naming the syncer that manages the user.
pub const MANAGED_BY: &str = "syncer_managed_by";
/// Property holding the source's id of the user (DingTalk userid).
pub const SOURCE_ID: &str = "syncer_source_id";
/// Property set while the user is disabled because they left the source.
pub const DEPROVISIONED: &str = "syncer_deprovisioned";

/// Who manages a user, as far as this syncer is concerned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Owner {
    /// This syncer.
    Me,
    /// Another syncer, by name.
    OtherSyncer(String),
    /// Nobody: a local user.
    Nobody,
}

/// Who manages `user`, seen from the syncer called `me`.
pub fn owner_of(user: &IamUser, me: &str) -> Owner {
    match user.properties.get(MANAGED_BY) {
        Some(name) if name == me => Owner::Me,
        Some(name) if !name.is_empty() => Owner::OtherSyncer(name.to_owned()),
        _ => Owner::Nobody,
    }
}

/// Whether `user` already carries the marks of `me` for source id `source_id`.
pub fn is_marked(user: &IamUser, me: &str, source_id: &str) -> bool {
    user.properties.get(MANAGED_BY) == Some(me) && user.properties.get(SOURCE_ID) == Some(source_id)
}

/// Marks `user` as managed by `me`, coming from source id `source_id`. Returns whether anything
/// changed.
pub fn mark_managed(user: &mut IamUser, me: &str, source_id: &str) -> bool {
    if is_marked(user, me, source_id) {
        return false;
    }
    user.properties.insert(MANAGED_BY.to_owned(), me.to_owned());
    user.properties
        .insert(SOURCE_ID.to_owned(), source_id.to_owned());
    true
}
