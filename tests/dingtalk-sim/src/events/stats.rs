//! What the event side of the simulator observed: events emitted, Stream deliveries and their
//! acknowledgements, connections and tickets, pings, and HTTP pushes with their answers. A test
//! asserts on these ("a duplicate cost no second acknowledgement", "the push was retried").

use std::collections::BTreeMap;

/// Figures of the Stream gateway and HTTP push since start.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EventStats {
    /// Events emitted by directory changes and `emit_*` calls.
    pub emitted: u64,
    /// Emitted events acknowledged with `SUCCESS` (first acknowledgement of each; over HTTP push,
    /// answered with the encrypted `success`).
    pub acknowledged: u64,
    /// EVENT frames sent on sockets, redeliveries and duplicates included.
    pub delivered: u64,
    /// EVENT frames answered `SUCCESS` (each delivery counted).
    pub acked_success: u64,
    /// EVENT frames answered `LATER`.
    pub acked_later: u64,
    /// Answers to an EVENT that were neither `SUCCESS` nor `LATER`, or not JSON.
    pub acked_malformed: u64,
    /// Deliveries of an event again because it was not acknowledged or answered `LATER`.
    pub redelivered: u64,
    /// Deliveries of an already acknowledged event (the `duplicate_after_ack` fault).
    pub duplicates_sent: u64,
    /// EVENT frames sent per connection (connections numbered from 1 in opening order).
    pub delivered_per_connection: BTreeMap<u64, u64>,
    /// Sockets open now.
    pub open_connections: u64,
    /// Sockets opened since start.
    pub connections_opened: u64,
    /// `connections/open` calls answered with a ticket.
    pub tickets_issued: u64,
    /// `connections/open` calls refused (wrong clientId/clientSecret or a malformed body).
    pub open_refused: u64,
    /// WebSocket handshakes refused for an unknown, used or expired ticket.
    pub tickets_refused: u64,
    /// SYSTEM `ping` frames sent.
    pub pings_sent: u64,
    /// Pings echoed correctly (code 200, same messageId, same data).
    pub pings_answered: u64,
    /// Sockets closed because a ping was not echoed in time.
    pub ping_timeouts: u64,
    /// SYSTEM `disconnect` frames sent.
    pub disconnects_sent: u64,
    /// Sockets dropped abruptly (no close frame), by [`crate::FakeDingTalk::drop_connections`].
    pub connections_dropped: u64,
    /// Frames from a client that answered no message the gateway sent.
    pub unmatched_replies: u64,
    /// HTTP push figures.
    pub push: PushStats,
}

/// HTTP push figures.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PushStats {
    /// Push requests sent (retries and `check_url` included).
    pub sent: u64,
    /// Pushes answered with a correctly signed, encrypted `success`.
    pub answered_success: u64,
    /// Pushes refused: a non-200 answer, no answer in time, or an answer that is not a valid
    /// encrypted `success`.
    pub refused: u64,
    /// Pushes sent again after a refusal.
    pub retried: u64,
    /// Events given up after the last retry.
    pub failed: u64,
}
