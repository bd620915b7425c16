//! `serve`: runs enabled syncers on their interval and serves the HTTP control API until SIGTERM
//! or Ctrl-C, then stops taking runs, lets running syncs finish their writes (bounded by
//! `[server] shutdown_grace`, 30 s by default), records every run — those still going after the
//! grace as failed, stopped by shutdown — and exits 0.

mod api;
mod auth;
mod error;
pub(crate) mod event_tasks;
pub(crate) mod events;
mod gate;
mod listener;
mod metrics;
mod request_head;
mod scheduler;
mod stall;
mod startup;
pub(crate) mod state;
mod token;

use crate::stdout::sayln;
use std::net::SocketAddr;
use std::sync::Arc;

use token::ApiToken;
use tokio_util::sync::CancellationToken;

use crate::config::Config;
use crate::failure::Failure;
use state::AppState;

/// Where serve listens unless told otherwise.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";

/// Runs serve mode with `config`, listening on `listen` (else `[server] listen`, else the
/// default).
pub async fn serve(config: Config, listen: Option<String>) -> Result<(), Failure> {
    let mut shutdown = std::pin::pin!(shutdown_signal());
    let address = listen
        .or_else(|| config.server.listen.clone())
        .unwrap_or_else(|| DEFAULT_LISTEN.to_owned());
    let token = config.server.token.as_deref().map(ApiToken::new);
    let addresses: Vec<SocketAddr> = tokio::net::lookup_host(&address)
        .await
        .map_err(|e| Failure::Usage(format!("cannot listen on `{address}`: {e}")))?
        .collect();
    if token.is_none() && addresses.iter().any(|a| !a.ip().is_loopback()) {
        return Err(Failure::Usage(format!(
            "{}: refusing to serve the control API on {address}, beyond loopback, without a token: set [server] token (e.g. token = \"${{SYNCER_API_TOKEN}}\") or listen on 127.0.0.1",
            config.file.display()
        )));
    }
    let listener = tokio::net::TcpListener::bind(addresses.as_slice())
        .await
        .map_err(|e| Failure::Run(format!("cannot listen on {address}: {e}")))?;
    let bound = listener
        .local_addr()
        .map_err(|e| Failure::Run(e.to_string()))?;

    // Said first (tests and supervisors read the address here), even while the shared state
    // is awaited.
    sayln!("syncer-host serving the control API on http://{bound}");
    let listener = Arc::new(listener);
    let Some(runner) = startup::open_runner(&config, &listener, &mut shutdown).await? else {
        sayln!("stopped");
        return Ok(());
    };
    let grace = config.server.shutdown_grace;
    let state = AppState::new(config, runner, token);
    // Rows an earlier process left `running` are closed only where the syncer's lock is free:
    // a CLI sync going on in another process keeps its row.
    state.close_interrupted_runs().await;
    let cancel = CancellationToken::new();
    event_tasks::start(&state, &cancel);
    scheduler::start(&state, &cancel);

    let server = tokio::spawn(listener::serve(
        listener,
        api::router(state.clone()),
        cancel.clone(),
    ));

    shutdown.await;
    sayln!("shutting down: no new runs; waiting for running syncs to finish their writes");
    cancel.cancel();
    let unfinished = state.drain(grace).await;
    if unfinished > 0 {
        eprintln!(
            "{unfinished} run(s) did not finish within {}s; recorded as failed (stopped by shutdown)",
            grace.as_secs()
        );
    }
    if let Err(e) = server.await {
        return Err(Failure::Run(format!("HTTP server task failed: {e}")));
    }
    sayln!("stopped");
    Ok(())
}

/// Resolves on Ctrl-C or SIGTERM. The handlers are installed when this is called, not when the
/// future is first polled, so a signal that arrives early (while serve waits for its shared
/// state) is not the default action that kills the process.
fn shutdown_signal() -> impl std::future::Future<Output = ()> {
    #[cfg(unix)]
    let term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate());
    async move {
        let ctrl_c = tokio::signal::ctrl_c();
        #[cfg(unix)]
        {
            let mut term = match term {
                Ok(term) => term,
                Err(e) => {
                    tracing::warn!("cannot listen for SIGTERM: {e}");
                    let _ = ctrl_c.await;
                    return;
                }
            };
            tokio::select! {
                _ = ctrl_c => {}
                _ = term.recv() => {}
            }
        }
        #[cfg(not(unix))]
        {
            let _ = ctrl_c.await;
        }
    }
}
