//! DingTalk Stream mode: an outbound WebSocket on which DingTalk delivers the organization's
//! change events (works behind NAT, needs no public URL). [`listen`] opens a connection with a
//! fresh ticket from the [`gateway`], serves it ([`session`]) and, when it ends, opens the next
//! one: at once after the gateway's `disconnect`, after a backoff with jitter (1 s doubling to
//! 60 s) after a drop or a failed open — forever, until its future is dropped. Only a refusal
//! of the app's credentials by the gateway ends it, with an error that says what to fix.

pub mod gateway;
pub mod session;

use std::time::{Duration, Instant};

use syncer_core::{EventMode, EventSink, FetchError};
use syncer_remote::ReconnectBackoff;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

use crate::settings::DingTalkSettings;
use gateway::{is_refusal, Gateway, Ticket};
use session::Ended;

/// A connection that lasted this long worked: the next failure waits the shortest backoff.
const HEALTHY: Duration = Duration::from_secs(10);

/// Keeps a Stream connection open and hands every event to `sink` (see the module's doc).
/// Opening a connection is a call like any other: it counts on `meter`.
pub async fn listen(
    settings: &DingTalkSettings,
    sink: &dyn EventSink,
    meter: Option<syncer_core::SharedMeter>,
) -> Result<(), FetchError> {
    if settings.events.mode != EventMode::Stream {
        return Err(FetchError {
            api: None,
            message: "this DingTalk syncer does not use Stream mode: set events = \"stream\" in its config to receive change events over a Stream connection".to_owned(),
        });
    }
    let gateway = Gateway::new(settings, meter).map_err(|error| error.to_fetch_error())?;
    let mut backoff = ReconnectBackoff::default();
    loop {
        match gateway.open().await {
            Ok(ticket) => match connect(&ticket, settings.remote.timeout).await {
                Ok(socket) => {
                    let opened = Instant::now();
                    tracing::info!(endpoint = %ticket.endpoint, "connected to DingTalk's Stream gateway");
                    sink.connection_changed(true);
                    let ended = session::run(socket, sink).await;
                    sink.connection_changed(false);
                    if opened.elapsed() >= HEALTHY {
                        backoff.reset();
                    }
                    match ended {
                        Ended::Disconnected if backoff.failures() == 0 => {
                            tracing::info!("DingTalk's Stream gateway asked to reconnect; opening a new connection");
                            // A connection asked to go again at once counts against the
                            // backoff until one lasts: a gateway that keeps saying
                            // `disconnect` is not hammered.
                            backoff.next_wait();
                            continue;
                        }
                        Ended::Disconnected => {
                            tracing::info!("DingTalk's Stream gateway asked to reconnect again soon after connecting");
                        }
                        Ended::Dropped(reason) => {
                            tracing::warn!(%reason, "the DingTalk Stream connection dropped; reconnecting");
                        }
                    }
                }
                Err(reason) => {
                    tracing::warn!(%reason, endpoint = %ticket.endpoint, "could not connect to DingTalk's Stream endpoint; retrying");
                }
            },
            Err(error) if is_refusal(&error) => return Err(error.to_fetch_error()),
            Err(error) => {
                tracing::warn!(%error, "could not open a DingTalk Stream connection; retrying");
            }
        }
        tokio::time::sleep(backoff.next_wait()).await;
    }
}

/// The socket of `ticket` (`endpoint?ticket=`, URL-encoded), opened within `timeout`.
async fn connect(
    ticket: &Ticket,
    timeout: Duration,
) -> Result<
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>,
    String,
> {
    let mut url = reqwest::Url::parse(&ticket.endpoint)
        .map_err(|error| format!("the gateway's endpoint is not a URL ({error})"))?;
    if !matches!(url.scheme(), "wss" | "ws") {
        return Err(format!(
            "the gateway's endpoint is a {} URL, not a WebSocket one",
            url.scheme()
        ));
    }
    url.query_pairs_mut().append_pair("ticket", &ticket.ticket);
    let request = url
        .as_str()
        .into_client_request()
        .map_err(|error| error.to_string())?;
    match tokio::time::timeout(timeout, tokio_tungstenite::connect_async(request)).await {
        Ok(Ok((socket, _))) => Ok(socket),
        // The error may quote the URL, and the URL holds the ticket: say only what happened.
        Ok(Err(error)) => Err(describe(&error)),
        Err(_) => Err(format!("no answer within {} s", timeout.as_secs())),
    }
}

/// A connect error without the URL (which carries the ticket).
fn describe(error: &tokio_tungstenite::tungstenite::Error) -> String {
    use tokio_tungstenite::tungstenite::Error;
    match error {
        Error::Http(response) => format!("the endpoint answered HTTP {}", response.status()),
        Error::Io(error) => error.to_string(),
        Error::Tls(error) => format!("TLS: {error}"),
        Error::Url(_) => "the endpoint URL cannot be used".to_owned(),
        other => other.to_string(),
    }
}
