//! The Stream gateway's HTTP side: `POST /v1.0/gateway/connections/open` checks the app's
//! clientId/clientSecret (a wrong pair answers HTTP 401 `{"code": "authFailed", ...}` as
//! api.dingtalk.com does) and hands out an endpoint and a one-time ticket; `GET /connect?ticket=`
//! upgrades to the WebSocket when the ticket is good, and then runs the socket: frames out from
//! the hub, the client's answers in, periodic pings.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use futures::{SinkExt, StreamExt};
use serde_json::{json, Value};

use super::delivery::Outgoing;
use super::tickets::TicketRefusal;
use crate::paths;
use crate::state::Shared;

/// An api.dingtalk.com error: HTTP `status` and `{"requestid", "code", "message"}`.
fn api_error(shared: &Shared, status: StatusCode, code: &str, message: &str) -> Response {
    let body = json!({
        "requestid": shared.next_request_id(),
        "code": code,
        "message": message,
    });
    (status, Json(body)).into_response()
}

/// `POST /v1.0/gateway/connections/open`.
pub(crate) async fn open(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let stats = shared.core().stats();
    let _in_flight = stats.begin(paths::GATEWAY_OPEN);
    let hub = shared.extension();
    let refuse = |status, code, message| {
        hub.tally(|s| s.open_refused += 1);
        stats.answered(i64::from(u16::from(status)), 0, None);
        api_error(&shared, status, code, message)
    };
    if let Some((used, quota)) = crate::quota::exceeded(&shared, &shared.faults()) {
        let message = crate::quota::new_style_message(used, quota);
        return refuse(
            StatusCode::FORBIDDEN,
            crate::quota::NEW_STYLE_CODE,
            &message,
        );
    }
    let Ok(request) = serde_json::from_slice::<Value>(&body) else {
        return refuse(
            StatusCode::BAD_REQUEST,
            "InvalidParameter",
            "请求体不是合法的JSON",
        );
    };
    let text = |name: &str| request.get(name).and_then(Value::as_str).unwrap_or("");
    let (client_id, client_secret) = (text("clientId"), text("clientSecret"));
    if client_id.is_empty() || client_secret.is_empty() {
        return refuse(
            StatusCode::BAD_REQUEST,
            "MissingParameter",
            "缺少参数clientId或clientSecret",
        );
    }
    let credentials = shared.credentials();
    if client_id != credentials.app_key || client_secret != credentials.app_secret {
        return refuse(StatusCode::UNAUTHORIZED, "authFailed", "鉴权失败");
    }
    let events = request
        .get("subscriptions")
        .and_then(Value::as_array)
        .is_some_and(|subs| {
            subs.iter()
                .any(|s| s.get("type").and_then(Value::as_str) == Some("EVENT"))
        });
    let ticket = hub.random_id();
    let ttl = hub.config().ticket_ttl;
    hub.tickets.lock().issue(ticket.clone(), ttl, events);
    hub.tally(|s| s.tickets_issued += 1);
    stats.answered(0, 0, None);
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("127.0.0.1");
    Json(json!({
        "endpoint": format!("ws://{host}{}", paths::GATEWAY_CONNECT),
        "ticket": ticket,
    }))
    .into_response()
}

/// `GET /connect?ticket=`: the WebSocket, for a ticket not yet used nor expired.
pub(crate) async fn connect(
    State(shared): State<Arc<Shared>>,
    Query(query): Query<HashMap<String, String>>,
    upgrade: WebSocketUpgrade,
) -> Response {
    let hub = shared.extension();
    let events = match hub
        .tickets
        .lock()
        .redeem(query.get("ticket").map(String::as_str))
    {
        Ok(events) => events,
        Err(refusal) => {
            hub.tally(|s| s.tickets_refused += 1);
            let message = match refusal {
                TicketRefusal::Unknown => "ticket不存在",
                TicketRefusal::Used => "ticket已被使用",
                TicketRefusal::Expired => "ticket已过期",
            };
            return api_error(&shared, StatusCode::UNAUTHORIZED, "InvalidTicket", message);
        }
    };
    upgrade.on_upgrade(move |socket| run(shared, socket, events))
}

/// One socket, until either side ends it or the simulator stops.
async fn run(shared: Arc<Shared>, socket: WebSocket, events: bool) {
    let hub = shared.extension();
    let (conn, mut outgoing) = hub.register(&shared, events);
    let (mut sink, mut incoming) = socket.split();
    let stop = shared.stopping().clone();
    let ping_every = hub.config().ping_interval;
    let mut pings = ping_every.map(|every| {
        let mut interval = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        interval
    });
    loop {
        let ping_due = async {
            match pings.as_mut() {
                Some(interval) => {
                    interval.tick().await;
                }
                None => std::future::pending::<()>().await,
            }
        };
        tokio::select! {
            () = stop.cancelled() => break,
            () = ping_due => hub.ping_one(&shared, conn),
            out = outgoing.recv() => match out {
                Some(Outgoing::Text(text)) => {
                    if sink.send(Message::Text(text.into())).await.is_err() {
                        break;
                    }
                }
                Some(Outgoing::Close) => {
                    let _ = sink.send(Message::Close(None)).await;
                    break;
                }
                Some(Outgoing::Drop) | None => break,
            },
            message = incoming.next() => match message {
                Some(Ok(Message::Text(text))) => hub.on_reply(&shared, text.as_str()),
                Some(Ok(Message::Binary(_) | Message::Ping(_) | Message::Pong(_))) => {}
                Some(Ok(Message::Close(_)) | Err(_)) | None => break,
            },
        }
    }
    hub.unregister(conn);
}
