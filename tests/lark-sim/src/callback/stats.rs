//! What the callback sender observed: events emitted, callbacks sent and how they were
//! answered, retries, and events given up.

/// Callback figures since start.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CallbackStats {
    /// Events emitted by tenant changes and `emit_raw`.
    pub emitted: u64,
    /// Callback requests sent (retries and URL checks included).
    pub sent: u64,
    /// Events answered with HTTP 200 in time (each event once).
    pub acknowledged: u64,
    /// Requests not answered with HTTP 200 in time (or a URL check answered wrongly).
    pub refused: u64,
    /// Requests sent again after a refusal.
    pub retried: u64,
    /// Events given up after the last retry.
    pub failed: u64,
    /// Acknowledged events sent once more (`duplicate_after_ack`).
    pub duplicates: u64,
}
