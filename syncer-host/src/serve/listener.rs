//! The control API's accept loop, hardened against clients that hold connections: every
//! connection must send its request headers within [`HEADER_READ_TIMEOUT`] (an idle keep-alive
//! connection too), at most [`MAX_CONNECTIONS`] are open at once (fewer when the process may
//! open few files), a body or an answer that stops moving for [`STALL_TIMEOUT`] closes its
//! connection, and a failed accept (`Too many open files`) backs off and goes on instead of
//! ending the listener. So a crowd of idle sockets cannot keep `/healthz` down. Every
//! connection is read through a gate (`gate`) that checks each of its request heads, the first
//! and those after it on a kept-alive connection: one that cannot be parsed is answered with the
//! API's JSON error rather than the HTTP layer's bare 400.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;
use tokio_util::sync::CancellationToken;

use super::gate::Gate;

/// How long a connection may take to send a request's headers, and how long a kept-alive
/// connection may sit idle before the next request.
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// The most connections open at once (lowered to a quarter of the open-file limit, so that the
/// syncs' own connections and files always have room).
pub const MAX_CONNECTIONS: usize = 512;
/// How long a request body the client announced, or an answer it is sent, may make no progress
/// before the connection is closed.
pub const STALL_TIMEOUT: Duration = Duration::from_secs(30);
/// The largest request head read (request line and headers); beyond it the answer is 431.
pub const MAX_REQUEST_HEAD: usize = 64 * 1024;
/// How long open connections may finish their requests once serve stops.
const SHUTDOWN_WAIT: Duration = Duration::from_secs(5);

/// Serves `stream` with `router`, read through the gate that checks every request head.
/// Half-close is allowed: when the gate refuses a head it ends the reading, and hyper must
/// still send the answers it owes before it shuts the connection down (the gate writes the
/// refusal then).
fn serve_connection(
    stream: TcpStream,
    router: Router,
) -> http1::Connection<TokioIo<Gate<TcpStream>>, TowerToHyperService<Router>> {
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(HEADER_READ_TIMEOUT)
        .half_close(true)
        .max_buf_size(MAX_REQUEST_HEAD);
    builder.serve_connection(
        TokioIo::new(Gate::new(stream, MAX_REQUEST_HEAD, STALL_TIMEOUT)),
        TowerToHyperService::new(router),
    )
}

/// How many connections this process may keep open: [`MAX_CONNECTIONS`], or a quarter of the
/// soft limit of open files when that is lower (never below 8).
pub fn connection_cap() -> usize {
    open_file_limit().map_or(MAX_CONNECTIONS, |limit| {
        MAX_CONNECTIONS.min((limit / 4).max(8))
    })
}

/// The soft limit of open files, from `/proc/self/limits` (Linux); `None` elsewhere or when
/// unlimited.
fn open_file_limit() -> Option<usize> {
    let limits = std::fs::read_to_string("/proc/self/limits").ok()?;
    let line = limits.lines().find(|l| l.starts_with("Max open files"))?;
    line.split_whitespace().nth(3)?.parse().ok()
}

/// Serves `router` on `listener` until `stop` is cancelled, then lets open connections finish
/// their requests for a few seconds. The listener is shared so that another router can serve
/// on it afterwards (the degraded start hands it on to the API).
pub async fn serve(listener: Arc<TcpListener>, router: Router, stop: CancellationToken) {
    let graceful = GracefulShutdown::new();
    let slots = Arc::new(Semaphore::new(connection_cap()));
    let mut backoff = Duration::from_millis(10);
    loop {
        let accepted = tokio::select! {
            () = stop.cancelled() => break,
            accepted = listener.accept() => accepted,
        };
        let stream = match accepted {
            Ok((stream, _)) => {
                backoff = Duration::from_millis(10);
                stream
            }
            Err(error) => {
                // EMFILE and friends: the socket stays in the backlog; try again shortly.
                tracing::warn!("control API cannot accept a connection: {error}; retrying");
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(Duration::from_secs(1));
                continue;
            }
        };
        let Ok(slot) = slots.clone().try_acquire_owned() else {
            // At the cap: shed the newcomer at once rather than queue it behind idle ones.
            drop(stream);
            continue;
        };
        let watcher = graceful.watcher();
        let router = router.clone();
        tokio::spawn(async move {
            // A connection ends with an error when its client misbehaves; nothing to report.
            let _ = watcher.watch(serve_connection(stream, router)).await;
            drop(slot);
        });
    }
    drop(listener);
    if tokio::time::timeout(SHUTDOWN_WAIT, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("control API connections still open after shutdown; closing them");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cap_leaves_room_for_the_syncs_files() {
        let cap = connection_cap();
        assert!((8..=MAX_CONNECTIONS).contains(&cap));
        if let Some(limit) = open_file_limit() {
            assert!(cap <= (limit / 4).max(8), "cap {cap} for limit {limit}");
        }
    }
}
