//! [`SimServer`]: one fake server's lifecycle. Binds a loopback port (or a chosen address), serves
//! an axum router on a spawned task with each request's peer address available as
//! `ConnectInfo<SocketAddr>`, and stops gracefully on [`SimServer::shutdown`] or at once when
//! dropped.

use std::io;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::Duration;

use axum::Router;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// How long [`SimServer::shutdown`] waits for requests in flight before cutting them off.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// A running server on a bound address.
pub struct SimServer {
    name: &'static str,
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl SimServer {
    /// Serves `router` on a random port of 127.0.0.1; `name` is what logs call the server.
    /// Must be called inside a Tokio runtime.
    pub async fn start_local(name: &'static str, router: Router) -> io::Result<SimServer> {
        let addr = SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 0);
        SimServer::start_on(name, addr, router).await
    }

    /// Like [`SimServer::start_local`], on a chosen address (port 0 for a random one).
    pub async fn start_on(
        name: &'static str,
        addr: SocketAddr,
        router: Router,
    ) -> io::Result<SimServer> {
        let listener = TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let app = router.into_make_service_with_connect_info::<SocketAddr>();
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let serving = axum::serve(listener, app).with_graceful_shutdown(async {
                // A dropped sender stops the server too.
                let _ = stopped.await;
            });
            if let Err(error) = serving.await {
                tracing::warn!(%error, server = name, "fake server stopped with an error");
            }
        });
        tracing::debug!(%addr, server = name, "fake server listening");
        Ok(SimServer {
            name,
            addr,
            stop: Some(stop),
            task: Some(task),
        })
    }

    /// The base URL, e.g. `http://127.0.0.1:40123`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops accepting connections and waits (a few seconds at most) for requests in flight.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(mut task) = self.task.take() {
            if tokio::time::timeout(SHUTDOWN_GRACE, &mut task)
                .await
                .is_err()
            {
                task.abort();
            }
        }
    }
}

impl std::fmt::Debug for SimServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SimServer")
            .field("name", &self.name)
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

impl Drop for SimServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

#[cfg(test)]
mod tests {
    use axum::routing::get;

    use super::*;

    #[tokio::test]
    async fn serves_on_a_loopback_port_until_shut_down() {
        let router = Router::new().route("/", get(|| async { "up" }));
        let server = SimServer::start_local("test", router).await.expect("binds");
        assert!(server.addr().ip().is_loopback());
        let url = server.url();
        let body = reqwest::get(&url).await.expect("answers").text().await;
        assert_eq!(body.ok().as_deref(), Some("up"));
        server.shutdown().await;
        assert!(
            reqwest::get(&url).await.is_err(),
            "nothing listens after shutdown"
        );
    }
}
