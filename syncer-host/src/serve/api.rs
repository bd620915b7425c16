//! The HTTP control API that Hanzo IAM embeds (JSON; errors are `{"error": "..."}`).
//!
//! | method and path | answer |
//! |---|---|
//! | `GET /healthz` | `{"status":"ok"}`, no token |
//! | `GET /api/v1/plugins` | registered types with config schemas and default mappings |
//! | `GET /api/v1/syncers` | configured syncers, secrets as `***`, with their last run |
//! | `POST /api/v1/syncers/{name}/test` | `{"ok", "checks", "message"}` |
//! | `POST /api/v1/syncers/{name}/sync?dry_run=true` | 202 `{"run_id"}`; 409 while running; 404 unknown |
//! | `GET /api/v1/syncers/{name}/runs` | run history, newest first, with reports |
//! | `GET /api/v1/runs/{run_id}` | one run |
//! | `GET /metrics` | Prometheus text |

use std::collections::BTreeMap;

use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
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
        .with_state(state)
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
    running: bool,
    last_run: Option<RunSummary>,
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

fn view(settings: &SyncerSettings, running: bool, last: Option<&RunRecord>) -> SyncerView {
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
        last_run: last.map(|run| RunSummary {
            run_id: run.run_id,
            status: run.status.as_str(),
            dry_run: run.dry_run,
            started_at: run.started_at.clone(),
            finished_at: run.finished_at.clone(),
        }),
    }
}

async fn syncers(State(state): State<AppState>) -> Response {
    let mut views = Vec::new();
    for settings in &state.config().syncers {
        let last = match state.runner().history().runs(&settings.name, 1).await {
            Ok(runs) => runs.into_iter().next(),
            Err(e) => return history_error(e),
        };
        let running = last
            .as_ref()
            .is_some_and(|run| run.status == syncer_core::RunStatus::Running);
        views.push(view(settings, running, last.as_ref()));
    }
    Json(views).into_response()
}

async fn test(State(state): State<AppState>, Path(name): Path<String>) -> Response {
    let Ok(settings) = state.config().syncer(&name) else {
        return error(StatusCode::NOT_FOUND, format!("no syncer named `{name}`"));
    };
    Json(test_connection(state.config(), settings).await).into_response()
}

#[derive(Deserialize)]
struct SyncQuery {
    #[serde(default)]
    dry_run: bool,
    #[serde(default)]
    allow_mass_deprovision: bool,
}

async fn sync(
    State(state): State<AppState>,
    Path(name): Path<String>,
    Query(query): Query<SyncQuery>,
) -> Response {
    let flags = RunFlags {
        dry_run: query.dry_run,
        allow_mass_deprovision: query.allow_mass_deprovision,
    };
    match state.start_run(&name, flags).await {
        Ok(run_id) => (StatusCode::ACCEPTED, Json(json!({ "run_id": run_id }))).into_response(),
        Err(e @ StartError::UnknownSyncer(_)) => error_response(StatusCode::NOT_FOUND, e),
        Err(e @ StartError::Busy(_)) => error_response(StatusCode::CONFLICT, e),
        Err(e @ StartError::ShuttingDown) => error_response(StatusCode::SERVICE_UNAVAILABLE, e),
        Err(e @ StartError::NotRecorded) => error_response(StatusCode::INTERNAL_SERVER_ERROR, e),
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
