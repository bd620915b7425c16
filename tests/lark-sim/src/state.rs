//! The state a running fake shares between its requests and its owner: the kit's [`SimState`]
//! (tenant snapshot, faults and their dice, tokens, rate window, statistics) for the API
//! [`Lark`], which `server.rs` describes to the kit.

use syncer_sim_kit::SimState;

/// Lark's open platform as the sim kit serves it: the API behind [`crate::FakeLark`].
#[derive(Debug, Clone, Copy)]
pub struct Lark;

/// Everything a running fake shares.
pub(crate) type Shared = SimState<Lark>;
