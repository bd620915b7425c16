//! [`FakeLark`]: a running fake and its owner's side. The kit's `sim_owner!` gives start, URL,
//! statistics, faults, tenant edits and shutdown; this module adds the event subscription (the
//! request URL, the URL check, the callback figures). The change methods that emit events are in
//! `changes.rs`.

use std::time::Duration;

use syncer_sim_kit::Unsettled;

use crate::callback::{CallbackConfig, CallbackError, CallbackStats, Callbacks};
use crate::state::Lark;

syncer_sim_kit::sim_owner!(
    /// A fake Lark open platform on 127.0.0.1 serving one tenant to one custom app, and sending
    /// its contact events to the app's request URL.
    FakeLark,
    Lark
);

impl FakeLark {
    pub(crate) fn callbacks(&self) -> &Callbacks {
        self.shared().extension()
    }

    /// Subscribes the app: events go to `url` from now on, sealed and signed as `config` says;
    /// events emitted before are sent now.
    pub fn callback_to(
        &self,
        url: impl Into<String>,
        config: CallbackConfig,
    ) -> Result<(), CallbackError> {
        self.callbacks()
            .set_target(self.shared(), url.into(), config)
    }

    /// Sends the `url_verification` challenge once, as the console does when the URL is saved,
    /// and says whether it came back.
    pub async fn verify_url(&self) -> Result<(), CallbackError> {
        self.callbacks().verify_url(self.shared()).await
    }

    /// What the callback sender observed since start.
    pub fn callback_stats(&self) -> CallbackStats {
        self.callbacks().stats()
    }

    /// Waits, at most `timeout`, until every emitted event was acknowledged (HTTP 200) or given
    /// up after its last retry; says what is still open otherwise.
    pub async fn all_acknowledged(&self, timeout: Duration) -> Result<(), Unsettled> {
        self.callbacks().ledger.settled(timeout).await
    }
}
