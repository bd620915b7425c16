//! [`Hub`]: how emitted events reach the app. In Stream mode each event goes to ONE open socket
//! that subscribed to events, chosen at random; it waits for its `SUCCESS` and is delivered again
//! (to any socket) when none comes in time or the answer is `LATER`; events emitted while no
//! socket is open wait for the next one. Pings and `disconnect` frames are sent from here too.
//! With an HTTP push target (`push.rs`) events are pushed instead. Locks are short and never
//! held across an `.await`; timers are tasks that end when the simulator stops.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use parking_lot::Mutex;
use serde_json::{Map, Value};
use syncer_sim_kit::{Ledger, SimExtension, SimRng};
use tokio::sync::{mpsc, watch};

use super::config::StreamConfig;
use super::event::{now_ms, Event, KeyCase};
use super::frames::{self, Ack, Reply};
use super::push::PushTarget;
use super::stats::EventStats;
use super::tickets::Tickets;
use crate::state::Shared;

/// What the gateway writes on one socket.
#[derive(Debug)]
pub(crate) enum Outgoing {
    /// A text frame.
    Text(String),
    /// A close frame, then the end of the connection.
    Close,
    /// The end of the connection without a close frame, as a crashed gateway would.
    Drop,
}

#[derive(Debug)]
struct Conn {
    tx: mpsc::UnboundedSender<Outgoing>,
    events: bool,
    closing: bool,
}

/// One delivery of an event: the original, or a duplicate sent after its acknowledgement.
#[derive(Debug, Clone)]
pub(crate) struct Delivery {
    pub(crate) event: Arc<Event>,
    pub(crate) duplicate: bool,
}

impl Delivery {
    /// The ledger's key of this delivery.
    fn key(&self) -> String {
        if self.duplicate {
            format!("{}#duplicate", self.event.event_id)
        } else {
            self.event.event_id.clone()
        }
    }
}

#[derive(Debug)]
enum Pending {
    Event(Delivery),
    Ping { conn: u64, data: String },
    Disconnect,
}

/// The event side of a running simulator: Stream gateway state, push target, statistics. Reached
/// through [`crate::FakeDingTalk`]'s methods; nothing of it is public.
#[derive(Debug)]
pub struct Hub {
    config: Mutex<StreamConfig>,
    /// Which socket gets an event: seeded, restarted by a new config.
    rng: Mutex<SimRng>,
    /// Event, message and ticket ids: never the same twice, across simulators and runs.
    ids: Mutex<SimRng>,
    pub(crate) tickets: Mutex<Tickets>,
    conns: Mutex<BTreeMap<u64, Conn>>,
    next_conn: AtomicU64,
    pending: Mutex<HashMap<String, Pending>>,
    queue: Mutex<VecDeque<Delivery>>,
    pub(crate) push: Mutex<Option<Arc<PushTarget>>>,
    pub(crate) ledger: Ledger,
    stats: Mutex<EventStats>,
    /// Bumped on every change of `stats`, for owners awaiting a figure.
    pub(crate) changed: watch::Sender<u64>,
}

impl Default for Hub {
    fn default() -> Hub {
        let config = StreamConfig::default();
        Hub {
            rng: Mutex::new(SimRng::new(config.seed)),
            ids: Mutex::new(SimRng::unique()),
            config: Mutex::new(config),
            tickets: Mutex::new(Tickets::default()),
            conns: Mutex::new(BTreeMap::new()),
            next_conn: AtomicU64::new(1),
            pending: Mutex::new(HashMap::new()),
            queue: Mutex::new(VecDeque::new()),
            push: Mutex::new(None),
            ledger: Ledger::default(),
            stats: Mutex::new(EventStats::default()),
            changed: watch::Sender::new(0),
        }
    }
}

/// Its sockets, timers and pushes run on the kit's tasks, which end when the simulator stops.
impl SimExtension for Hub {}

/// Runs `after` once `delay` has passed, unless the simulator stops first.
pub(crate) fn after(
    shared: &Arc<Shared>,
    delay: Duration,
    then: impl FnOnce(&Arc<Shared>) + Send + 'static,
) {
    let owner = Arc::clone(shared);
    shared.spawn(async move {
        tokio::time::sleep(delay).await;
        then(&owner);
    });
}

impl Hub {
    /// The gateway's behaviour now.
    pub(crate) fn config(&self) -> StreamConfig {
        self.config.lock().clone()
    }

    /// Replaces the gateway's behaviour and restarts its random choices from the new seed.
    pub(crate) fn set_config(&self, config: StreamConfig) {
        *self.rng.lock() = SimRng::new(config.seed);
        *self.config.lock() = config;
    }

    /// How `data` keys are spelled now.
    pub(crate) fn key_case(&self) -> KeyCase {
        if self.config.lock().legacy_key_case {
            KeyCase::Legacy
        } else {
            KeyCase::Camel
        }
    }

    /// 32 random hex digits (ids, tickets).
    pub(crate) fn random_id(&self) -> String {
        self.ids.lock().hex32()
    }

    /// Draws with the generator itself (nonces, the random bytes of a push).
    pub(crate) fn with_rng<R>(&self, draw: impl FnOnce(&mut SimRng) -> R) -> R {
        draw(&mut self.ids.lock())
    }

    /// Emits an event of `event_type` with `data`: pushed when a push target is set, otherwise
    /// delivered on a socket. Returns its `eventId`.
    pub(crate) fn emit(
        &self,
        shared: &Arc<Shared>,
        event_type: &str,
        born_ms: i64,
        data: Map<String, Value>,
    ) -> String {
        let event = Arc::new(Event {
            event_id: self.random_id(),
            event_type: event_type.to_owned(),
            born_ms,
            data: Value::Object(data),
        });
        self.tally(|s| s.emitted += 1);
        self.ledger.open(event.event_id.clone());
        let push = self.push.lock().clone();
        match push {
            Some(target) => target.spawn(shared, Arc::clone(&event)),
            None => self.deliver(
                shared,
                Delivery {
                    event: Arc::clone(&event),
                    duplicate: false,
                },
            ),
        }
        event.event_id.clone()
    }

    /// Sends `delivery` on one open socket chosen at random, or queues it until one opens.
    pub(crate) fn deliver(&self, shared: &Arc<Shared>, delivery: Delivery) {
        let config = self.config();
        loop {
            let mut conns = self.conns.lock();
            let open: Vec<u64> = conns
                .iter()
                .filter(|(_, c)| c.events && !c.closing)
                .map(|(&id, _)| id)
                .collect();
            let Some(&conn) = self.rng.lock().pick(&open) else {
                drop(conns);
                self.queue.lock().push_back(delivery);
                return;
            };
            let message_id = self.random_id();
            let frame = frames::event_frame(&config, &delivery.event, &message_id, now_ms());
            let sent = conns
                .get(&conn)
                .is_some_and(|c| c.tx.send(Outgoing::Text(frame)).is_ok());
            if !sent {
                conns.remove(&conn);
                continue;
            }
            drop(conns);
            self.pending
                .lock()
                .insert(message_id.clone(), Pending::Event(delivery));
            self.tally(|s| {
                s.delivered += 1;
                *s.delivered_per_connection.entry(conn).or_insert(0) += 1;
            });
            after(shared, config.redelivery_after, move |shared| {
                shared.extension().redeliver_if_pending(shared, &message_id);
            });
            return;
        }
    }

    /// Delivers again what `message_id` sent, when it is still unanswered.
    fn redeliver_if_pending(&self, shared: &Arc<Shared>, message_id: &str) {
        let pending = self.pending.lock().remove(message_id);
        match pending {
            Some(Pending::Event(delivery)) => {
                self.tally(|s| s.redelivered += 1);
                self.deliver(shared, delivery);
            }
            Some(other) => {
                self.pending.lock().insert(message_id.to_owned(), other);
            }
            None => {}
        }
    }

    /// A new socket: numbered, registered, and given the events that waited for one.
    pub(crate) fn register(
        &self,
        shared: &Arc<Shared>,
        events: bool,
    ) -> (u64, mpsc::UnboundedReceiver<Outgoing>) {
        let id = self.next_conn.fetch_add(1, Ordering::Relaxed);
        let (tx, rx) = mpsc::unbounded_channel();
        self.conns.lock().insert(
            id,
            Conn {
                tx,
                events,
                closing: false,
            },
        );
        self.tally(|s| {
            s.connections_opened += 1;
            s.open_connections += 1;
        });
        if events {
            let waiting: Vec<Delivery> = self.queue.lock().drain(..).collect();
            for delivery in waiting {
                self.deliver(shared, delivery);
            }
        }
        (id, rx)
    }

    /// A socket closed; what it had not acknowledged is redelivered by its timers.
    pub(crate) fn unregister(&self, conn: u64) {
        if self.conns.lock().remove(&conn).is_some() {
            self.tally(|s| s.open_connections = s.open_connections.saturating_sub(1));
        }
    }

    /// The numbers of the sockets open now.
    pub(crate) fn connections(&self) -> Vec<u64> {
        self.conns.lock().keys().copied().collect()
    }

    fn send(&self, conn: u64, outgoing: Outgoing) -> bool {
        self.conns
            .lock()
            .get(&conn)
            .is_some_and(|c| c.tx.send(outgoing).is_ok())
    }

    /// Reads a client's frame on socket `conn`: an acknowledgement, a ping's echo, or noise.
    pub(crate) fn on_reply(&self, shared: &Arc<Shared>, text: &str) {
        let Some(reply) = Reply::parse(text) else {
            self.tally(|s| s.unmatched_replies += 1);
            return;
        };
        let pending = self.pending.lock().remove(&reply.message_id);
        match pending {
            Some(Pending::Event(delivery)) => self.on_ack(shared, &reply, delivery),
            Some(Pending::Ping { data, .. }) => {
                let echoed = reply.echoes(&data);
                self.tally(|s| {
                    if echoed {
                        s.pings_answered += 1;
                    } else {
                        s.unmatched_replies += 1;
                    }
                });
            }
            Some(Pending::Disconnect) => {}
            None => self.tally(|s| s.unmatched_replies += 1),
        }
    }

    fn on_ack(&self, shared: &Arc<Shared>, reply: &Reply, delivery: Delivery) {
        match reply.ack() {
            Ack::Success => {
                self.tally(|s| s.acked_success += 1);
                if self.ledger.close(&delivery.key()) && !delivery.duplicate {
                    self.tally(|s| s.acknowledged += 1);
                }
                if !delivery.duplicate && self.config.lock().duplicate_after_ack {
                    let duplicate = Delivery {
                        event: delivery.event,
                        duplicate: true,
                    };
                    self.ledger.open(duplicate.key());
                    self.tally(|s| s.duplicates_sent += 1);
                    self.deliver(shared, duplicate);
                }
            }
            Ack::Later => {
                self.tally(|s| s.acked_later += 1);
                let delay = self.config.lock().redelivery_after;
                after(shared, delay, move |shared| {
                    let hub = shared.extension();
                    hub.tally(|s| s.redelivered += 1);
                    hub.deliver(shared, delivery);
                });
            }
            Ack::Malformed => {
                // Not an acknowledgement: the delivery's timer sends it again.
                self.tally(|s| s.acked_malformed += 1);
                self.pending
                    .lock()
                    .insert(reply.message_id.clone(), Pending::Event(delivery));
            }
        }
    }

    /// Sends a SYSTEM `ping` on every open socket; one not echoed in time is dropped.
    pub(crate) fn ping(&self, shared: &Arc<Shared>) -> usize {
        let conns = self.connections();
        for &conn in &conns {
            self.ping_one(shared, conn);
        }
        conns.len()
    }

    /// Sends a SYSTEM `ping` on socket `conn`.
    pub(crate) fn ping_one(&self, shared: &Arc<Shared>, conn: u64) {
        let message_id = self.random_id();
        let data = frames::ping_data(&self.random_id());
        let raw = data.to_string();
        let frame = frames::system_frame("ping", &message_id, now_ms(), &data);
        self.pending
            .lock()
            .insert(message_id.clone(), Pending::Ping { conn, data: raw });
        if !self.send(conn, Outgoing::Text(frame)) {
            self.pending.lock().remove(&message_id);
            return;
        }
        self.tally(|s| s.pings_sent += 1);
        let timeout = self.config.lock().ping_timeout;
        after(shared, timeout, move |shared| {
            let hub = shared.extension();
            let unanswered = hub.pending.lock().remove(&message_id);
            if let Some(Pending::Ping { conn, .. }) = unanswered {
                hub.tally(|s| s.ping_timeouts += 1);
                hub.send(conn, Outgoing::Drop);
            }
        });
    }

    /// Sends `disconnect` on every open socket and closes each after the grace period; events
    /// go to other (new) sockets from now on.
    pub(crate) fn disconnect(&self, shared: &Arc<Shared>) -> usize {
        let grace = self.config.lock().disconnect_grace;
        let mut told = Vec::new();
        for (&conn, state) in self.conns.lock().iter_mut() {
            if !state.closing {
                state.closing = true;
                told.push(conn);
            }
        }
        for &conn in &told {
            let message_id = self.random_id();
            let data = serde_json::json!({"reason": "the gateway is restarting"});
            let frame = frames::system_frame("disconnect", &message_id, now_ms(), &data);
            self.pending.lock().insert(message_id, Pending::Disconnect);
            if self.send(conn, Outgoing::Text(frame)) {
                self.tally(|s| s.disconnects_sent += 1);
            }
            after(shared, grace, move |shared| {
                shared.extension().send(conn, Outgoing::Close);
            });
        }
        told.len()
    }

    /// Ends every socket at once without a close frame.
    pub(crate) fn drop_connections(&self) -> usize {
        let conns = self.connections();
        for &conn in &conns {
            if self.send(conn, Outgoing::Drop) {
                self.tally(|s| s.connections_dropped += 1);
            }
        }
        conns.len()
    }

    /// The figures now.
    pub(crate) fn stats(&self) -> EventStats {
        self.stats.lock().clone()
    }

    /// Changes the figures and wakes whoever awaits one.
    pub(crate) fn tally(&self, change: impl FnOnce(&mut EventStats)) {
        change(&mut self.stats.lock());
        self.changed.send_modify(|n| *n = n.wrapping_add(1));
    }

    /// Waits, at most `timeout`, until the figures satisfy `until`; false when time ran out.
    pub(crate) async fn stats_until(
        &self,
        timeout: Duration,
        until: impl Fn(&EventStats) -> bool,
    ) -> bool {
        let mut changes = self.changed.subscribe();
        let wait = async {
            loop {
                if until(&self.stats()) {
                    return true;
                }
                if changes.changed().await.is_err() {
                    return false;
                }
            }
        };
        tokio::time::timeout(timeout, wait).await.unwrap_or(false)
    }
}
