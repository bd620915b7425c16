//! [`FakeLark`]: the HTTP server. Binds a loopback port, passes each call through the gate and
//! its handler, records statistics, and stops on [`FakeLark::shutdown`] (or when dropped).

use std::collections::HashMap;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::{header, HeaderMap, Uri};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use syncer_sim_kit::{delay, SimServer};

use crate::codes;
use crate::credentials::Credentials;
use crate::envelope::{ok_data, ok_top_level, ApiError};
use crate::faults::Faults;
use crate::gate;
use crate::handlers::{self, Answer, Api};
use crate::org::LarkOrg;
use crate::state::Shared;
use crate::stats::{PageKey, Stats};

/// A fake Lark open platform on 127.0.0.1 serving one tenant to one custom app.
pub struct FakeLark {
    server: SimServer,
    shared: Arc<Shared>,
}

/// One call as the handlers see it.
struct Call {
    api: Api,
    peer: IpAddr,
    department: Option<String>,
    query: HashMap<String, String>,
    authorization: Option<String>,
    body: Bytes,
}

impl FakeLark {
    /// Serves `org` on a random loopback port, accepting `credentials` on the token endpoint.
    /// Must be called inside a Tokio runtime.
    pub async fn start(
        org: LarkOrg,
        credentials: Credentials,
        faults: Faults,
    ) -> io::Result<FakeLark> {
        let shared = Arc::new(Shared::new(org, credentials, faults));
        let server = SimServer::start_local("Lark", router(Arc::clone(&shared))).await?;
        Ok(FakeLark { server, shared })
    }

    /// Base URL to configure as the Lark endpoint, e.g. `http://127.0.0.1:40123`.
    pub fn url(&self) -> String {
        self.server.url()
    }

    /// What was observed since start or the last [`FakeLark::reset_stats`].
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

    /// Replaces the faults for every request from now on.
    pub fn set_faults(&self, faults: Faults) {
        self.shared.set_faults(faults);
    }

    /// Edits the tenant (a new hire, a leaver, a frozen account, a renamed department).
    pub fn update_org(&self, edit: impl FnOnce(&mut LarkOrg)) {
        self.shared.update_org(edit);
    }

    /// A copy of the tenant as it is served now.
    pub fn org(&self) -> LarkOrg {
        LarkOrg::clone(&self.shared.org())
    }

    /// Stops accepting connections and waits (a few seconds at most) for requests in flight.
    pub async fn shutdown(self) {
        self.server.shutdown().await;
    }
}

impl std::fmt::Debug for FakeLark {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FakeLark")
            .field("addr", &self.server.addr())
            .finish_non_exhaustive()
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
            get(
                |State(s): State<Arc<Shared>>,
                 ConnectInfo(peer): Peer,
                 Path(id): Path<String>,
                 Query(query): Params,
                 headers: HeaderMap| async move {
                    let call = Call {
                        api: Api::DepartmentChildren,
                        peer: peer.ip(),
                        department: Some(id),
                        query,
                        authorization: authorization(&headers),
                        body: Bytes::new(),
                    };
                    serve(&s, call).await
                },
            ),
        )
        .route(
            "/open-apis/contact/v3/departments/{department_id}",
            get(
                |State(s): State<Arc<Shared>>,
                 ConnectInfo(peer): Peer,
                 Path(id): Path<String>,
                 Query(query): Params,
                 headers: HeaderMap| async move {
                    let call = Call {
                        api: Api::DepartmentGet,
                        peer: peer.ip(),
                        department: Some(id),
                        query,
                        authorization: authorization(&headers),
                        body: Bytes::new(),
                    };
                    serve(&s, call).await
                },
            ),
        )
        .route(
            "/open-apis/contact/v3/users/find_by_department",
            get(
                |State(s): State<Arc<Shared>>,
                 ConnectInfo(peer): Peer,
                 Query(query): Params,
                 headers: HeaderMap| async move {
                    let call = Call {
                        api: Api::UsersByDepartment,
                        peer: peer.ip(),
                        department: None,
                        query,
                        authorization: authorization(&headers),
                        body: Bytes::new(),
                    };
                    serve(&s, call).await
                },
            ),
        )
        .fallback(unknown_path)
        .with_state(shared)
}

fn authorization(headers: &HeaderMap) -> Option<String> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned)
}

/// Serves one call: latency, gate, handler, statistics.
async fn serve(shared: &Shared, call: Call) -> Response {
    let stats = shared.core().stats();
    let _in_flight = stats.begin(call.api.path());
    delay(shared.faults().latency).await;
    let faults = shared.faults();
    let log_id = shared.next_log_id();
    if let Err(error) = gate::admit(
        shared,
        &faults,
        call.api,
        call.peer,
        call.authorization.as_deref(),
    ) {
        stats.answered(error.answer_code(), codes::OK, None);
        return error.into_response(&log_id);
    }
    if call.api == Api::TenantAccessToken {
        let answered = handlers::tenant_access_token(&call.body, shared.credentials(), || {
            shared.issue_token(&faults)
        });
        return match answered {
            Ok(fields) => {
                stats.answered(codes::OK, codes::OK, None);
                ok_top_level(fields, &log_id)
            }
            Err(error) => {
                stats.answered(error.answer_code(), codes::OK, None);
                error.into_response(&log_id)
            }
        };
    }
    let org = shared.org();
    let department = call.department.as_deref().unwrap_or_default();
    let answered = match call.api {
        Api::DepartmentChildren => handlers::children(&org, &faults, department, &call.query),
        Api::DepartmentGet => handlers::department(&org, &faults, department, &call.query),
        Api::UsersByDepartment => handlers::find_by_department(&org, &faults, &call.query),
        Api::TenantAccessToken => Err(ApiError::not_found()),
    };
    match answered {
        Ok(Answer { data, page }) => {
            let page = page.map(|(department, page_token)| PageKey {
                path: call.api.path().to_owned(),
                department,
                page_token,
            });
            stats.answered(codes::OK, codes::OK, page);
            ok_data(data, &log_id)
        }
        Err(error) => {
            stats.answered(error.answer_code(), codes::OK, None);
            error.into_response(&log_id)
        }
    }
}

/// Any other path: counted, and answered as Lark answers an unknown path.
async fn unknown_path(State(shared): State<Arc<Shared>>, uri: Uri) -> Response {
    let stats = shared.core().stats();
    let _in_flight = stats.begin(uri.path());
    let error = ApiError::not_found();
    stats.answered(error.answer_code(), codes::OK, None);
    error.into_response(&shared.next_log_id())
}
