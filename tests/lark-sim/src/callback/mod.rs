//! Lark's event callbacks: the fake sends contact v3 events (schema 2.0) to an app's request URL,
//! sealed with its Encrypt Key and signed, retries the unanswered ones, and sends the URL check.
//! Written from Lark's published event-subscription guide, not from any client.
//!
//! One job per module: `event` (the document), `config` (the subscription), `crypto` (Lark's
//! AES and signature), `sender` (requests and retries), `stats`; [`Callbacks`] is what the
//! running fake keeps.

mod config;
mod crypto;
mod event;
mod sender;
mod stats;
#[cfg(test)]
mod tests;

use std::sync::Arc;

use parking_lot::Mutex;
use serde_json::Value;
use syncer_sim_kit::{unix_millis, Ledger, SimExtension, SimRng};

pub use config::CallbackConfig;
pub use event::ContactEvent;
pub use sender::CallbackError;
pub use stats::CallbackStats;

use event::LarkEvent;
use sender::Target;

use crate::state::Shared;

/// The callback side of a running fake: the app's subscription, events waiting for one, what is
/// still unacknowledged, and the figures. Reached through [`crate::FakeLark`]'s methods.
#[derive(Debug)]
pub struct Callbacks {
    target: Mutex<Option<Arc<Target>>>,
    waiting: Mutex<Vec<Arc<LarkEvent>>>,
    pub(crate) ledger: Ledger,
    stats: Mutex<CallbackStats>,
    rng: Mutex<SimRng>,
}

impl Default for Callbacks {
    fn default() -> Callbacks {
        Callbacks {
            target: Mutex::new(None),
            waiting: Mutex::new(Vec::new()),
            ledger: Ledger::default(),
            stats: Mutex::new(CallbackStats::default()),
            rng: Mutex::new(SimRng::unique()),
        }
    }
}

/// Callbacks are sent on the kit's tasks, which end when the fake stops.
impl SimExtension for Callbacks {}

impl Callbacks {
    /// Changes the figures.
    pub(crate) fn tally(&self, change: impl FnOnce(&mut CallbackStats)) {
        change(&mut self.stats.lock());
    }

    /// The figures now.
    pub(crate) fn stats(&self) -> CallbackStats {
        self.stats.lock().clone()
    }

    /// 32 random hex digits.
    pub(crate) fn random_id(&self) -> String {
        self.rng.lock().hex32()
    }

    /// Draws with the generator itself.
    pub(crate) fn with_rng<R>(&self, draw: impl FnOnce(&mut SimRng) -> R) -> R {
        draw(&mut self.rng.lock())
    }

    /// Emits an event of `event_type` carrying `event`: sent now when a request URL is set,
    /// otherwise once one is. Returns its `event_id`.
    pub(crate) fn emit(&self, shared: &Arc<Shared>, event_type: &str, event: Value) -> String {
        let event = Arc::new(LarkEvent::new(
            self.random_id(),
            event_type,
            unix_millis(),
            event,
        ));
        self.tally(|s| s.emitted += 1);
        self.ledger.open(event.event_id());
        let target = self.target.lock().clone();
        match target {
            Some(target) => target.spawn(shared, Arc::clone(&event)),
            None => self.waiting.lock().push(Arc::clone(&event)),
        }
        event.event_id().to_owned()
    }

    /// Sets the request URL; events that waited for one are sent now.
    pub(crate) fn set_target(
        &self,
        shared: &Arc<Shared>,
        url: String,
        config: CallbackConfig,
    ) -> Result<(), CallbackError> {
        let app_id = shared.credentials().app_id.clone();
        let target = Arc::new(Target::new(url, config, app_id)?);
        *self.target.lock() = Some(Arc::clone(&target));
        let waiting: Vec<Arc<LarkEvent>> = self.waiting.lock().drain(..).collect();
        for event in waiting {
            Arc::clone(&target).spawn(shared, event);
        }
        Ok(())
    }

    /// Sends the URL check to the request URL.
    pub(crate) async fn verify_url(&self, shared: &Arc<Shared>) -> Result<(), CallbackError> {
        let target = self.target.lock().clone().ok_or(CallbackError::NoTarget)?;
        target.verify(shared).await
    }
}
