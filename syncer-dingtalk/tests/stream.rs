//! DingTalk Stream mode against the simulated gateway over a real WebSocket: `listen` opens a
//! connection with the app's credentials, answers pings, hands every event to the sink and
//! acknowledges it as the sink says (`SUCCESS`, or `LATER` to have it again), keeps answering
//! while a slow delivery is in progress, reconnects with a fresh ticket after `disconnect` and
//! after an abrupt drop, and ends with an error naming the fix when the gateway refuses the
//! credentials.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use syncer_core::{Change, ChangeEvent, ConfigValue, EventOutcome, EventSink, Syncer};
use syncer_dingtalk::settings::APP_KEYS;
use syncer_dingtalk_sim::{
    Credentials, EventStats, FakeDingTalk, Faults, Org, OrgSpec, SimUser, StreamConfig,
};
use syncer_remote::testing;
use tokio::sync::Notify;

const APP_SECRET: &str = "sim-secret-St7eRm";
const APP_KEY: &str = "dingstream0001";
/// Generous bound on any wait: the tests never sleep, they wait for what they expect.
const PATIENCE: Duration = Duration::from_secs(20);

async fn start() -> FakeDingTalk {
    let org = Org::generate(&OrgSpec {
        users: 20,
        departments: 3,
        ..OrgSpec::default()
    });
    let server = FakeDingTalk::start(
        org,
        Credentials::new(APP_KEY, APP_SECRET),
        Faults::default(),
    )
    .await
    .expect("start fake DingTalk");
    server.set_stream_config(StreamConfig {
        redelivery_after: Duration::from_millis(100),
        disconnect_grace: Duration::from_millis(200),
        ..StreamConfig::default()
    });
    server
}

fn syncer(server: &FakeDingTalk, app_secret: &str) -> Arc<dyn Syncer> {
    syncer_via(server, app_secret, &server.stream_endpoint())
}

/// The syncer of the fake's app, opening its connections at `stream_endpoint`.
fn syncer_via(server: &FakeDingTalk, app_secret: &str, stream_endpoint: &str) -> Arc<dyn Syncer> {
    let url = server.url();
    let settings = [
        ("endpoint", url.as_str()),
        ("events", "stream"),
        ("stream_endpoint", stream_endpoint),
    ];
    let retries = ("max_retries", ConfigValue::Integer(1));
    let settings = testing::texts(&settings).chain([retries]);
    let values = testing::app_values(&APP_KEYS, APP_KEY, app_secret, settings);
    Arc::from(testing::registered_syncer(
        syncer_dingtalk::TYPE_NAME,
        values,
    ))
}

/// A sink that records what it is given and answers as told.
struct Recorder {
    events: Mutex<Vec<ChangeEvent>>,
    connections: Mutex<Vec<bool>>,
    /// Ids answered `Later` the first time they come.
    later_once: Mutex<HashSet<String>>,
    /// People whose delivery waits until `release` says true.
    held: Mutex<HashSet<String>>,
    /// Whether held deliveries may go on.
    release: tokio::sync::watch::Sender<bool>,
    received: Notify,
}

#[async_trait::async_trait]
impl EventSink for Recorder {
    async fn deliver(&self, event: ChangeEvent) -> EventOutcome {
        let people = match &event.change {
            Change::People(ids) | Change::Left(ids) => ids.clone(),
            _ => Vec::new(),
        };
        self.events.lock().expect("lock").push(event.clone());
        self.received.notify_waiters();
        let held = {
            let held = self.held.lock().expect("lock");
            people.iter().any(|id| held.contains(id))
        };
        if held {
            let mut released = self.release.subscribe();
            let _ = released.wait_for(|go| *go).await;
        }
        if self.later_once.lock().expect("lock").remove(&event.id) {
            return EventOutcome::Later;
        }
        EventOutcome::Done
    }

    fn connection_changed(&self, connected: bool) {
        self.connections.lock().expect("lock").push(connected);
    }
}

impl Default for Recorder {
    fn default() -> Self {
        Self {
            events: Mutex::default(),
            connections: Mutex::default(),
            later_once: Mutex::default(),
            held: Mutex::default(),
            release: tokio::sync::watch::channel(false).0,
            received: Notify::new(),
        }
    }
}

impl Recorder {
    fn ids(&self) -> Vec<String> {
        self.events
            .lock()
            .expect("lock")
            .iter()
            .map(|event| event.id.clone())
            .collect()
    }
}

/// Runs `listen` in the background until the returned handle is aborted.
fn listen(syncer: &Arc<dyn Syncer>, sink: &Arc<Recorder>) -> tokio::task::JoinHandle<()> {
    let (syncer, sink) = (Arc::clone(syncer), Arc::clone(sink));
    tokio::spawn(async move {
        let ended = syncer.listen(&*sink).await;
        panic!("listen ended while the gateway was working: {ended:?}");
    })
}

/// Waits until the gateway's statistics satisfy `done`.
async fn until(server: &FakeDingTalk, what: &str, done: impl Fn(&EventStats) -> bool) {
    let wait = async {
        while !done(&server.event_stats()) {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    };
    if tokio::time::timeout(PATIENCE, wait).await.is_err() {
        panic!("{what}: {:?}", server.event_stats());
    }
}

fn hire(server: &FakeDingTalk, userid: &str) -> String {
    server.hire(SimUser::new(userid, format!("新人{userid}"), vec![1]))
}

#[tokio::test]
async fn every_event_is_acknowledged_and_pings_are_answered() {
    let server = start().await;
    let sink = Arc::new(Recorder::default());
    let task = listen(&syncer(&server, APP_SECRET), &sink);
    assert!(server.connected(1, PATIENCE).await, "the client connects");
    assert_eq!(server.ping(), 1);
    let hired = hire(&server, "hire01");
    let leaver = server.org().users[0].userid.clone();
    let left = server.leave(&leaver).expect("a member leaves");
    server
        .all_acknowledged(PATIENCE)
        .await
        .expect("every event acknowledged");
    let stats = server.event_stats();
    assert_eq!(stats.acked_success, 2, "{stats:?}");
    assert_eq!(stats.acked_malformed, 0, "{stats:?}");
    assert_eq!(stats.pings_answered, 1, "{stats:?}");
    let events = sink.events.lock().expect("lock").clone();
    let hire_event = events.iter().find(|e| e.id == hired).expect("the hire");
    assert_eq!(hire_event.kind, "user_add_org");
    assert_eq!(hire_event.change, Change::People(vec!["hire01".into()]));
    let leave_event = events.iter().find(|e| e.id == left).expect("the leave");
    assert_eq!(leave_event.change, Change::Left(vec![leaver]));
    assert_eq!(*sink.connections.lock().expect("lock"), vec![true]);
    task.abort();
}

#[tokio::test]
async fn an_event_the_sink_cannot_take_now_is_answered_later_and_comes_again() {
    let server = start().await;
    let sink = Arc::new(Recorder::default());
    let task = listen(&syncer(&server, APP_SECRET), &sink);
    assert!(server.connected(1, PATIENCE).await);
    let id = {
        // Hold the lock so the event cannot be delivered before the sink knows to refuse it.
        let mut later = sink.later_once.lock().expect("lock");
        let id = hire(&server, "hire02");
        later.insert(id.clone());
        id
    };
    server
        .all_acknowledged(PATIENCE)
        .await
        .expect("acknowledged in the end");
    let stats = server.event_stats();
    assert_eq!(stats.acked_later, 1, "{stats:?}");
    assert!(stats.redelivered >= 1, "{stats:?}");
    assert_eq!(stats.acked_success, 1, "{stats:?}");
    let seen = sink.ids().iter().filter(|seen| **seen == id).count();
    assert_eq!(seen, 2, "delivered, refused for now, delivered again");
    task.abort();
}

#[tokio::test]
async fn a_slow_delivery_holds_up_neither_pings_nor_other_events() {
    let server = start().await;
    let sink = Arc::new(Recorder::default());
    sink.held.lock().expect("lock").insert("slow01".to_owned());
    let task = listen(&syncer(&server, APP_SECRET), &sink);
    assert!(server.connected(1, PATIENCE).await);
    let received = sink.received.notified();
    hire(&server, "slow01");
    tokio::time::timeout(PATIENCE, received)
        .await
        .expect("the slow event reached the sink");
    assert_eq!(server.ping(), 1);
    hire(&server, "fast01");
    until(
        &server,
        "the ping and the other event are answered",
        |stats| stats.pings_answered == 1 && stats.acked_success == 1,
    )
    .await;
    sink.release.send_replace(true);
    server
        .all_acknowledged(PATIENCE)
        .await
        .expect("the slow one too");
    assert_eq!(server.event_stats().acked_success, 2);
    task.abort();
}

#[tokio::test]
async fn deliveries_in_progress_are_bounded_and_one_past_the_bound_comes_again_later() {
    let server = start().await;
    let sink = Arc::new(Recorder::default());
    let bound = syncer_dingtalk::stream::session::MAX_DELIVERIES;
    let people: Vec<String> = (0..=bound).map(|n| format!("held{n:03}")).collect();
    sink.held
        .lock()
        .expect("lock")
        .extend(people.iter().cloned());
    let task = listen(&syncer(&server, APP_SECRET), &sink);
    assert!(server.connected(1, PATIENCE).await);
    for person in &people {
        hire(&server, person);
    }
    until(
        &server,
        "the event past the bound answered LATER",
        |stats| stats.acked_later >= 1,
    )
    .await;
    assert_eq!(server.event_stats().acked_success, 0, "all held so far");
    sink.release.send_replace(true);
    server
        .all_acknowledged(PATIENCE)
        .await
        .expect("all of them in the end");
    assert_eq!(server.event_stats().acked_success, people.len() as u64);
    task.abort();
}

#[tokio::test]
async fn a_duplicate_comes_with_the_same_id_and_legacy_key_case_is_read() {
    let server = start().await;
    server.set_stream_config(StreamConfig {
        duplicate_after_ack: true,
        legacy_key_case: true,
        ..server.stream_config()
    });
    let sink = Arc::new(Recorder::default());
    let task = listen(&syncer(&server, APP_SECRET), &sink);
    assert!(server.connected(1, PATIENCE).await);
    let id = hire(&server, "hire05");
    server
        .all_acknowledged(PATIENCE)
        .await
        .expect("the event and its duplicate");
    let events = sink.events.lock().expect("lock").clone();
    let deliveries: Vec<&ChangeEvent> = events.iter().filter(|event| event.id == id).collect();
    assert_eq!(
        deliveries.len(),
        2,
        "delivered, then again after the ack: {events:?}"
    );
    for event in deliveries {
        assert_eq!(
            event.change,
            Change::People(vec!["hire05".into()]),
            "`UserId` read as `userId`"
        );
    }
    task.abort();
}

#[tokio::test]
async fn after_disconnect_a_new_connection_opens_with_a_fresh_ticket() {
    let server = start().await;
    let sink = Arc::new(Recorder::default());
    let task = listen(&syncer(&server, APP_SECRET), &sink);
    assert!(server.connected(1, PATIENCE).await);
    assert_eq!(server.disconnect(), 1);
    until(&server, "a second connection", |stats| {
        stats.connections_opened == 2 && stats.open_connections == 1
    })
    .await;
    hire(&server, "hire03");
    server
        .all_acknowledged(PATIENCE)
        .await
        .expect("delivered on the new connection");
    let stats = server.event_stats();
    assert_eq!(
        stats.tickets_issued, 2,
        "one ticket per connection: {stats:?}"
    );
    assert_eq!(stats.tickets_refused, 0, "no ticket used twice: {stats:?}");
    assert_eq!(stats.pings_answered, 0);
    assert_eq!(
        *sink.connections.lock().expect("lock"),
        vec![true, false, true]
    );
    task.abort();
}

#[tokio::test]
async fn after_an_abrupt_drop_the_client_reconnects() {
    let server = start().await;
    let sink = Arc::new(Recorder::default());
    let task = listen(&syncer(&server, APP_SECRET), &sink);
    assert!(server.connected(1, PATIENCE).await);
    assert_eq!(server.drop_connections(), 1);
    until(&server, "a second connection", |stats| {
        stats.connections_opened == 2 && stats.open_connections == 1
    })
    .await;
    hire(&server, "hire04");
    server
        .all_acknowledged(PATIENCE)
        .await
        .expect("delivered after the drop");
    assert_eq!(server.event_stats().tickets_issued, 2);
    task.abort();
}

/// A gateway in front of the fake's that answers 503 to the first `outage` opens and passes
/// the rest through; its URL.
async fn flaky_gateway(server: &FakeDingTalk, outage: usize) -> String {
    use axum::http::StatusCode;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let upstream = format!("{}/v1.0/gateway/connections/open", server.stream_endpoint());
    let opens = Arc::new(AtomicUsize::new(0));
    let open = move |body: axum::body::Bytes| {
        let (upstream, opens) = (upstream.clone(), Arc::clone(&opens));
        async move {
            if opens.fetch_add(1, Ordering::SeqCst) < outage {
                return (StatusCode::SERVICE_UNAVAILABLE, Vec::new());
            }
            let answer = reqwest::Client::new()
                .post(upstream)
                .header("content-type", "application/json")
                .body(body.to_vec())
                .send()
                .await
                .expect("the fake gateway answers");
            let status = StatusCode::from_u16(answer.status().as_u16()).expect("a status");
            (status, answer.bytes().await.expect("a body").to_vec())
        }
    };
    let app =
        axum::Router::new().route("/v1.0/gateway/connections/open", axum::routing::post(open));
    let url = syncer_remote::loopback::serve(app).await;
    url
}

#[tokio::test]
async fn a_failed_open_is_tried_again_until_the_gateway_answers() {
    let server = start().await;
    // max_retries is 1: two 503s fail one open; the listener waits its backoff and opens again.
    let gateway = flaky_gateway(&server, 2).await;
    let sink = Arc::new(Recorder::default());
    let task = listen(&syncer_via(&server, APP_SECRET, &gateway), &sink);
    assert!(
        server.connected(1, PATIENCE).await,
        "connected after the outage"
    );
    hire(&server, "hire06");
    server.all_acknowledged(PATIENCE).await.expect("delivered");
    assert_eq!(server.event_stats().tickets_issued, 1);
    task.abort();
}

#[tokio::test]
async fn refused_credentials_end_listen_with_the_fix_and_no_secret() {
    let server = start().await;
    let sink = Recorder::default();
    let wrong = "wrong-secret-Zz9";
    let syncer = syncer(&server, wrong);
    let error = tokio::time::timeout(PATIENCE, syncer.listen(&sink))
        .await
        .expect("listen gives up instead of looping")
        .expect_err("the gateway refused the credentials");
    assert_eq!(error.api.as_deref(), Some("/v1.0/gateway/connections/open"));
    assert!(error.message.contains("HTTP 401"), "{error}");
    assert!(error.message.contains("App Secret"), "{error}");
    assert!(!error.message.contains(wrong), "{error}");
    assert_eq!(
        server.event_stats().open_refused,
        1,
        "refused once, not retried"
    );
    assert!(sink.connections.lock().expect("lock").is_empty());
}
