//! Progress of a whole run (fetch, then writes), for a progress bar on a terminal.

use crate::snapshot::FetchProgress;

/// Receives progress of a sync run; every method defaults to nothing.
pub trait SyncProgress: FetchProgress {
    /// The plan is made: `writes` writes will follow.
    fn writes_planned(&self, _writes: usize) {}
    /// One write finished (successfully or not).
    fn write_applied(&self) {}
}

impl SyncProgress for crate::snapshot::NoProgress {}
