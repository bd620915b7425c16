//! The HTTP control API that Hanzo IAM embeds (JSON; errors are `{"error": "..."}`).
//!
//! | method and path | answer |
//! |---|---|
//! | `GET /healthz` | `{"status":"ok"}`; 503 `{"status":"degraded","reason"}` while the shared state is unreachable; no token |
//! | `GET /api/v1/plugins` | registered types with config schemas and default mappings |
//! | `GET /api/v1/syncers` | configured syncers, secrets as `***`, `running`, `last_run`, `last_skipped`, `events`, `quota` |
//! | `POST /api/v1/syncers/{name}/test` | `{"ok", "checks", "message"}` |
//! | `POST /api/v1/syncers/{name}/sync?dry_run=true` | 202 `{"run_id"}`; 409 while running; 404 unknown |
//! | `GET /api/v1/syncers/{name}/runs` | run history, newest first, with reports |
//! | `GET /api/v1/syncers/{name}/events` | recent change events (id, type, people, outcome, at), newest first |
//! | `POST /api/v1/syncers/{name}/events` | the directory's HTTP pushes; no token, verified by signature (403 bad, 400 malformed, 404 not in `http` mode) |
//! | `GET /api/v1/runs/{run_id}` | one run |
//! | `POST /api/v1/runs/{run_id}/revert?dry_run=true` | 202 `{"run_id"}` of the revert run; 404 unknown run; 409 while a run of its syncer goes |
//! | `GET /metrics` | Prometheus text |
//!
//! Every error, including a bad query string, an unknown path and a wrong method, is JSON with
//! the matching status.

use std::collections::BTreeMap;

use axum::extract::rejection::QueryRejection;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{middleware, Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::auth::require_token;
use super::error::{json_errors, request_limits, ApiError};
use super::event_tasks::push;
use super::events::status::EventCounters;
use super::metrics;
use super::state::AppState;
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
        .route("/api/v1/syncers/{name}/events", get(events))
        .route("/api/v1/runs/{run_id}", get(run))
        .route("/api/v1/runs/{run_id}/revert", post(revert))
        .route("/metrics", get(metrics))
        .route_layer(middleware::from_fn_with_state(state.clone(), require_token));
    // The directory pushes its events here and cannot send a token: the backend verifies each
    // push by its signature instead. The only route without the token.
    let pushed = Router::new().route(
        "/api/v1/syncers/{name}/events",
        post(push::receive).layer(DefaultBodyLimit::max(push::MAX_BODY)),
    );
    Router::new()
        .route("/healthz", get(healthz))
        .merge(pushed)
        .merge(protected)
        .fallback(|| async { ApiError::NoSuchEndpoint })
        .method_not_allowed_fallback(|| async { ApiError::MethodNotAllowed })
        .layer(middleware::from_fn(json_errors))
        .layer(middleware::from_fn(request_limits))
        .with_state(state)
}

/// Ok, or 503 degraded with the reason (the shared state unreachable: no run starts).
async fn healthz(State(state): State<AppState>) -> Response {
    match state.health().await {
        Ok(()) => Json(json!({ "status": "ok" })).into_response(),
        Err(reason) => (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({ "status": "degraded", "reason": reason })),
        )
            .into_response(),
    }
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
    /// Its change events: mode, connection, counters.
    events: EventCounters,
    /// Its API calls this month against its budget, and why scheduled runs are held, if so.
    quota: Option<QuotaView>,
}

/// A syncer's standing against its monthly call budget.
#[derive(Serialize)]
struct QuotaView {
    /// Calls counted this month (China Standard Time), by every process on the state.
    used: u64,
    /// `monthly_call_budget` (`null`: none).
    budget: Option<u64>,
    /// The month (`2026-12`).
    month: String,
    /// When the remote said the organization's quota is used up this month.
    exhausted_at: Option<String>,
    /// Why a scheduled full sync would not start now (`null`: it would).
    reason: Option<String>,
}

async fn quota_view(state: &AppState, settings: &SyncerSettings) -> Option<QuotaView> {
    let runner = state.runner();
    let (month, usage) = match runner.usage(settings).await {
        Ok(found) => found,
        Err(error) => {
            tracing::warn!(%error, "cannot read this month's API calls");
            return None;
        }
    };
    let reason = match runner.admission(settings).await {
        crate::quota::Admission::Go => None,
        crate::quota::Admission::Hold(why) => Some(why),
    };
    Some(QuotaView {
        used: usage.calls,
        budget: settings.monthly_call_budget,
        month: month.key(),
        exhausted_at: usage.exhausted.map(|exhausted| exhausted.at),
        reason,
    })
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
    events: EventCounters,
    quota: Option<QuotaView>,
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
        events,
        quota,
    }
}

async fn syncers(State(state): State<AppState>) -> Result<Response, ApiError> {
    let mut views = Vec::new();
    let history = state.runner().history();
    for settings in &state.config().syncers {
        let (last, skipped) = (
            history.last_run(&settings.name).await?,
            history.last_skipped(&settings.name).await?,
        );
        let running = state.is_running(settings, last.as_ref()).await;
        // The probe may just have closed a row a dead process left running.
        let last = match (&last, running) {
            (Some(run), false) if run.status == syncer_core::RunStatus::Running => {
                history.run(run.run_id).await?
            }
            _ => last,
        };
        let events = state
            .event_hub(&settings.name)
            .map(|hub| hub.counters())
            .unwrap_or_default();
        let quota = quota_view(&state, settings).await;
        views.push(view(
            settings,
            running,
            last.as_ref(),
            skipped.as_ref(),
            events,
            quota,
        ));
    }
    Ok(Json(views).into_response())
}

async fn test(
    State(state): State<AppState>,
    Path(name): Path<String>,
) -> Result<Response, ApiError> {
    let Ok(settings) = state.config().syncer(&name) else {
        return Err(ApiError::UnknownSyncer(name));
    };
    let meter = state.runner().ledger().meter(&settings.name);
    let outcome = test_connection(state.config(), settings, Some(meter)).await;
    state.runner().ledger().flush().await;
    Ok(Json(outcome).into_response())
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
) -> Result<Response, ApiError> {
    let Query(query) = query.map_err(|rejection| ApiError::BadSyncQuery(rejection.body_text()))?;
    let flags = RunFlags {
        dry_run: query.dry_run,
        allow_mass_deprovision: query.allow_mass_deprovision,
    };
    let run_id = state.start_run(&name, flags).await?;
    Ok((StatusCode::ACCEPTED, Json(json!({ "run_id": run_id }))).into_response())
}

/// `?dry_run=true&allow_mass_deprovision=true&delete_created=true`; anything else is refused.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RevertQuery {
    #[serde(default)]
    dry_run: bool,
    #[serde(default)]
    allow_mass_deprovision: bool,
    #[serde(default)]
    delete_created: bool,
}

async fn revert(
    State(state): State<AppState>,
    Path(run_id): Path<String>,
    query: Result<Query<RevertQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let Some(id) = parse_run_id(&run_id) else {
        return Err(ApiError::BadRunId(run_id));
    };
    let Query(query) =
        query.map_err(|rejection| ApiError::BadRevertQuery(rejection.body_text()))?;
    let flags = RunFlags {
        dry_run: query.dry_run,
        allow_mass_deprovision: query.allow_mass_deprovision,
    };
    let run_id = state.start_revert(id, flags, query.delete_created).await?;
    Ok((StatusCode::ACCEPTED, Json(json!({ "run_id": run_id }))).into_response())
}

async fn runs(
    State(state): State<AppState>,
    Path(name): Path<String>,
) -> Result<Response, ApiError> {
    if state.config().syncer(&name).is_err() {
        return Err(ApiError::UnknownSyncer(name));
    }
    let runs = state.runner().history().runs(&name, HISTORY_LIMIT).await?;
    Ok(Json(runs).into_response())
}

/// The syncer's recent change events, newest first (empty when its events are off).
async fn events(
    State(state): State<AppState>,
    Path(name): Path<String>,
) -> Result<Response, ApiError> {
    if state.config().syncer(&name).is_err() {
        return Err(ApiError::UnknownSyncer(name));
    }
    let recent = state
        .event_hub(&name)
        .map(|hub| hub.recent())
        .unwrap_or_default();
    Ok(Json(recent).into_response())
}

async fn run(
    State(state): State<AppState>,
    Path(run_id): Path<String>,
) -> Result<Response, ApiError> {
    let Some(id) = parse_run_id(&run_id) else {
        return Err(ApiError::BadRunId(run_id));
    };
    match state.runner().history().run(id).await? {
        Some(run) => Ok(Json(run).into_response()),
        None => Err(ApiError::UnknownRun(id)),
    }
}

/// A run id as the API writes it: decimal digits only (`+1`, ` 1` or `-1` are not run 1).
fn parse_run_id(text: &str) -> Option<i64> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

async fn metrics(State(state): State<AppState>) -> Result<Response, ApiError> {
    for settings in &state.config().syncers {
        match state.runner().usage(settings).await {
            Ok((_, usage)) => {
                state
                    .metrics()
                    .set_quota(&settings.name, usage.calls, settings.monthly_call_budget)
            }
            Err(error) => tracing::warn!(%error, "cannot read this month's API calls"),
        }
    }
    let text = state.metrics().render().map_err(ApiError::Metrics)?;
    Ok(([(header::CONTENT_TYPE, metrics::CONTENT_TYPE)], text).into_response())
}
