//! Helpers for a backend's own tests of reading one person alone (what an event costs): the
//! record a full fetch gives someone, the record a lookup gives them, and a lookup that says
//! they are gone. Each panics, saying what it expected, when the syncer answers otherwise.

use crate::events::PersonLookup;
use crate::snapshot::{NoProgress, SourceRecord};
use crate::syncer::Syncer;

/// The record a full fetch of `syncer` gives the person `id`.
pub async fn record_in_full_fetch(syncer: &dyn Syncer, id: &str) -> SourceRecord {
    let snapshot = match syncer.fetch(&NoProgress).await {
        Ok(snapshot) => snapshot,
        Err(error) => panic!("the full fetch fails: {error}"),
    };
    snapshot
        .users
        .into_iter()
        .find(|record| record.id == id)
        .unwrap_or_else(|| panic!("{id} is in the full fetch"))
}

/// The record `syncer` reads for the person `id` alone, who must be a member.
pub async fn found_person(syncer: &dyn Syncer, id: &str) -> SourceRecord {
    match syncer.fetch_person(id).await {
        Ok(PersonLookup::Found(record)) => record,
        other => panic!("{id} is a member: {other:?}"),
    }
}

/// Panics unless `syncer` answers that the person `id` is not, or no longer, a member.
pub async fn assert_person_gone(syncer: &dyn Syncer, id: &str) {
    match syncer.fetch_person(id).await {
        Ok(PersonLookup::Gone) => {}
        other => panic!("{id} is gone, not {other:?}"),
    }
}
