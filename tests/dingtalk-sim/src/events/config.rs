//! How the simulated Stream gateway and HTTP push behave: lifetimes and delays (DingTalk's own by
//! default, shortened by tests), the ids it stamps on events, and the fault switches of
//! delivery. Plain configuration: `delivery.rs`, `gateway.rs` and `push.rs` apply it.

use std::time::Duration;

/// The Stream gateway's behaviour. `StreamConfig::default()` is DingTalk's as far as known.
/// Replace it with [`crate::FakeDingTalk::set_stream_config`].
#[derive(Debug, Clone, PartialEq)]
pub struct StreamConfig {
    /// How long a ticket from `connections/open` can open its one connection (about 90 s).
    pub ticket_ttl: Duration,
    /// How long after its `disconnect` frame the gateway closes a socket (about 10 s).
    pub disconnect_grace: Duration,
    /// How long an EVENT waits for its `SUCCESS` before it is delivered again; also the wait
    /// after a `LATER`. Not documented by DingTalk.
    pub redelivery_after: Duration,
    /// Pings sent on every open socket at this interval (`None`: only [`crate::FakeDingTalk::ping`]).
    pub ping_interval: Option<Duration>,
    /// A ping not echoed within this time closes its socket abruptly, as a dead peer's would be.
    pub ping_timeout: Duration,
    /// Fault: every event acknowledged with `SUCCESS` is delivered once more (same `eventId`),
    /// as DingTalk warns can happen.
    pub duplicate_after_ack: bool,
    /// Fault: the `data` keys are capitalized as a legacy capture spells them (`UserId`,
    /// `TimeStamp`, `DeptId`).
    pub legacy_key_case: bool,
    /// `eventCorpId` of every event (and `CorpId` of pushes).
    pub corp_id: String,
    /// `eventUnifiedAppId` of every event.
    pub unified_app_id: String,
    /// Seed of the random choice of the socket that gets an event (ids never repeat, whatever
    /// the seed).
    pub seed: u64,
}

impl Default for StreamConfig {
    fn default() -> StreamConfig {
        StreamConfig {
            ticket_ttl: Duration::from_secs(90),
            disconnect_grace: Duration::from_secs(10),
            redelivery_after: Duration::from_secs(5),
            ping_interval: None,
            ping_timeout: Duration::from_secs(10),
            duplicate_after_ack: false,
            legacy_key_case: false,
            corp_id: "dingsimcorp0000000000000000000001".to_owned(),
            unified_app_id: "5e1c5b5e-0000-4000-8000-00000000d1ce".to_owned(),
            seed: 12,
        }
    }
}

/// Where and how the simulator pushes events over HTTP, as an app's event subscription page
/// configures it (HTTP push mode instead of Stream mode).
#[derive(Debug, Clone, PartialEq)]
pub struct PushConfig {
    /// The console's token (3–32 characters): part of every signature.
    pub token: String,
    /// The console's 43-character `aes_key`.
    pub aes_key: String,
    /// What ends every plaintext: the App Key of an internal app.
    pub owner_key: String,
    /// Multiplies DingTalk's retry delays (10 s, 30 s): 1.0 as DingTalk does it, 0.001 in tests.
    pub retry_factor: f64,
    /// How long a push waits for its answer (DingTalk allows about 1.5–2.5 s).
    pub answer_timeout: Duration,
}

impl PushConfig {
    /// The console's `token` and `aes_key` for the app whose App Key is `owner_key`, with
    /// DingTalk's timing.
    pub fn new(token: &str, aes_key: &str, owner_key: &str) -> PushConfig {
        PushConfig {
            token: token.to_owned(),
            aes_key: aes_key.to_owned(),
            owner_key: owner_key.to_owned(),
            retry_factor: 1.0,
            answer_timeout: Duration::from_secs(2),
        }
    }
}
