//! [`FakeDingTalk`]: a running simulator and its owner's side. Everything the sim kit's `Sim`
//! offers (URL, statistics, faults, org edits) is reached through `Deref`; this type adds what
//! only DingTalk has: the Stream gateway's controls, HTTP push, and the event statistics. The
//! change methods that emit events are in `changes.rs`.

use std::io;
use std::net::SocketAddr;
use std::ops::Deref;
use std::sync::Arc;
use std::time::Duration;

use syncer_sim_kit::{Sim, Unsettled};

use crate::credentials::Credentials;
use crate::events::{EventStats, Hub, PushConfig, PushError, PushTarget, StreamConfig};
use crate::faults::Faults;
use crate::org::Org;
use crate::state::{DingTalk, Shared};

/// A fake DingTalk on 127.0.0.1: the oapi directory APIs, the Stream gateway and HTTP push of
/// one organization to one app.
pub struct FakeDingTalk {
    sim: Sim<DingTalk>,
    _stop: StopOnDrop,
}

/// Ends the event tasks (sockets, timers, pushes) when the simulator goes away.
struct StopOnDrop(Arc<Shared>);

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        self.0.extension().stop.cancel();
    }
}

impl Deref for FakeDingTalk {
    type Target = Sim<DingTalk>;

    fn deref(&self) -> &Sim<DingTalk> {
        &self.sim
    }
}

impl std::fmt::Debug for FakeDingTalk {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.sim.fmt(f)
    }
}

impl FakeDingTalk {
    /// Starts serving `org` on a random loopback port, accepting `credentials` on `/gettoken` and
    /// on the Stream gateway. Must be called inside a Tokio runtime.
    pub async fn start(
        org: Org,
        credentials: Credentials,
        faults: Faults,
    ) -> io::Result<FakeDingTalk> {
        Ok(FakeDingTalk::wrap(
            Sim::start(org, credentials, faults).await?,
        ))
    }

    /// Like [`FakeDingTalk::start`], on a chosen address (port 0 for a random one).
    pub async fn start_on(
        addr: SocketAddr,
        org: Org,
        credentials: Credentials,
        faults: Faults,
    ) -> io::Result<FakeDingTalk> {
        Ok(FakeDingTalk::wrap(
            Sim::start_on(addr, org, credentials, faults).await?,
        ))
    }

    fn wrap(sim: Sim<DingTalk>) -> FakeDingTalk {
        let stop = StopOnDrop(Arc::clone(sim.state()));
        FakeDingTalk { sim, _stop: stop }
    }

    /// Closes every socket, stops pushes and timers, then stops the server (a few seconds at
    /// most for requests in flight).
    pub async fn shutdown(self) {
        let FakeDingTalk { sim, _stop } = self;
        drop(_stop);
        sim.shutdown().await;
    }

    pub(crate) fn shared(&self) -> &Arc<Shared> {
        self.sim.state()
    }

    pub(crate) fn hub(&self) -> &Hub {
        self.sim.state().extension()
    }

    /// The base URL of the Stream gateway (`stream_endpoint`): this same server.
    pub fn stream_endpoint(&self) -> String {
        self.sim.url()
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

    /// Waits, at most `timeout`, until `n` sockets are open; false when the time ran out.
    pub async fn connected(&self, n: u64, timeout: Duration) -> bool {
        let wait = async {
            loop {
                if self.hub().stats().open_connections >= n {
                    return;
                }
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        };
        tokio::time::timeout(timeout, wait).await.is_ok()
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
