//! One Stream connection: from the socket's opening to its end. Every `ping` is answered at
//! once, every event handed to the sink and acknowledged on the same socket with what the sink
//! says (`SUCCESS` for done, `LATER` to have it delivered again). Deliveries run concurrently
//! (a slow one holds up neither pings nor other events), at most [`MAX_DELIVERIES`] at a time:
//! past that an event is answered `LATER` at once. All frames go out through the one writer of
//! this loop. A `disconnect` is acknowledged, the deliveries in progress are finished and
//! acknowledged, and the session ends so that a new connection opens with a fresh ticket.

use std::time::Duration;

use futures::future::BoxFuture;
use futures::stream::FuturesUnordered;
use futures::{FutureExt, SinkExt, StreamExt};
use syncer_core::{EventOutcome, EventSink};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::WebSocketStream;

use crate::events::{ack, parse_frame, pong, Ack, StreamFrame};

/// Deliveries in progress at most; an event past it is answered `LATER`.
pub const MAX_DELIVERIES: usize = 64;
/// How often the client pings a quiet socket.
const KEEPALIVE: Duration = Duration::from_secs(30);
/// Keepalive periods without a single frame from the gateway before the socket counts as dead.
const SILENT_PERIODS: u32 = 3;

/// How a session ended.
#[derive(Debug, PartialEq, Eq)]
pub enum Ended {
    /// The gateway said `disconnect`: open a new connection with a fresh ticket.
    Disconnected,
    /// The socket closed or failed (the reason, for the log): reconnect after a backoff.
    Dropped(String),
}

type Delivery<'a> = BoxFuture<'a, (String, EventOutcome)>;

/// Serves one open socket until it ends.
pub async fn run<S>(socket: WebSocketStream<S>, sink: &dyn EventSink) -> Ended
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let (mut writer, mut reader) = socket.split();
    let mut deliveries: FuturesUnordered<Delivery<'_>> = FuturesUnordered::new();
    let mut keepalive =
        tokio::time::interval_at(tokio::time::Instant::now() + KEEPALIVE, KEEPALIVE);
    let mut silent = 0;
    let mut leaving = false;
    let ended = loop {
        if leaving && deliveries.is_empty() {
            break Ended::Disconnected;
        }
        let answer = tokio::select! {
            Some((message_id, outcome)) = deliveries.next(), if !deliveries.is_empty() => {
                Some(ack(&message_id, ack_of(outcome)))
            }
            frame = reader.next() => {
                silent = 0;
                match frame {
                    Some(Ok(Message::Text(text))) => {
                        match read(text.as_str(), sink, &mut deliveries, leaving) {
                            Read::Answer(answer) => Some(answer),
                            Read::Disconnect(answer) => {
                                leaving = true;
                                Some(answer)
                            }
                            Read::Nothing => None,
                        }
                    }
                    Some(Ok(Message::Close(_))) | None if leaving => break Ended::Disconnected,
                    Some(Ok(Message::Close(frame))) => {
                        let reason = frame.map(|f| f.reason.to_string()).unwrap_or_default();
                        break Ended::Dropped(format!("the gateway closed the socket ({reason})"));
                    }
                    None => break Ended::Dropped("the socket ended".to_owned()),
                    Some(Err(error)) => break Ended::Dropped(error.to_string()),
                    // Pings are answered by the socket itself; pongs and binary frames carry
                    // nothing for us.
                    Some(Ok(_)) => None,
                }
            }
            _ = keepalive.tick() => {
                silent += 1;
                if silent >= SILENT_PERIODS {
                    break Ended::Dropped(format!(
                        "no frame from the gateway for {} s",
                        KEEPALIVE.as_secs() * u64::from(SILENT_PERIODS)
                    ));
                }
                if let Err(error) = writer.send(Message::Ping(Vec::new().into())).await {
                    break Ended::Dropped(error.to_string());
                }
                None
            }
        };
        if let Some(answer) = answer {
            if let Err(error) = writer.send(Message::text(answer)).await {
                break Ended::Dropped(error.to_string());
            }
        }
    };
    // Deliveries already handed to the sink are finished, never cut off halfway; their acks
    // go out if the socket still takes them, else DingTalk delivers them again (and the host
    // knows them as duplicates).
    while let Some((message_id, outcome)) = deliveries.next().await {
        let _ = writer
            .send(Message::text(ack(&message_id, ack_of(outcome))))
            .await;
    }
    let _ = writer.close().await;
    ended
}

/// What one text frame asks of the session.
enum Read {
    /// Send this answer now.
    Answer(String),
    /// The gateway is going away: send this, finish the deliveries, end.
    Disconnect(String),
    /// Nothing to send now (an event handed to the sink, or an unreadable frame).
    Nothing,
}

fn read<'a>(
    text: &str,
    sink: &'a dyn EventSink,
    deliveries: &mut FuturesUnordered<Delivery<'a>>,
    leaving: bool,
) -> Read {
    match parse_frame(text) {
        Ok(StreamFrame::Ping { message_id, data }) => Read::Answer(pong(&message_id, &data)),
        Ok(StreamFrame::Disconnect { message_id }) => Read::Disconnect(pong(&message_id, "")),
        Ok(StreamFrame::Event { message_id, event }) => {
            if leaving || deliveries.len() >= MAX_DELIVERIES {
                tracing::debug!(event = %event.id, "busy or leaving: the event is asked for again later");
                return Read::Answer(ack(&message_id, Ack::Later));
            }
            deliveries.push(async move { (message_id, sink.deliver(event).await) }.boxed());
            Read::Nothing
        }
        Ok(StreamFrame::Other { message_id }) => Read::Answer(ack(&message_id, Ack::Success)),
        Err(error) => {
            tracing::warn!(%error, "an unreadable frame from the DingTalk Stream gateway was ignored");
            Read::Nothing
        }
    }
}

fn ack_of(outcome: EventOutcome) -> Ack {
    match outcome {
        EventOutcome::Done => Ack::Success,
        EventOutcome::Later => Ack::Later,
    }
}
