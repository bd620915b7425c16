//! [`Sim`]: a running simulator of one remote API, and what its owner does with it (read the
//! statistics, swap the faults, edit the organization, stop it). A simulator crate describes its
//! API once by implementing [`SimApi`] and names `Sim<ItsApi>` after its vendor, so the owner's
//! side of every simulator is this one piece of code.

use std::fmt;
use std::future::Future;
use std::io;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use axum::Router;
use tokio_util::sync::CancellationToken;

use crate::core::{Refusal, SimCore};
use crate::faults::SimFaults;
use crate::gateway::delay;
use crate::parts::{Indexed, SimExtension, SimParts};
use crate::retry::spawn_until_stopped;
use crate::server::SimServer;
use crate::stats::InFlight;
use crate::swap::Swap;
use crate::tokens::{Issued, Reuse, TokenCheck};

/// One remote API as a simulator serves it: its types ([`SimParts`]), its tokens, request ids
/// and routes.
pub trait SimApi: Sized + Send + Sync + 'static {
    /// The simulator's own types, named once as a [`Parts`](crate::Parts).
    type Parts: SimParts;

    /// The vendor's name, for logs.
    const NAME: &'static str;
    /// What every access token starts with (before 32 hex digits).
    const TOKEN_PREFIX: &'static str;
    /// When the token endpoint hands out the current token again.
    const TOKEN_REUSE: Reuse;

    /// The id of the `sequence`-th request, as the API words its request ids.
    fn request_id(sequence: u64) -> String;
    /// Every route of the API, over the shared state.
    fn router(state: Arc<SimState<Self>>) -> Router;
}

/// What the requests of the simulator `A` read.
pub type ServedOf<A> = <<A as SimApi>::Parts as SimParts>::Served;
/// The organization a test gives the simulator `A` and edits.
pub type OrgOf<A> = <ServedOf<A> as Indexed>::Org;
/// The credentials the simulator `A` accepts.
pub type CredentialsOf<A> = <<A as SimApi>::Parts as SimParts>::Credentials;
/// The faults of the simulator `A`.
pub type FaultsOf<A> = <<A as SimApi>::Parts as SimParts>::Faults;
/// A page of a listing of the simulator `A`, as its statistics count them.
pub type PageOf<A> = <<A as SimApi>::Parts as SimParts>::Page;
/// The statistics of the simulator `A`.
pub type StatsOf<A> = <<A as SimApi>::Parts as SimParts>::Stats;
/// The extension of the simulator `A`.
pub type ExtensionOf<A> = <<A as SimApi>::Parts as SimParts>::Extension;

/// What the requests of a running simulator share with its owner.
pub struct SimState<A: SimApi> {
    credentials: CredentialsOf<A>,
    served: Swap<ServedOf<A>>,
    core: SimCore<FaultsOf<A>, PageOf<A>>,
    sequence: AtomicU64,
    extension: ExtensionOf<A>,
    stop: CancellationToken,
}

impl<A: SimApi> SimState<A> {
    fn new(org: OrgOf<A>, credentials: CredentialsOf<A>, faults: FaultsOf<A>) -> SimState<A> {
        let seed = faults.seed();
        SimState {
            credentials,
            served: Swap::new(ServedOf::<A>::index(org)),
            core: SimCore::new(faults, seed, A::TOKEN_PREFIX, A::TOKEN_REUSE),
            sequence: AtomicU64::new(0),
            extension: ExtensionOf::<A>::default(),
            stop: CancellationToken::new(),
        }
    }

    /// The credentials the token endpoint accepts.
    pub fn credentials(&self) -> &CredentialsOf<A> {
        &self.credentials
    }

    /// Faults and their dice, tokens and statistics.
    pub fn core(&self) -> &SimCore<FaultsOf<A>, PageOf<A>> {
        &self.core
    }

    /// The faults in force now.
    pub fn faults(&self) -> Arc<FaultsOf<A>> {
        self.core.faults()
    }

    /// What requests read now; requests already running keep the version they started with.
    pub fn served(&self) -> Arc<ServedOf<A>> {
        self.served.get()
    }

    /// A fresh request id.
    pub fn next_request_id(&self) -> String {
        A::request_id(self.sequence.fetch_add(1, Ordering::Relaxed))
    }

    /// Starts serving one request to `path`: counts it (in flight until the [`Begun`] is
    /// dropped), waits out the faults' latency, and gives the faults in force and a request id.
    pub async fn begin(&self, path: &str) -> Begun<'_, A> {
        let in_flight = self.core.stats().begin(path);
        delay(self.faults().latency()).await;
        Begun {
            faults: self.faults(),
            request_id: self.next_request_id(),
            _in_flight: in_flight,
        }
    }

    /// The checks the network in front of the API makes of a call to `path` under `faults`
    /// (see [`SimCore::pass_network`]).
    pub fn pass_network(&self, faults: &FaultsOf<A>, path: &'static str) -> Result<(), Refusal> {
        self.core.pass_network(&faults.network(), path)
    }

    /// The current token handed out again, or a new one, living as `faults` say.
    pub fn issue_token(&self, faults: &FaultsOf<A>) -> Issued {
        let tokens = faults.tokens();
        self.core
            .issue_token(tokens.ttl, tokens.expires_after_calls)
    }

    /// Checks a presented token under `faults`, counting the call against it when valid.
    pub fn check_token(&self, faults: &FaultsOf<A>, token: Option<&str>) -> TokenCheck {
        self.core
            .check_token(token, faults.tokens().expires_after_calls)
    }

    /// The simulator's own state besides the kit's.
    pub fn extension(&self) -> &ExtensionOf<A> {
        &self.extension
    }

    /// Runs `work` (a timer, a push, a socket) on a task that ends when the simulator stops.
    pub fn spawn(&self, work: impl Future<Output = ()> + Send + 'static) {
        spawn_until_stopped(&self.stop, work);
    }

    /// Like [`SimState::spawn`], for work that needs the state itself.
    pub fn spawn_with<F, Fut>(self: &Arc<Self>, work: F)
    where
        F: FnOnce(Arc<SimState<A>>) -> Fut,
        Fut: Future<Output = ()> + Send + 'static,
    {
        self.spawn(work(Arc::clone(self)));
    }

    /// Cancelled when the simulator stops, for work that watches it itself.
    pub fn stopping(&self) -> &CancellationToken {
        &self.stop
    }
}

/// One request being served: the faults in force when it arrived and its request id; it counts
/// as in flight until dropped.
pub struct Begun<'a, A: SimApi> {
    /// The faults in force.
    pub faults: Arc<FaultsOf<A>>,
    /// The request's id.
    pub request_id: String,
    _in_flight: InFlight<'a>,
}

/// A simulator of the API `A` serving on 127.0.0.1 (or a chosen address).
pub struct Sim<A: SimApi> {
    server: SimServer,
    state: Arc<SimState<A>>,
    _stop: StopOnDrop<A>,
}

/// Stops the extension when the simulator goes away, shut down or dropped.
struct StopOnDrop<A: SimApi>(Arc<SimState<A>>);

impl<A: SimApi> Drop for StopOnDrop<A> {
    fn drop(&mut self) {
        self.0.stop.cancel();
        self.0.extension.stop();
    }
}

impl<A: SimApi> Sim<A> {
    /// Starts serving `org` on a random loopback port, accepting `credentials` on the token
    /// endpoint. Must be called inside a Tokio runtime; the server runs on a spawned task.
    pub async fn start(
        org: OrgOf<A>,
        credentials: CredentialsOf<A>,
        faults: FaultsOf<A>,
    ) -> io::Result<Sim<A>> {
        let addr = SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 0);
        Sim::start_on(addr, org, credentials, faults).await
    }

    /// Like [`Sim::start`], on a chosen address (port 0 for a random one).
    pub async fn start_on(
        addr: SocketAddr,
        org: OrgOf<A>,
        credentials: CredentialsOf<A>,
        faults: FaultsOf<A>,
    ) -> io::Result<Sim<A>> {
        let state = Arc::new(SimState::new(org, credentials, faults));
        let server = SimServer::start_on(A::NAME, addr, A::router(Arc::clone(&state))).await?;
        let stop = StopOnDrop(Arc::clone(&state));
        Ok(Sim {
            server,
            state,
            _stop: stop,
        })
    }

    /// Base URL to configure as the API's endpoint, e.g. `http://127.0.0.1:40123`.
    pub fn url(&self) -> String {
        self.server.url()
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.server.addr()
    }

    /// The state the requests share, for a simulator's own owner-side methods.
    pub fn state(&self) -> &Arc<SimState<A>> {
        &self.state
    }

    /// What was observed since start or the last [`Sim::reset_stats`].
    pub fn stats(&self) -> StatsOf<A> {
        StatsOf::<A>::from(self.state.core.stats().snapshot())
    }

    /// Starts counting afresh.
    pub fn reset_stats(&self) {
        self.state.core.stats().reset();
    }

    /// The faults in force.
    pub fn faults(&self) -> FaultsOf<A> {
        FaultsOf::<A>::clone(&self.state.faults())
    }

    /// Replaces the faults; applies to every request from now on, also ones already waiting out
    /// their latency. Restarts the random generator from the faults' seed.
    pub fn set_faults(&self, faults: FaultsOf<A>) {
        let seed = faults.seed();
        self.state.core.set_faults(faults, seed);
    }

    /// Edits the organization (a leaver, a new hire, a moved department) and re-indexes it.
    /// Requests already running finish on the previous version.
    pub fn update_org(&self, edit: impl FnOnce(&mut OrgOf<A>)) {
        self.state.served.update(|current| {
            let mut org = current.org().clone();
            edit(&mut org);
            ServedOf::<A>::index(org)
        });
    }

    /// A copy of the organization as it is served now.
    pub fn org(&self) -> OrgOf<A> {
        self.state.served().org().clone()
    }

    /// Stops the extension's background work, then stops accepting connections and waits (a few
    /// seconds at most) for requests in flight.
    pub async fn shutdown(self) {
        let Sim { server, _stop, .. } = self;
        drop(_stop);
        server.shutdown().await;
    }
}

impl<A: SimApi> fmt::Debug for Sim<A> {
    /// Only the vendor and the address: the organization may hold 100,000 users.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sim")
            .field("api", &A::NAME)
            .field("addr", &self.server.addr())
            .finish_non_exhaustive()
    }
}

impl<A: SimApi> fmt::Debug for SimState<A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SimState")
            .field("api", &A::NAME)
            .finish_non_exhaustive()
    }
}
