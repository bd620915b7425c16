//! For backends' tests only (cargo feature `test-support`): an axum router served on a free
//! port of 127.0.0.1, for the small stand-ins of a remote API a test writes itself (a gateway
//! that fails on purpose, a token endpoint that counts). Knows no API.

use axum::Router;

/// Serves `router` on a free port of 127.0.0.1 until the test's runtime ends: its base URL
/// (`http://127.0.0.1:PORT`).
pub async fn serve(router: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind a loopback port");
    let url = format!(
        "http://{}",
        listener.local_addr().expect("the bound address")
    );
    tokio::spawn(async move { axum::serve(listener, router).await });
    url
}
