//! The HTTP control API that Hanzo IAM embeds (JSON; errors are `{"error": "..."}`).
//!
//! | method and path | answer |
//! |---|---|
//! | `GET /healthz` | `{"status":"ok"}`, no token |
//! | `GET /api/v1/plugins` | registered types with config schemas and default mappings |
//! | `GET /api/v1/syncers` | configured syncers, secrets as `***`, `running`, `last_run`, `last_skipped` |
//! | `POST /api/v1/syncers/{name}/test` | `{"ok", "checks", "message"}` |
//! | `POST /api/v1/syncers/{name}/sync?dry_run=true` | 202 `{"run_id"}`; 409 while running; 404 unknown |
//! | `GET /api/v1/syncers/{name}/runs` | run history, newest first, with reports |
//! | `GET /api/v1/runs/{run_id}` | one run |
//! | `GET /metrics` | Prometheus text |
//!
//! Every error, including a bad query string, an unknown path and a wrong method, is JSON with
//! the matching status.

use std::collections::BTreeMap;

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{middleware, Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::auth::require_token;
use super::state::{AppState, StartError};
use crate::config::SyncerSettings;
use crate::connection::test_connection;
use crate::history::RunRecord;
use crate::runner::RunFlags;

/// How many runs `GET .../runs` returns at most.
const HISTORY_LIMIT: usize = 100;

/// The router: `/healthz` open, everything else behind the token.
pub fn router(state: AppState) -> Router {
    let protected = Router::new()
        .route("/api/v1/plugins", get(plugins))
        .route("/api/v1/syncers", get(syncers))
        .route("/api/v1/syncers/{name}/test", post(test))
        .route("/api/v1/syncers/{name}/sync", post(sync))
        .route("/api/v1/syncers/{name}/runs", get(runs))
        .route("/api/v1/runs/{run_id}", get(run))
        .route("/metrics", get(metrics))
        .route_layer(middleware::from_fn_with_state(state.clone(), require_token));
    Router::new()
        .route(
            "/healthz",
            get(|| async { Json(json!({ "status": "ok" })) }),
        )
        .merge(protected)
        .fallback(|| async { error(StatusCode::NOT_FOUND, "no such endpoint") })
        .method_not_allowed_fallback(|| async {
            error(
                StatusCode::METHOD_NOT_ALLOWED,
                "method not allowed on this endpoint (the Allow header lists the ones that are)",
            )
        })
        .layer(middleware::from_fn(json_errors))
        .with_state(state)
}

/// Turns any error answer that is not JSON yet (one axum produced itself) into
/// `{"error": "..."}`, keeping its status and headers.
async fn json_errors(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    let status = response.status();
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|kind| kind.as_bytes().starts_with(b"application/json"));
    if !(status.is_client_error() || status.is_server_error()) || is_json {
        return response;
    }
    let (mut parts, _) = response.into_parts();
    let reason = status.canonical_reason().unwrap_or("error").to_lowercase();
    let body = json!({ "error": reason }).to_string();
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    Response::from_parts(parts, axum::body::Body::from(body))
}

/// A JSON error answer.
pub fn error(status: StatusCode, message: impl Into<String>) -> Response {
    (status, Json(json!({ "error": message.into() }))).into_response()
}

fn history_error(error: impl std::fmt::Display) -> Response {
    error_response(StatusCode::INTERNAL_SERVER_ERROR, error)
}

fn error_response(status: StatusCode, message: impl std::fmt::Display) -> Response {
    error(status, message.to_string())
}

async fn plugins() -> Response {
    let infos: Vec<_> = syncer_core::plugins().iter().map(|p| p.info()).collect();
    Json(infos).into_response()
}

/// A configured syncer as the API shows it (secrets masked).
#[derive(Serialize)]
struct SyncerView {
    name: String,
    #[serde(rename = "type")]
    type_name: &'static str,
    organization: String,
    is_enabled: bool,
    sync_interval: u64,
    leavers: String,
    config: BTreeMap<String, String>,
    mapping: Vec<MappingView>,
    /// A run of it is going, in this process or another.
    running: bool,
    /// Its newest run that really ran (or is running); refused runs are in `last_skipped`.
    last_run: Option<RunSummary>,
    /// Its newest run refused because another was going.
    last_skipped: Option<RunSummary>,
}

#[derive(Serialize)]
struct MappingView {
    source: String,
    target: &'static str,
}

#[derive(Serialize)]
struct RunSummary {
    run_id: i64,
    status: &'static str,
    dry_run: bool,
    started_at: String,
    finished_at: String,
}

fn summary(run: &RunRecord) -> RunSummary {
    RunSummary {
        run_id: run.run_id,
        status: run.status.as_str(),
        dry_run: run.dry_run,
        started_at: run.started_at.clone(),
        finished_at: run.finished_at.clone(),
    }
}

fn view(
    settings: &SyncerSettings,
    running: bool,
    last: Option<&RunRecord>,
    skipped: Option<&RunRecord>,
) -> SyncerView {
    SyncerView {
        name: settings.name.clone(),
        type_name: settings.plugin.type_name,
        organization: settings.organization.clone(),
        is_enabled: settings.is_enabled,
        sync_interval: settings.sync_interval.as_secs(),
        leavers: settings.leavers.to_string(),
        config: settings.masked_plugin_keys.clone(),
        mapping: settings
            .mapping
            .rules()
            .iter()
            .map(|rule| MappingView {
                source: rule.source.clone(),
                target: rule.target.name(),
            })
            .collect(),
        running,
        last_run: last.map(summary),
        last_skipped: skipped.map(summary),
    }
}

async fn syncers(State(state): State<AppState>) -> Response {
    let mut views = Vec::new();
    let history = state.runner().history();
    for settings in &state.config().syncers {
        let (last, skipped) = match (
            history.last_run(&settings.name).await,
            history.last_skipped(&settings.name).await,
        ) {
            (Ok(last), Ok(skipped)) => (last, skipped),
            (Err(e), _) | (_, Err(e)) => return history_error(e),
        };
        let running = state.is_running(settings, last.as_ref()).await;
        // The probe may just have closed a row a dead process left running.
        let last = match (&last, running) {
            (Some(run), false) if run.status == syncer_core::RunStatus::Running => {
                match history.run(run.run_id).await {
                    Ok(fresh) => fresh,
                    Err(e) => return history_error(e),
                }
            }
            _ => last,
        };
        views.push(view(settings, running, last.as_ref(), skipped.as_ref()));
    }
    Json(views).into_response()
}

async fn test(State(state): State<AppState>, Path(name): Path<String>) -> Response {
    let Ok(settings) = state.config().syncer(&name) else {
        return error(StatusCode::NOT_FOUND, format!("no syncer named `{name}`"));
    };
    Json(test_connection(state.config(), settings).await).into_response()
}

/// `?dry_run=true&allow_mass_deprovision=true`; anything else is refused, so a misspelt
/// `dryrun=true` never starts a real sync.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SyncQuery {
    #[serde(default)]
    dry_run: bool,
    #[serde(default)]
    allow_mass_deprovision: bool,
}

async fn sync(
    State(state): State<AppState>,
    Path(name): Path<String>,
    query: Result<Query<SyncQuery>, QueryRejection>,
) -> Response {
    let query = match query {
        Ok(Query(query)) => query,
        Err(rejection) => {
            return error(
                StatusCode::BAD_REQUEST,
                format!(
                    "{}; dry_run and allow_mass_deprovision take true or false",
                    rejection.body_text()
                ),
            )
        }
    };
    let flags = RunFlags {
        dry_run: query.dry_run,
        allow_mass_deprovision: query.allow_mass_deprovision,
    };
    match state.start_run(&name, flags).await {
        Ok(run_id) => (StatusCode::ACCEPTED, Json(json!({ "run_id": run_id }))).into_response(),
        Err(e @ StartError::UnknownSyncer(_)) => error_response(StatusCode::NOT_FOUND, e),
        Err(e @ StartError::Busy(_)) => error_response(StatusCode::CONFLICT, e),
        Err(e @ StartError::ShuttingDown) => error_response(StatusCode::SERVICE_UNAVAILABLE, e),
        Err(e @ (StartError::NotRecorded | StartError::Lock(_))) => {
            error_response(StatusCode::INTERNAL_SERVER_ERROR, e)
        }
    }
}

async fn runs(State(state): State<AppState>, Path(name): Path<String>) -> Response {
    if state.config().syncer(&name).is_err() {
        return error(StatusCode::NOT_FOUND, format!("no syncer named `{name}`"));
    }
    match state.runner().history().runs(&name, HISTORY_LIMIT).await {
        Ok(runs) => Json(runs).into_response(),
        Err(e) => history_error(e),
    }
}

async fn run(State(state): State<AppState>, Path(run_id): Path<String>) -> Response {
    let Ok(run_id) = run_id.parse::<i64>() else {
        return error(
            StatusCode::BAD_REQUEST,
            format!("`{run_id}` is not a run id"),
        );
    };
    match state.runner().history().run(run_id).await {
        Ok(Some(run)) => Json(run).into_response(),
        Ok(None) => error(StatusCode::NOT_FOUND, format!("no run {run_id}")),
        Err(e) => history_error(e),
    }
}

async fn metrics(State(state): State<AppState>) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        state.metrics().render(),
    )
        .into_response()
}
