//! DingTalk's change events, as an internal app receives them: the Stream gateway (outbound
//! WebSocket with tickets, EVENT frames acknowledged on the socket, pings, `disconnect`,
//! redelivery, one random socket per event, duplicates) and HTTP push (the real callback crypto,
//! retries). Written from DingTalk's protocol description, not from any client.
//!
//! One job per module: `event` (what an event is), `config` (how the gateway behaves),
//! `tickets`, `frames`, `gateway` (the HTTP and WebSocket side), `delivery` (which socket, what
//! is still unacknowledged), `crypto` and `push` (HTTP push), `stats`.

mod config;
mod crypto;
mod delivery;
mod event;
mod frames;
mod gateway;
mod push;
mod stats;
mod tickets;

pub use config::{PushConfig, StreamConfig};
pub use event::types;
pub use push::PushError;
pub use stats::{EventStats, PushStats};

pub use delivery::Hub;
pub(crate) use event::{dept_data, now_ms, user_data};
pub(crate) use gateway::{connect, open};
pub(crate) use push::PushTarget;
