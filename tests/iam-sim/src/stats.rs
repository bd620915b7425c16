//! What the fake saw: calls and writes per route, `update-user` columns, peak concurrency.
//!
//! Tests assert on these numbers ("a second sync writes nothing", "writes are concurrent
//! but bounded"); nothing here changes how the fake answers.

use std::collections::BTreeMap;

use parking_lot::Mutex;
use syncer_sim_kit::{InFlight, InFlightGauge};

/// One `update-user` call as the client sent it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpdateUserCall {
    /// The `id` query parameter (`org/name`), or `""` when absent.
    pub id: String,
    /// The `columns` query parameter split on `,` (empty when the client sent none).
    pub columns: Vec<String>,
}

/// A snapshot of the fake's counters.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IamStats {
    /// Requests per route name (`"get-users"`, `"add-user"`, ...), whatever the outcome.
    pub calls: BTreeMap<String, u64>,
    /// Requests to write routes (`add-user`, `update-user`, `delete-user`, `add-group`,
    /// `update-group`, `delete-group`), whatever the outcome.
    pub writes: BTreeMap<String, u64>,
    /// Sum of `writes`.
    pub total_writes: u64,
    /// Write requests that answered `data: "Affected"`.
    pub applied_writes: u64,
    /// Every `update-user` request, in arrival order.
    pub update_user_calls: Vec<UpdateUserCall>,
    /// Most requests in flight at once (latency included); after a reset, starts from the
    /// requests still in flight.
    pub max_concurrent: usize,
}

impl IamStats {
    /// Calls seen on `route` (0 when none).
    pub fn calls_to(&self, route: &str) -> u64 {
        self.calls.get(route).copied().unwrap_or(0)
    }

    /// Write requests seen on `route` (0 when none).
    pub fn writes_to(&self, route: &str) -> u64 {
        self.writes.get(route).copied().unwrap_or(0)
    }
}

/// The live counters behind [`IamStats`].
#[derive(Debug, Default)]
pub(crate) struct StatsRecorder {
    counters: Mutex<IamStats>,
    in_flight: InFlightGauge,
}

impl StatsRecorder {
    /// Marks a request as started; keep the guard until it ends.
    pub(crate) fn enter(&self) -> InFlight<'_> {
        self.in_flight.enter()
    }

    pub(crate) fn record_call(&self, route: &str) {
        *self
            .counters
            .lock()
            .calls
            .entry(route.to_string())
            .or_default() += 1;
    }

    /// Requests recorded so far (a per-request nonce).
    pub(crate) fn requests_so_far(&self) -> u64 {
        self.counters.lock().calls.values().sum()
    }

    pub(crate) fn record_write(&self, route: &str) {
        let mut counters = self.counters.lock();
        *counters.writes.entry(route.to_string()).or_default() += 1;
        counters.total_writes += 1;
    }

    pub(crate) fn record_applied(&self) {
        self.counters.lock().applied_writes += 1;
    }

    pub(crate) fn record_update_user(&self, call: UpdateUserCall) {
        self.counters.lock().update_user_calls.push(call);
    }

    pub(crate) fn snapshot(&self) -> IamStats {
        let mut stats = self.counters.lock().clone();
        stats.max_concurrent = usize::try_from(self.in_flight.most()).unwrap_or(usize::MAX);
        stats
    }

    pub(crate) fn reset(&self) {
        *self.counters.lock() = IamStats::default();
        self.in_flight.reset();
    }
}
