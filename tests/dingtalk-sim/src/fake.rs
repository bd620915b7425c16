//! [`FakeDingTalk`]: a running simulator and its owner's side. Everything the sim kit's `Sim`
//! offers (start, URL, statistics, faults, org edits, shutdown) comes from the kit's
//! `sim_owner!`; this module adds what only DingTalk has: the Stream gateway's controls, HTTP
//! push, and the event statistics. The change methods that emit events are in `changes.rs`.

use std::sync::Arc;
use std::time::Duration;

use syncer_sim_kit::Unsettled;

use crate::events::{EventStats, Hub, PushConfig, PushError, PushTarget, StreamConfig};
use crate::state::DingTalk;

syncer_sim_kit::sim_owner!(
    /// A fake DingTalk on 127.0.0.1: the oapi directory APIs, the Stream gateway and HTTP push of
    /// one organization to one app.
    FakeDingTalk,
    DingTalk
);

impl FakeDingTalk {
    pub(crate) fn hub(&self) -> &Hub {
        self.shared().extension()
    }

    /// The base URL of the Stream gateway (`stream_endpoint`): this same server.
    pub fn stream_endpoint(&self) -> String {
        self.url()
    }

    /// The Stream gateway's behaviour now.
    pub fn stream_config(&self) -> StreamConfig {
        self.hub().config()
    }

    /// Replaces the Stream gateway's behaviour (lifetimes, delays, fault switches); applies to
    /// tickets, deliveries and sockets from now on.
    pub fn set_stream_config(&self, config: StreamConfig) {
        self.hub().set_config(config);
    }

    /// What the event side observed since start.
    pub fn event_stats(&self) -> EventStats {
        self.hub().stats()
    }

    /// Waits, at most `timeout`, until every emitted event is acknowledged (and every duplicate
    /// the `duplicate_after_ack` fault sent); an event whose pushes were all refused counts as
    /// settled (see [`crate::PushStats::failed`]). Says what is still unacknowledged otherwise.
    pub async fn all_acknowledged(&self, timeout: Duration) -> Result<(), Unsettled> {
        self.hub().ledger.settled(timeout).await
    }

    /// Waits, at most `timeout`, until at least `n` sockets are open; false when the time ran out.
    pub async fn connected(&self, n: u64, timeout: Duration) -> bool {
        self.events_until(timeout, |stats| stats.open_connections >= n)
            .await
    }

    /// Waits, at most `timeout`, until the event statistics satisfy `until` (e.g. "a ping was
    /// answered"), without polling; false when the time ran out.
    pub async fn events_until(
        &self,
        timeout: Duration,
        until: impl Fn(&EventStats) -> bool,
    ) -> bool {
        self.hub().stats_until(timeout, until).await
    }

    /// Sends a SYSTEM `ping` on every open socket now; returns how many. A ping not echoed within
    /// [`StreamConfig::ping_timeout`] drops its socket.
    pub fn ping(&self) -> usize {
        self.hub().ping(self.shared())
    }

    /// Sends a SYSTEM `disconnect` on every open socket and closes each after
    /// [`StreamConfig::disconnect_grace`]; returns how many were told.
    pub fn disconnect(&self) -> usize {
        self.hub().disconnect(self.shared())
    }

    /// Ends every open socket at once, without a close frame; returns how many.
    pub fn drop_connections(&self) -> usize {
        self.hub().drop_connections()
    }

    /// Switches to HTTP push: every event emitted from now on is pushed to `url` (sealed and
    /// signed with `config`'s token, aes_key and owner key) instead of a socket.
    pub fn push_to(&self, url: impl Into<String>, config: PushConfig) -> Result<(), PushError> {
        let target = PushTarget::new(url.into(), config)?;
        *self.hub().push.lock() = Some(Arc::new(target));
        Ok(())
    }

    /// Back to Stream mode: events go to sockets again.
    pub fn stop_push(&self) {
        *self.hub().push.lock() = None;
    }

    /// Sends the URL check (`{"EventType":"check_url"}`) once, as the console does when the URL
    /// is saved, and says whether the app answered the encrypted `success`.
    pub async fn check_url(&self) -> Result<(), PushError> {
        let target = self.hub().push.lock().clone().ok_or(PushError::NoTarget)?;
        target
            .attempt(self.shared(), r#"{"EventType":"check_url"}"#)
            .await
    }
}
