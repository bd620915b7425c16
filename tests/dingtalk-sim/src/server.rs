//! [`FakeDingTalk`]: the HTTP server. Binds a loopback port, routes each oapi path through the
//! gate and its handler, records statistics, and stops gracefully on [`FakeDingTalk::shutdown`]
//! (or at once when dropped).

use std::collections::HashMap;
use std::io;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{ConnectInfo, Query, State};
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use axum::routing::{get, post, MethodRouter};
use axum::Router;
use syncer_sim_kit::{delay, SimServer};

use crate::codes;
use crate::credentials::Credentials;
use crate::envelope::{ok_response, ApiError, Reply};
use crate::faults::Faults;
use crate::gate;
use crate::handlers::{self, Api, Call};
use crate::org::Org;
use crate::state::Shared;
use crate::stats::{PageKey, Stats};

/// A fake DingTalk oapi server on 127.0.0.1, serving one organization to one app.
pub struct FakeDingTalk {
    server: SimServer,
    shared: Arc<Shared>,
}

impl FakeDingTalk {
    /// Starts serving `org` on a random loopback port, accepting `credentials` on `/gettoken`.
    /// Must be called inside a Tokio runtime; the server runs on a spawned task.
    pub async fn start(
        org: Org,
        credentials: Credentials,
        faults: Faults,
    ) -> io::Result<FakeDingTalk> {
        let addr = SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 0);
        FakeDingTalk::start_on(addr, org, credentials, faults).await
    }

    /// Like [`FakeDingTalk::start`], on a chosen address (port 0 for a random one).
    pub async fn start_on(
        addr: SocketAddr,
        org: Org,
        credentials: Credentials,
        faults: Faults,
    ) -> io::Result<FakeDingTalk> {
        let shared = Arc::new(Shared::new(org, credentials, faults));
        let server = SimServer::start_on("DingTalk", addr, router(Arc::clone(&shared))).await?;
        Ok(FakeDingTalk { server, shared })
    }

    /// Base URL to configure as the DingTalk endpoint, e.g. `http://127.0.0.1:40123`.
    pub fn url(&self) -> String {
        self.server.url()
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.server.addr()
    }

    /// What was observed since start or the last [`FakeDingTalk::reset_stats`].
    pub fn stats(&self) -> Stats {
        Stats::from(self.shared.core().stats().snapshot())
    }

    /// Starts counting afresh.
    pub fn reset_stats(&self) {
        self.shared.core().stats().reset();
    }

    /// The faults in force.
    pub fn faults(&self) -> Faults {
        Faults::clone(&self.shared.faults())
    }

    /// Replaces the faults; applies to every request from now on, also ones already waiting out
    /// their latency. Restarts the random generator from `faults.seed`.
    pub fn set_faults(&self, faults: Faults) {
        self.shared.set_faults(faults);
    }

    /// Edits the organization (e.g. a leaver, a new hire, a moved department) and re-indexes it.
    /// Requests already running finish on the previous version.
    pub fn update_org(&self, edit: impl FnOnce(&mut Org)) {
        self.shared.update_org(edit);
    }

    /// A copy of the organization as it is served now.
    pub fn org(&self) -> Org {
        self.shared.directory().org().clone()
    }

    /// Stops accepting connections and waits (a few seconds at most) for requests in flight.
    pub async fn shutdown(self) {
        self.server.shutdown().await;
    }
}

impl std::fmt::Debug for FakeDingTalk {
    /// Only the address: the organization may hold 100,000 users.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FakeDingTalk")
            .field("addr", &self.server.addr())
            .finish_non_exhaustive()
    }
}

/// Every served path, plus an errcode-404 answer for the rest.
fn router(shared: Arc<Shared>) -> Router {
    Api::ALL
        .into_iter()
        .fold(Router::new(), |router, api| {
            router.route(api.path(), route(api))
        })
        .fallback(unknown_path)
        .with_state(shared)
}

fn route(api: Api) -> MethodRouter<Arc<Shared>> {
    let handler =
        move |State(shared): State<Arc<Shared>>,
              ConnectInfo(peer): ConnectInfo<SocketAddr>,
              Query(query): Query<HashMap<String, String>>,
              body: Bytes| async move { serve(&shared, api, peer.ip(), &query, &body).await };
    if api.is_get() {
        get(handler)
    } else {
        post(handler)
    }
}

/// Serves one call: latency, gate, endpoint, statistics.
async fn serve(
    shared: &Shared,
    api: Api,
    peer: IpAddr,
    query: &HashMap<String, String>,
    body: &[u8],
) -> Response {
    let stats = shared.core().stats();
    let _in_flight = stats.begin(api.path());
    delay(shared.faults().latency).await;
    let faults = shared.faults();
    let request_id = shared.next_request_id();
    let mut page = None;
    let outcome = answer(shared, &faults, api, peer, query, body, &mut page);
    match outcome {
        Ok(reply) => {
            stats.answered(codes::OK, codes::OK, page);
            ok_response(reply, &request_id)
        }
        Err(error) => {
            stats.answered(error.errcode(), codes::OK, None);
            error.into_response(&request_id)
        }
    }
}

/// The answer to one call, noting in `page` which department page a department-scoped call served.
fn answer(
    shared: &Shared,
    faults: &Faults,
    api: Api,
    peer: IpAddr,
    query: &HashMap<String, String>,
    body: &[u8],
    page: &mut Option<PageKey>,
) -> Result<Reply, ApiError> {
    let token = query.get("access_token").map(String::as_str);
    gate::admit(shared, faults, api, peer, token)?;
    if api == Api::GetToken {
        return handlers::gettoken(query, shared.credentials(), || shared.issue_token(faults));
    }
    let call = Call::parse(api, body)?;
    gate::authorize(faults, api, call.dept_id)?;
    let mut reply = handlers::handle(api, &shared.directory(), &call)?;
    misshape(faults, api, &call, &mut reply);
    *page = call.dept_id.map(|dept_id| PageKey {
        path: api.path().to_owned(),
        dept_id,
        cursor: call.cursor,
    });
    Ok(reply)
}

/// The answer-shape faults: listings repeated, a page that says `has_more` with no cursor.
fn misshape(faults: &Faults, api: Api, call: &Call, reply: &mut Reply) {
    let Reply::Result(result) = reply else {
        return;
    };
    if api == Api::DeptListSub && faults.duplicate_listings {
        if let Some(children) = result.as_array_mut() {
            let again = children.clone();
            children.extend(again);
        }
    }
    let broken = call
        .dept_id
        .and_then(|dept| faults.failing_departments.get(&dept))
        == Some(&crate::faults::DeptFault::BrokenCursor);
    if api == Api::UserList && broken {
        if let Some(page) = result.as_object_mut() {
            page.insert("has_more".into(), true.into());
            page.remove("next_cursor");
        }
    }
}

/// Any other path: counted, and answered like DingTalk answers an unknown URI.
async fn unknown_path(State(shared): State<Arc<Shared>>, uri: Uri) -> Response {
    let stats = shared.core().stats();
    let _in_flight = stats.begin(uri.path());
    let error = ApiError::uri_not_found();
    stats.answered(error.errcode(), codes::OK, None);
    let mut response = error.into_response(&shared.next_request_id());
    *response.status_mut() = StatusCode::NOT_FOUND;
    response
}
