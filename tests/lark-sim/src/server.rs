//! The open platform described to the sim kit (behind [`crate::FakeLark`]) (`t-` tokens kept until their last
//! half hour, numbered log ids) and its HTTP side, which passes each call through the gate and
//! its handler and records statistics. The kit's [`Sim`] binds the port, swaps faults and tenant,
//! and stops.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::{header, HeaderMap, Uri};
use axum::response::Response;
use axum::routing::{get, post, MethodRouter};
use axum::Router;
use syncer_sim_kit::{Parts, Reuse, SimApi};

use crate::call::Call;
use crate::callback::Callbacks;
use crate::credentials::Credentials;
use crate::envelope::{ok_data, ok_top_level, ApiError};
use crate::faults::Faults;
use crate::gate;
use crate::handlers::{self, Answer, Api, Request};
use crate::org::LarkOrg;
use crate::state::{Lark, Shared};
use crate::stats::{PageKey, Stats};

/// A token with less than this left is replaced on the next request.
const RENEW_WINDOW: Duration = Duration::from_secs(30 * 60);

impl SimApi for Lark {
    type Parts = Parts<LarkOrg, Credentials, Faults, PageKey, Stats, Callbacks>;

    const NAME: &'static str = "Lark";
    const TOKEN_PREFIX: &'static str = "t-";
    const TOKEN_REUSE: Reuse = Reuse::WhileLeft(RENEW_WINDOW);

    /// A log id for the `x-tt-logid` header and error bodies.
    fn request_id(sequence: u64) -> String {
        format!("20260101000000{sequence:010}")
    }

    fn router(state: Arc<Shared>) -> Router {
        router(state)
    }
}

type Peer = ConnectInfo<SocketAddr>;
type Params = Query<HashMap<String, String>>;

fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route(
            "/open-apis/auth/v3/tenant_access_token/internal",
            post(
                |State(s): State<Arc<Shared>>, ConnectInfo(peer): Peer, body: Bytes| async move {
                    let call = Call {
                        api: Api::TenantAccessToken,
                        peer: peer.ip(),
                        department: None,
                        query: HashMap::new(),
                        authorization: None,
                        body,
                    };
                    serve(&s, call).await
                },
            ),
        )
        .route(
            "/open-apis/contact/v3/departments/{department_id}/children",
            contact(Api::DepartmentChildren),
        )
        .route(
            "/open-apis/contact/v3/departments/{department_id}",
            contact(Api::DepartmentGet),
        )
        .route(
            "/open-apis/contact/v3/users/find_by_department",
            contact(Api::UsersByDepartment),
        )
        .route(
            "/open-apis/contact/v3/users/{user_id}",
            contact(Api::UserGet),
        )
        .fallback(unknown_path)
        .with_state(shared)
}

/// A contact API: a `GET` with the department from the path when the route has one, the query,
/// and the token from `Authorization`.
fn contact(api: Api) -> MethodRouter<Arc<Shared>> {
    get(
        move |State(s): State<Arc<Shared>>,
              ConnectInfo(peer): Peer,
              department: Option<Path<String>>,
              Query(query): Params,
              headers: HeaderMap| async move {
            let call = Call {
                api,
                peer: peer.ip(),
                department: department.map(|Path(id)| id),
                query,
                authorization: authorization(&headers),
                body: Bytes::new(),
            };
            serve(&s, call).await
        },
    )
}

fn authorization(headers: &HeaderMap) -> Option<String> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned)
}

/// Serves one call: latency, gate, handler, statistics.
async fn serve(shared: &Shared, call: Call) -> Response {
    let begun = shared.begin(call.api.path()).await;
    let (faults, log_id) = (&begun.faults, &begun.request_id);
    shared.respond(log_id, answer(shared, faults, &call, log_id))
}

/// The answer to one call that passed the gate, with the page of a listing it served.
fn answer(
    shared: &Shared,
    faults: &Faults,
    call: &Call,
    log_id: &str,
) -> Result<(Response, Option<PageKey>), ApiError> {
    gate::admit(shared, faults, call)?;
    if call.api == Api::TenantAccessToken {
        let fields = handlers::tenant_access_token(&call.body, shared.credentials(), || {
            shared.issue_token(faults)
        })?;
        return Ok((ok_top_level(fields, log_id), None));
    }
    let handler = match call.api {
        Api::DepartmentChildren => handlers::children,
        Api::DepartmentGet => handlers::department,
        Api::UsersByDepartment => handlers::find_by_department,
        Api::UserGet => handlers::user,
        Api::TenantAccessToken => return Err(ApiError::not_found()),
    };
    let org = shared.served();
    let request = Request {
        org: &org,
        faults,
        id: call.department.as_deref().unwrap_or_default(),
        query: &call.query,
    };
    let Answer { data, page } = handler(&request)?;
    let page = page.map(|(department, page_token)| PageKey {
        path: call.api.path().to_owned(),
        department,
        page_token,
    });
    Ok((ok_data(data, log_id), page))
}

/// Any other path: counted, and answered as Lark answers an unknown path.
async fn unknown_path(State(shared): State<Arc<Shared>>, uri: Uri) -> Response {
    shared.answer_unknown_path(uri.path(), ApiError::not_found())
}
