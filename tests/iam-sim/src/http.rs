//! Routing: prefix, method, authentication, counters, then one handler per IAM route.
//!
//! Every route shares one catch-all axum handler so the fake decides itself what an unknown
//! path or a wrong method answers, and so latency and concurrency are measured in one place.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Router;
use syncer_sim_kit::delay;

use crate::auth::{authenticate, Principal};
use crate::call::Call;
use crate::envelope::Reply;
use crate::state::Shared;
use crate::validate::UNAUTHORIZED;
use crate::{groups, user_writes, users};

/// The IAM routes the fake serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Route {
    GetUsers,
    GetUser,
    AddUser,
    UpdateUser,
    DeleteUser,
    GetOrganization,
    GetGroups,
    GetGroup,
    AddGroup,
    UpdateGroup,
    DeleteGroup,
}

impl Route {
    fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "get-users" => Route::GetUsers,
            "get-user" => Route::GetUser,
            "add-user" => Route::AddUser,
            "update-user" => Route::UpdateUser,
            "delete-user" => Route::DeleteUser,
            "get-organization" => Route::GetOrganization,
            "get-groups" => Route::GetGroups,
            "get-group" => Route::GetGroup,
            "add-group" => Route::AddGroup,
            "update-group" => Route::UpdateGroup,
            "delete-group" => Route::DeleteGroup,
            _ => return None,
        })
    }

    fn is_write(self) -> bool {
        matches!(
            self,
            Route::AddUser
                | Route::UpdateUser
                | Route::DeleteUser
                | Route::AddGroup
                | Route::UpdateGroup
                | Route::DeleteGroup
        )
    }

    fn method(self) -> Method {
        if self.is_write() {
            Method::POST
        } else {
            Method::GET
        }
    }
}

/// The axum router of the fake.
pub(crate) fn router(shared: Arc<Shared>) -> Router {
    Router::new().fallback(handle).with_state(shared)
}

async fn handle(
    State(shared): State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let _in_flight = shared.stats.enter();
    delay(shared.config.latency).await;
    let prefix = shared.config.flavor.api_prefix();
    let Some(name) = uri
        .path()
        .strip_prefix(prefix)
        .and_then(|rest| rest.strip_prefix('/'))
    else {
        return (StatusCode::NOT_FOUND, "404 page not found").into_response();
    };
    shared.stats.record_call(name);
    let Some(route) = Route::from_name(name) else {
        return (StatusCode::NOT_FOUND, "404 page not found").into_response();
    };
    if method != route.method() {
        return (StatusCode::METHOD_NOT_ALLOWED, "Method Not Allowed").into_response();
    }
    if route.is_write() {
        shared.stats.record_write(name);
    }
    let query = Query::<HashMap<String, String>>::try_from_uri(&uri)
        .map(|Query(query)| query)
        .unwrap_or_default();
    let faults = shared.faults.lock().clone();
    if faults.down {
        return (StatusCode::SERVICE_UNAVAILABLE, "503 Service Unavailable").into_response();
    }
    let is_users_page = route == Route::GetUsers && query.contains_key("p");
    let made_up = is_users_page
        .then(|| {
            let q = |key: &str| query.get(key).map_or("", String::as_str);
            faults.users_page(q("owner"), q("p"), q("pageSize"))
        })
        .flatten();
    let reply = match made_up {
        Some(reply) => reply,
        None => dispatch(&shared, route, &headers, &query, &body),
    };
    if route.is_write() && reply.is_affected() {
        shared.stats.record_applied();
    }
    if route.is_write() && faults.hang_writes {
        std::future::pending::<()>().await;
    }
    faults.distort(reply, is_users_page).into_response()
}

fn dispatch(
    shared: &Shared,
    route: Route,
    headers: &HeaderMap,
    query: &HashMap<String, String>,
    body: &[u8],
) -> Reply {
    let principal = match authenticate(&shared.config, headers, query) {
        Ok(principal) => principal,
        Err(reply) => return reply,
    };
    // The Casbin policy lets anonymous callers reach get-user only.
    if principal == Principal::Anonymous && route != Route::GetUser {
        return Reply::error(UNAUTHORIZED);
    }
    let call = Call {
        config: &shared.config,
        principal,
        query,
        body,
        stats: &shared.stats,
        failures: &shared.failures,
    };
    let mut store = shared.store.lock();
    let store = &mut *store;
    match route {
        Route::GetUsers => users::get_users(&call, store),
        Route::GetUser => users::get_user(&call, store),
        Route::AddUser => user_writes::add_user(&call, store),
        Route::UpdateUser => user_writes::update_user(&call, store),
        Route::DeleteUser => user_writes::delete_user(&call, store),
        Route::GetOrganization => groups::get_organization(&call),
        Route::GetGroups => groups::get_groups(&call, store),
        Route::GetGroup => groups::get_group(&call, store),
        Route::AddGroup => groups::add_group(&call, store),
        Route::UpdateGroup => groups::update_group(&call, store),
        Route::DeleteGroup => groups::delete_group(&call, store),
    }
}
