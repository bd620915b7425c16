//! DingTalk's oapi described to the sim kit (the indexed org is what requests read, tokens are 32
//! hex digits renewed on every `/gettoken`, request ids 13 base-36 characters, the event hub its
//! extension) and its HTTP side, which routes each path through the gate and its handler and
//! records statistics, plus the Stream gateway's two routes. The kit's `Sim` binds the port,
//! swaps faults and org, and stops; `fake.rs` wraps it as [`crate::FakeDingTalk`].

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{ConnectInfo, Query, State};
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use axum::routing::{get, post, MethodRouter};
use axum::Router;
use syncer_sim_kit::{mix64, Parts, Reuse, SimApi};

use crate::credentials::Credentials;
use crate::directory::Directory;
use crate::envelope::{ok_response, ApiError, Reply};
use crate::events::{self, Hub};
use crate::faults::Faults;
use crate::gate;
use crate::handlers::{self, Api, Call};
use crate::hostile;
use crate::paths;
use crate::state::{DingTalk, Shared};
use crate::stats::{PageKey, Stats};

impl SimApi for DingTalk {
    type Parts = Parts<Directory, Credentials, Faults, PageKey, Stats, Hub>;

    const NAME: &'static str = "DingTalk";
    const TOKEN_PREFIX: &'static str = "";
    const TOKEN_REUSE: Reuse = Reuse::Renew;

    /// 13 lowercase base-36 characters, like DingTalk's `request_id`.
    fn request_id(sequence: u64) -> String {
        let mut x = mix64(sequence.wrapping_add(0x9E37_79B9_7F4A_7C15));
        let mut id = String::with_capacity(13);
        for _ in 0..13 {
            let digit = u32::try_from(x % 36).unwrap_or(0);
            id.push(char::from_digit(digit, 36).unwrap_or('0'));
            x /= 36;
        }
        id
    }

    fn router(state: Arc<Shared>) -> Router {
        router(state)
    }
}

/// Every served path, plus an errcode-404 answer for the rest.
fn router(shared: Arc<Shared>) -> Router {
    Api::ALL
        .into_iter()
        .fold(Router::new(), |router, api| {
            router.route(api.path(), route(api))
        })
        .route(paths::GATEWAY_OPEN, post(events::open))
        .route(paths::GATEWAY_CONNECT, get(events::connect))
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
    let begun = shared.begin(api.path()).await;
    let (faults, request_id) = (&begun.faults, &begun.request_id);
    let mut page = None;
    let outcome = answer(shared, faults, api, peer, query, body, &mut page);
    let answered = outcome.map(|reply| (ok_response(reply, request_id), page));
    shared.respond(request_id, answered)
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
    let mut reply = match hostile::made_up(faults, api, &call) {
        Some(reply) => reply,
        None => handlers::handle(api, &shared.served(), &call)?,
    };
    hostile::misshape(faults, api, &call, &mut reply);
    *page = call.dept_id.map(|dept_id| PageKey {
        path: api.path().to_owned(),
        dept_id,
        cursor: call.cursor,
    });
    Ok(reply)
}

/// Any other path: counted, and answered like DingTalk answers an unknown URI.
async fn unknown_path(State(shared): State<Arc<Shared>>, uri: Uri) -> Response {
    let mut response = shared.answer_unknown_path(uri.path(), ApiError::uri_not_found());
    *response.status_mut() = StatusCode::NOT_FOUND;
    response
}
