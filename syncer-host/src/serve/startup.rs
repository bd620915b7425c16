//! The start of `serve` on a shared state that does not answer yet (the database still coming
//! up beside it, a network not ready): instead of exiting, serve listens at once, answers
//! `/healthz` 503 `degraded` with the reason and every other request 503, and retries the
//! database with a growing pause (1 s doubling to 30 s) until it answers or shutdown is asked.
//! A wrong answer (a schema newer than this program, a refused password) still ends serve: it
//! will not mend by waiting.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use parking_lot::Mutex;
use serde_json::json;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

use super::listener;
use crate::config::Config;
use crate::failure::Failure;
use crate::runner::Runner;

/// The first pause between two tries; it doubles up to [`LONGEST_PAUSE`].
const FIRST_PAUSE: Duration = Duration::from_secs(1);
/// The longest pause between two tries.
const LONGEST_PAUSE: Duration = Duration::from_secs(30);

/// Opens the runner. While the shared state is unreachable, serves the degraded answers on
/// `listener` and tries again; `Ok(None)` when `shutdown` completes first.
pub async fn open_runner(
    config: &Config,
    listener: &Arc<TcpListener>,
    shutdown: &mut (impl Future<Output = ()> + Unpin),
) -> Result<Option<Runner>, Failure> {
    let error = match Runner::for_config(config).await {
        Ok(runner) => return Ok(Some(runner)),
        Err(error) if error.is_state_unreachable() => error,
        Err(error) => return Err(error.into()),
    };
    let reason = Arc::new(Mutex::new(error.to_string()));
    eprintln!("{error}; serving /healthz as degraded and trying again");
    let stop = CancellationToken::new();
    let waiting = tokio::spawn(listener::serve(
        listener.clone(),
        degraded_router(reason.clone()),
        stop.clone(),
    ));
    let mut pause = FIRST_PAUSE;
    let opened = loop {
        tokio::select! {
            () = &mut *shutdown => break Ok(None),
            () = tokio::time::sleep(pause) => {}
        }
        match Runner::for_config(config).await {
            Ok(runner) => {
                eprintln!("the shared state answers again; starting");
                break Ok(Some(runner));
            }
            Err(error) if error.is_state_unreachable() => {
                tracing::warn!(%error, "the shared state is still unreachable");
                *reason.lock() = error.to_string();
                pause = (pause * 2).min(LONGEST_PAUSE);
            }
            Err(error) => break Err(error.into()),
        }
    };
    stop.cancel();
    let _ = waiting.await;
    opened
}

/// `/healthz` 503 degraded with the reason; everything else 503 with it as the error.
fn degraded_router(reason: Arc<Mutex<String>>) -> Router {
    Router::new()
        .route("/healthz", get(degraded))
        .fallback(unavailable)
        .with_state(reason)
}

async fn degraded(State(reason): State<Arc<Mutex<String>>>) -> Response {
    let reason = reason.lock().clone();
    (
        StatusCode::SERVICE_UNAVAILABLE,
        Json(json!({ "status": "degraded", "reason": reason })),
    )
        .into_response()
}

async fn unavailable(State(reason): State<Arc<Mutex<String>>>) -> Response {
    let reason = reason.lock().clone();
    (
        StatusCode::SERVICE_UNAVAILABLE,
        Json(json!({
            "error": format!("{reason}; serve waits for the shared state and starts nothing until it answers")
        })),
    )
        .into_response()
}
