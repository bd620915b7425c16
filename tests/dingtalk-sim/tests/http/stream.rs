//! The Stream gateway over a real WebSocket: tickets, EVENT frames and their acknowledgement,
//! redelivery, several sockets, duplicates, pings, `disconnect`, a dropped socket.

use std::time::Duration;

use futures::{SinkExt, StreamExt};
use serde_json::{json, Value};
use syncer_dingtalk_sim::{
    event_types, paths, Credentials, FakeDingTalk, Faults, Org, SimUser, StreamConfig,
};
use tokio_tungstenite::tungstenite::Message;

use crate::client::Sim;

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

const WAIT: Duration = Duration::from_secs(10);

async fn sim_with(config: StreamConfig) -> Sim {
    let mut org = Org::empty("流式公司");
    org.add_user(SimUser::new("u1", "张伟", vec![1]));
    let sim = Sim::start(org, Faults::default()).await;
    sim.server.set_stream_config(config);
    sim
}

/// Short delays, redelivery included: for tests of redelivery.
fn fast() -> StreamConfig {
    StreamConfig {
        redelivery_after: Duration::from_millis(50),
        ..patient()
    }
}

/// Short delays but a redelivery far beyond any test, so a slow machine cannot cause one.
fn patient() -> StreamConfig {
    StreamConfig {
        redelivery_after: Duration::from_secs(60),
        disconnect_grace: Duration::from_millis(50),
        ping_timeout: Duration::from_secs(60),
        ..StreamConfig::default()
    }
}

/// `connections/open` with these credentials: HTTP status and body.
async fn open_with(server: &FakeDingTalk, id: &str, secret: &str) -> (u16, Value) {
    open_subscribed(server, id, secret, json!([{"type": "EVENT", "topic": "*"}])).await
}

/// `connections/open` with these credentials and subscriptions.
async fn open_subscribed(
    server: &FakeDingTalk,
    id: &str,
    secret: &str,
    subscriptions: Value,
) -> (u16, Value) {
    let url = format!("{}{}", server.stream_endpoint(), paths::GATEWAY_OPEN);
    let response = reqwest::Client::new()
        .post(url)
        .json(&json!({
            "clientId": id, "clientSecret": secret,
            "subscriptions": subscriptions,
            "ua": "sim-test", "localIp": "127.0.0.1",
        }))
        .send()
        .await
        .expect("connections/open answers");
    let status = response.status().as_u16();
    (status, response.json().await.expect("JSON"))
}

async fn ticket(server: &FakeDingTalk) -> (String, String) {
    let demo = Credentials::demo();
    let (status, body) = open_with(server, &demo.app_key, &demo.app_secret).await;
    assert_eq!(status, 200, "{body}");
    let endpoint = body["endpoint"].as_str().expect("endpoint").to_owned();
    (
        endpoint,
        body["ticket"].as_str().expect("ticket").to_owned(),
    )
}

async fn connect(server: &FakeDingTalk) -> Socket {
    let (endpoint, ticket) = ticket(server).await;
    let (socket, _) = tokio_tungstenite::connect_async(format!("{endpoint}?ticket={ticket}"))
        .await
        .expect("the ticket opens a socket");
    socket
}

/// The next text frame, parsed.
async fn next_frame(socket: &mut Socket) -> Value {
    loop {
        let message = tokio::time::timeout(WAIT, socket.next())
            .await
            .expect("a frame in time")
            .expect("the socket is open")
            .expect("a frame");
        if let Message::Text(text) = message {
            return serde_json::from_str(text.as_str()).expect("frames are JSON");
        }
    }
}

async fn answer(socket: &mut Socket, frame: &Value, code: i64, data: String) {
    let reply = json!({
        "code": code,
        "headers": {"contentType": "application/json", "messageId": frame["headers"]["messageId"]},
        "message": "OK",
        "data": data,
    });
    socket
        .send(Message::Text(reply.to_string().into()))
        .await
        .expect("the answer is sent");
}

async fn ack(socket: &mut Socket, frame: &Value, status: &str) {
    let data = json!({"status": status, "message": "x"}).to_string();
    let code = if status == "SUCCESS" { 200 } else { 500 };
    answer(socket, frame, code, data).await;
}

fn data(frame: &Value) -> Value {
    serde_json::from_str(frame["data"].as_str().expect("data is a string")).expect("data is JSON")
}

#[tokio::test]
async fn wrong_credentials_are_refused_like_api_dingtalk_com() {
    let sim = sim_with(patient()).await;
    let (status, body) = open_with(&sim.server, &Credentials::demo().app_key, "wrong").await;
    assert_eq!(status, 401);
    assert_eq!(body["code"], "authFailed");
    assert!(
        body["message"].is_string() && body["requestid"].is_string(),
        "{body}"
    );
    let stats = sim.server.event_stats();
    assert_eq!((stats.open_refused, stats.tickets_issued), (1, 0));
}

#[tokio::test]
async fn a_ticket_opens_one_socket_once_and_not_after_it_expires() {
    let sim = sim_with(patient()).await;
    let (endpoint, ticket) = ticket(&sim.server).await;
    assert!(endpoint.starts_with("ws://127.0.0.1:"), "{endpoint}");
    let url = format!("{endpoint}?ticket={ticket}");
    let _socket = tokio_tungstenite::connect_async(&url)
        .await
        .expect("first use opens");
    assert!(
        tokio_tungstenite::connect_async(&url).await.is_err(),
        "a used ticket is refused"
    );
    let unknown = format!("{endpoint}?ticket=nope");
    assert!(tokio_tungstenite::connect_async(&unknown).await.is_err());
    sim.server.set_stream_config(StreamConfig {
        ticket_ttl: Duration::ZERO,
        ..patient()
    });
    let (_, expired) = self::ticket(&sim.server).await;
    let expired = format!("{endpoint}?ticket={expired}");
    assert!(tokio_tungstenite::connect_async(&expired).await.is_err());
    let stats = sim.server.event_stats();
    assert_eq!((stats.tickets_issued, stats.tickets_refused), (2, 3));
    assert_eq!(stats.connections_opened, 1);
}

#[tokio::test]
async fn a_hire_arrives_as_an_event_frame_and_is_acknowledged() {
    let sim = sim_with(patient()).await;
    let mut socket = connect(&sim.server).await;
    let event_id = sim.server.hire(SimUser::new("u2", "王芳", vec![1]));
    let frame = next_frame(&mut socket).await;
    assert_eq!(frame["specVersion"], "1.0");
    assert_eq!(frame["type"], "EVENT");
    let headers = &frame["headers"];
    assert_eq!(headers["eventType"], event_types::USER_ADD_ORG);
    assert_eq!(headers["eventId"], event_id.as_str());
    for key in [
        "topic",
        "contentType",
        "messageId",
        "time",
        "eventCorpId",
        "eventBornTime",
        "eventUnifiedAppId",
    ] {
        assert!(headers[key].is_string(), "{key} in {headers}");
    }
    assert_eq!(data(&frame)["userId"], json!(["u2"]));
    ack(&mut socket, &frame, "SUCCESS").await;
    sim.server
        .all_acknowledged(WAIT)
        .await
        .expect("acknowledged");
    let token = sim.token().await;
    let user = sim
        .post(paths::USER_GET, &token, json!({"userid": "u2"}))
        .await;
    assert_eq!(user["result"]["dept_id_list"], json!([1]), "{user}");
    let stats = sim.server.event_stats();
    assert_eq!(
        (stats.emitted, stats.acknowledged, stats.redelivered),
        (1, 1, 0)
    );
}

#[tokio::test]
async fn a_leaver_is_gone_from_user_get_and_a_modification_says_what_changed() {
    let sim = sim_with(patient()).await;
    let mut socket = connect(&sim.server).await;
    sim.server
        .modify("u1", |u| u.name = "张伟伟".into())
        .expect("u1 exists");
    let frame = next_frame(&mut socket).await;
    assert_eq!(frame["headers"]["eventType"], event_types::USER_MODIFY_ORG);
    assert_eq!(data(&frame)["diffInfo"][0]["curr"]["name"], "张伟伟");
    ack(&mut socket, &frame, "SUCCESS").await;
    sim.server.leave("u1").expect("u1 exists");
    let frame = next_frame(&mut socket).await;
    assert_eq!(frame["headers"]["eventType"], event_types::USER_LEAVE_ORG);
    ack(&mut socket, &frame, "SUCCESS").await;
    let token = sim.token().await;
    let gone = sim
        .post(paths::USER_GET, &token, json!({"userid": "u1"}))
        .await;
    assert_eq!(gone["errcode"], 60121, "{gone}");
    assert_eq!(sim.server.stats().user_not_found, 1);
    sim.server.emit_stale_leave("u9");
    let frame = next_frame(&mut socket).await;
    assert_eq!(data(&frame)["userId"], json!(["u9"]));
}

#[tokio::test]
async fn an_unacknowledged_or_later_event_is_delivered_again_with_its_event_id() {
    let sim = sim_with(fast()).await;
    let mut socket = connect(&sim.server).await;
    let (dept, _) = sim
        .server
        .create_department(1, "新部门")
        .expect("root exists");
    let first = next_frame(&mut socket).await;
    assert_eq!(data(&first)["deptId"], json!([dept]));
    let again = next_frame(&mut socket).await;
    assert_eq!(again["headers"]["eventId"], first["headers"]["eventId"]);
    assert_ne!(again["headers"]["messageId"], first["headers"]["messageId"]);
    ack(&mut socket, &again, "LATER").await;
    let third = next_frame(&mut socket).await;
    assert_eq!(third["headers"]["eventId"], first["headers"]["eventId"]);
    ack(&mut socket, &third, "SUCCESS").await;
    sim.server
        .all_acknowledged(WAIT)
        .await
        .expect("acknowledged");
    let stats = sim.server.event_stats();
    assert_eq!((stats.acked_later, stats.acked_success), (1, 1));
    assert!(stats.redelivered >= 2, "{stats:?}");
}

#[tokio::test]
async fn each_event_goes_to_one_of_several_sockets() {
    let sim = sim_with(patient()).await;
    let mut a = connect(&sim.server).await;
    let mut b = connect(&sim.server).await;
    assert!(sim.server.connected(2, WAIT).await);
    for n in 0..20 {
        sim.server.emit_raw("label_user_change", json!({"n": n}));
    }
    let mut seen = 0;
    let (mut on_a, mut on_b) = (0, 0);
    while seen < 20 {
        tokio::select! {
            frame = next_frame(&mut a) => { ack(&mut a, &frame, "SUCCESS").await; on_a += 1; }
            frame = next_frame(&mut b) => { ack(&mut b, &frame, "SUCCESS").await; on_b += 1; }
        }
        seen += 1;
    }
    sim.server
        .all_acknowledged(WAIT)
        .await
        .expect("acknowledged");
    assert!(on_a > 0 && on_b > 0, "{on_a} and {on_b}");
    let stats = sim.server.event_stats();
    assert_eq!(stats.delivered, 20, "each event delivered once");
    assert_eq!(stats.delivered_per_connection.values().sum::<u64>(), 20);
}

#[tokio::test]
async fn the_duplicate_fault_sends_an_acknowledged_event_again() {
    let sim = sim_with(StreamConfig {
        duplicate_after_ack: true,
        ..patient()
    })
    .await;
    let mut socket = connect(&sim.server).await;
    sim.server
        .rename_department(1, "新名字")
        .expect("the root exists");
    let first = next_frame(&mut socket).await;
    ack(&mut socket, &first, "SUCCESS").await;
    let duplicate = next_frame(&mut socket).await;
    assert_eq!(duplicate["headers"]["eventId"], first["headers"]["eventId"]);
    ack(&mut socket, &duplicate, "SUCCESS").await;
    sim.server
        .all_acknowledged(WAIT)
        .await
        .expect("acknowledged");
    let stats = sim.server.event_stats();
    assert_eq!(
        (
            stats.acknowledged,
            stats.duplicates_sent,
            stats.acked_success
        ),
        (1, 1, 2)
    );
}

#[tokio::test]
async fn a_ping_must_be_echoed_or_the_socket_is_dropped() {
    let sim = sim_with(patient()).await;
    let mut socket = connect(&sim.server).await;
    assert!(sim.server.connected(1, WAIT).await);
    assert_eq!(sim.server.ping(), 1);
    let ping = next_frame(&mut socket).await;
    assert_eq!(
        (ping["type"].as_str(), ping["headers"]["topic"].as_str()),
        (Some("SYSTEM"), Some("ping"))
    );
    let data = ping["data"].as_str().expect("data").to_owned();
    answer(&mut socket, &ping, 200, data).await;
    assert!(
        sim.server
            .events_until(WAIT, |s| s.pings_answered == 1)
            .await
    );
    sim.server.set_stream_config(StreamConfig {
        ping_timeout: Duration::from_millis(20),
        ..patient()
    });
    assert_eq!(sim.server.ping(), 1);
    let _unanswered = next_frame(&mut socket).await;
    let end = tokio::time::timeout(WAIT, socket.next())
        .await
        .expect("the socket ends");
    assert!(
        !matches!(end, Some(Ok(Message::Close(_)))),
        "dropped without a close frame: {end:?}"
    );
    let stats = sim.server.event_stats();
    assert_eq!(
        (stats.pings_sent, stats.pings_answered, stats.ping_timeouts),
        (2, 1, 1)
    );
}

#[tokio::test]
async fn disconnect_is_announced_then_the_socket_closes_and_events_wait_for_the_next() {
    let sim = sim_with(patient()).await;
    let mut socket = connect(&sim.server).await;
    assert!(sim.server.connected(1, WAIT).await);
    assert_eq!(sim.server.disconnect(), 1);
    let notice = next_frame(&mut socket).await;
    assert_eq!(notice["headers"]["topic"], "disconnect");
    let end = tokio::time::timeout(WAIT, socket.next())
        .await
        .expect("the socket ends");
    assert!(matches!(end, Some(Ok(Message::Close(_))) | None), "{end:?}");
    sim.server.hire(SimUser::new("u3", "李娜", vec![1]));
    let mut next = connect(&sim.server).await;
    let frame = next_frame(&mut next).await;
    assert_eq!(data(&frame)["userId"], json!(["u3"]));
    ack(&mut next, &frame, "SUCCESS").await;
    sim.server
        .all_acknowledged(WAIT)
        .await
        .expect("acknowledged");
}

#[tokio::test]
async fn a_dropped_socket_ends_without_a_close_frame_and_its_event_comes_again() {
    let sim = sim_with(fast()).await;
    let mut socket = connect(&sim.server).await;
    sim.server.reactivate("u1").expect("u1 exists");
    let frame = next_frame(&mut socket).await;
    assert_eq!(frame["headers"]["eventType"], event_types::USER_ACTIVE_ORG);
    assert_eq!(sim.server.drop_connections(), 1);
    let end = tokio::time::timeout(WAIT, socket.next())
        .await
        .expect("the socket ends");
    assert!(!matches!(end, Some(Ok(Message::Close(_)))), "{end:?}");
    let mut next = connect(&sim.server).await;
    let again = next_frame(&mut next).await;
    assert_eq!(again["headers"]["eventId"], frame["headers"]["eventId"]);
    ack(&mut next, &again, "SUCCESS").await;
    sim.server
        .all_acknowledged(WAIT)
        .await
        .expect("acknowledged");
}

#[tokio::test]
async fn a_socket_that_did_not_subscribe_to_events_gets_none() {
    let sim = sim_with(patient()).await;
    let demo = Credentials::demo();
    let callbacks_only = json!([{"type": "CALLBACK", "topic": "/v1.0/im/bot/messages/get"}]);
    let (_, body) =
        open_subscribed(&sim.server, &demo.app_key, &demo.app_secret, callbacks_only).await;
    let url = format!(
        "{}?ticket={}",
        body["endpoint"].as_str().expect("endpoint"),
        body["ticket"].as_str().expect("ticket")
    );
    let (_quiet, _) = tokio_tungstenite::connect_async(url).await.expect("opens");
    assert!(sim.server.connected(1, WAIT).await);
    sim.server.hire(SimUser::new("u4", "赵敏", vec![1]));
    let stats = sim.server.event_stats();
    assert_eq!(
        (stats.emitted, stats.delivered),
        (1, 0),
        "the event waits for a subscriber"
    );
    let mut subscriber = connect(&sim.server).await;
    let frame = next_frame(&mut subscriber).await;
    assert_eq!(data(&frame)["userId"], json!(["u4"]));
}

#[tokio::test]
async fn the_legacy_key_case_fault_capitalizes_the_data_keys() {
    let sim = sim_with(StreamConfig {
        legacy_key_case: true,
        ..patient()
    })
    .await;
    let mut socket = connect(&sim.server).await;
    sim.server.leave("u1").expect("u1 exists");
    let frame = next_frame(&mut socket).await;
    let data = data(&frame);
    assert_eq!(data["UserId"], json!(["u1"]));
    assert!(
        data["TimeStamp"].is_string() && data.get("userId").is_none(),
        "{data}"
    );
}

#[tokio::test]
async fn event_ids_never_repeat_across_simulators() {
    let (a, b) = (sim_with(patient()).await, sim_with(patient()).await);
    let first = a.server.emit_raw("x", json!({}));
    let second = b.server.emit_raw("x", json!({}));
    assert_ne!(first, second);
}

#[tokio::test]
async fn pings_come_on_their_own_at_the_configured_interval() {
    let sim = sim_with(StreamConfig {
        ping_interval: Some(Duration::from_millis(20)),
        ..patient()
    })
    .await;
    let mut socket = connect(&sim.server).await;
    for _ in 0..2 {
        let ping = next_frame(&mut socket).await;
        assert_eq!(ping["headers"]["topic"], "ping");
        let data = ping["data"].as_str().expect("data").to_owned();
        answer(&mut socket, &ping, 200, data).await;
    }
    assert!(
        sim.server
            .events_until(WAIT, |s| s.pings_answered >= 2)
            .await
    );
    assert_eq!(sim.server.event_stats().ping_timeouts, 0);
}
