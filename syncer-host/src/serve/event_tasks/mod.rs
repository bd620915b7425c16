//! The tasks that drive the event hubs under `serve`: one worker per syncer with events on
//! ([`worker`]), its Stream connection in Stream mode ([`stream`]), and the HTTP push route
//! ([`push`]). They reach the serve state (runner, config, locks); the hubs they drive do not.

pub mod push;
pub mod stream;
pub mod worker;

#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::sync::Arc;

use syncer_core::{EventMode, Syncer};
use tokio_util::sync::CancellationToken;

use super::events::EventHub;
use super::state::AppState;
use crate::state::event_window::EventWindow;
use crate::state::events::SeenEvents;

/// Builds the hub, worker and (Stream mode) stream task of every enabled syncer whose config
/// turns events on, and hands the hubs to `state`.
pub fn start(state: &AppState, cancel: &CancellationToken) {
    start_for(state, cancel, |settings| settings.is_enabled);
}

/// [`start`] for the syncers `chosen` picks (the demo's syncer is not scheduled).
pub fn start_for(
    state: &AppState,
    cancel: &CancellationToken,
    chosen: impl Fn(&crate::config::SyncerSettings) -> bool,
) {
    let seen = match state.runner().shared() {
        Some(shared) => SeenEvents::postgres(shared.clone()),
        None => match SeenEvents::sqlite(&state.config().state_path) {
            Ok(seen) => seen,
            Err(error) => {
                tracing::error!(%error, "change events are off: their ids cannot be kept");
                return;
            }
        },
    };
    let window = match EventWindow::beside(&seen) {
        Ok(window) => window,
        Err(error) => {
            tracing::error!(%error, "change events are off: their deprovisions cannot be counted");
            return;
        }
    };
    let mut hubs = HashMap::new();
    for settings in state.config().syncers.iter().filter(|s| chosen(s)) {
        // Built with the meter, so the events' own reads count against the monthly budget.
        let source: Arc<dyn Syncer> = match state.runner().source(settings) {
            Ok(source) => Arc::from(source),
            Err(error) => {
                tracing::warn!(syncer = %settings.name, %error, "no change events");
                continue;
            }
        };
        if source.event_mode() == EventMode::Off {
            continue;
        }
        let (hub, jobs) = EventHub::new(
            &settings.name,
            source,
            seen.clone(),
            window.clone(),
            settings.sync_interval,
            state.shared_metrics(),
        );
        tokio::spawn(worker::run(
            state.clone(),
            hub.clone(),
            jobs,
            cancel.clone(),
        ));
        if hub.mode == EventMode::Stream {
            tokio::spawn(stream::run(hub.clone(), cancel.clone()));
        }
        tracing::info!(syncer = %settings.name, mode = ?hub.mode, "change events on");
        hubs.insert(settings.name.clone(), hub);
    }
    state.set_event_hubs(hubs);
}
