//! The reports of this process's runs whose end the history could not take (its database did
//! not answer, as in an outage of the shared state that also cost the run its lease). They are
//! kept so that the run's row, found still `running` once the history answers again, is closed
//! with the run's own report, which says why it ended, rather than as a run whose process died.
//! Knows nothing of the history or the engine.

use std::collections::BTreeMap;

use parking_lot::Mutex;
use syncer_core::SyncReport;

/// The most reports kept: runs cannot start while the history is down, so a handful at most
/// wait here; past this, the oldest is dropped (its row is then closed as interrupted).
const KEPT: usize = 64;

/// Reports waiting for their run's row, by run id.
#[derive(Default)]
pub(super) struct Unrecorded(Mutex<BTreeMap<i64, SyncReport>>);

impl Unrecorded {
    /// Keeps `report`, the end of run `run_id` the history did not take.
    pub(super) fn keep(&self, run_id: i64, report: SyncReport) {
        let mut kept = self.0.lock();
        kept.insert(run_id, report);
        while kept.len() > KEPT {
            kept.pop_first();
        }
    }

    /// The report kept for run `run_id`, if any, no longer kept.
    pub(super) fn take(&self, run_id: i64) -> Option<SyncReport> {
        self.0.lock().remove(&run_id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kept_report_is_taken_once_and_the_oldest_go_past_the_limit() {
        let unrecorded = Unrecorded::default();
        for run_id in 0..=i64::try_from(KEPT).expect("small") {
            unrecorded.keep(run_id, SyncReport::starting("acme-dt", "acme", false));
        }
        assert!(unrecorded.take(0).is_none(), "the oldest was dropped");
        assert!(unrecorded.take(1).is_some());
        assert!(unrecorded.take(1).is_none(), "taken once");
    }
}
