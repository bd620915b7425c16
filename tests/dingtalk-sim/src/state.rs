//! The state a running simulator shares between its requests and its owner: the kit's
//! [`SimState`] (org snapshot, faults and their dice, tokens, rate window, statistics) for the
//! API [`DingTalk`], which `server.rs` describes to the kit.

use syncer_sim_kit::SimState;

/// DingTalk's oapi as the sim kit serves it: the API behind [`crate::FakeDingTalk`].
/// Its kit extension is the event hub (Stream gateway and HTTP push).
#[derive(Debug, Clone, Copy)]
pub struct DingTalk;

/// Everything a running simulator shares.
pub(crate) type Shared = SimState<DingTalk>;
