//! The parts every fake server of the tests shares, so that a simulator only describes its API:
//! its paths, envelopes, error codes and data.
//!
//! - [`SimServer`]: bind a loopback port, serve an axum [`Router`](axum::Router) on a spawned
//!   task, stop gracefully (or at once when dropped);
//! - [`Swap`]: state that requests read as a snapshot while the test replaces or edits it;
//! - [`SimFaults`]: the faults every simulator has (latency, gateway failures, rate limit, IP
//!   refusal, token lifetimes, seed), applied by the kit;
//! - [`Dice`]: seeded random faults (a share of calls fails, a gateway's 502/503) and a per-path
//!   call-rate window;
//! - [`TokenStore`]: access tokens handed out, renewed or replaced, and expired by time or calls;
//! - [`CallRecorder`]: calls per path, answers per code, pages served, requests in flight;
//! - [`SimRng`]: the one seeded random generator of every simulator;
//! - [`Ledger`]: deliveries still owed to a client (events, pushes), awaited with a timeout;
//! - [`RetrySchedule`]: a vendor's push retry delays, scaled down for tests;
//! - AES-256-CBC without padding, SHA-1, SHA-256 and hex: what push encryption is built from.
//!
//! [`SimCore`] bundles faults, dice, tokens and statistics the way the directory simulators use
//! them, and [`Sim`] is a whole running simulator of an API described by [`SimApi`], whose own
//! types are named once as [`Parts`]: the owner's side (statistics, faults, org edits, shutdown)
//! is written once, and so is a call's way through it: the gate ([`SimState::admit`]: network,
//! the simulator's own checks, the token) and the counted answer ([`SimState::respond`]), worded
//! by the simulator's [`SimError`]. The kit knows no remote API
//! and nothing of the syncer.
//!
//! ```no_run
//! use axum::{routing::get, Router};
//! use syncer_sim_kit::SimServer;
//!
//! # async fn example() -> std::io::Result<()> {
//! let server = SimServer::start_local("example", Router::new().route("/", get(|| async { "hi" }))).await?;
//! let base = server.url(); // http://127.0.0.1:PORT
//! # let _ = base;
//! server.shutdown().await;
//! # Ok(())
//! # }
//! ```

mod cipher;
mod clock;
mod core;
mod dice;
mod entry;
mod faults;
mod gateway;
mod ledger;
mod org;
mod owner;
mod parts;
mod rate;
mod retry;
mod rng;
mod server;
mod sim;
mod spec;
mod stats;
mod swap;
mod tokens;
mod undelivered;

pub use crate::core::{Refusal, SimCore};
pub use cipher::{aes256_cbc_decrypt, aes256_cbc_encrypt, hex, sha1_hex, sha256, AES_BLOCK};
pub use clock::unix_millis;
pub use dice::Dice;
pub use entry::{Presents, SimError};
pub use faults::{NetworkFaults, SimFaults, TokenFaults};
pub use gateway::{delay, gateway_page};
pub use ledger::{Ledger, Unsettled};
pub use org::{NewDepartment, Org, OrgDepartment, OrgMember};
pub use parts::{Indexed, Parts, SimExtension, SimParts};
pub use rate::RateWindow;
pub use retry::{spawn_until_stopped, RetrySchedule};
pub use rng::{mix64, SimRng};
pub use server::SimServer;
pub use sim::{
    Begun, CredentialsOf, ExtensionOf, FaultsOf, OrgOf, PageOf, ServedOf, Sim, SimApi, SimState,
    StatsOf,
};
pub use spec::{GenerateOrg, OrgExtras, OrgSpec};
pub use stats::{CallRecorder, CallStats, InFlight, InFlightGauge};
pub use swap::Swap;
pub use tokens::{Issued, Reuse, TokenCheck, TokenStore};
pub use undelivered::{push_client, DeliveryError};
