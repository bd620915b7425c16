//! The mass-deprovision guard over time: deprovisions made by change events count against the
//! syncer's guard over a rolling window (one `sync_interval`). Events come one at a time, so
//! without a window a storm of leave events would deprovision everyone one person at a time.
//! This is the window in memory, for a caller with one process; `syncer-host` keeps the same
//! count in its state instead, so that restarts and replicas share it.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

/// Deprovisions made by events within the last `window`.
#[derive(Clone, Debug)]
pub struct EventGuardWindow {
    window: Duration,
    made: VecDeque<(Instant, usize)>,
}

impl EventGuardWindow {
    /// An empty window of `window` (the syncer's `sync_interval`).
    pub fn new(window: Duration) -> Self {
        Self {
            window,
            made: VecDeque::new(),
        }
    }

    /// How many deprovisions events made within the window before `now`.
    pub fn recent(&mut self, now: Instant) -> usize {
        while let Some((at, _)) = self.made.front() {
            if now.saturating_duration_since(*at) < self.window {
                break;
            }
            self.made.pop_front();
        }
        self.made.iter().map(|(_, count)| count).sum()
    }

    /// Records `count` deprovisions made at `now`.
    pub fn record(&mut self, now: Instant, count: usize) {
        if count > 0 {
            self.made.push_back((now, count));
        }
    }

    /// Forgets every deprovision: a full sync has just decided about every leaver with its own
    /// guard.
    pub fn reset(&mut self) {
        self.made.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deprovisions_leave_the_window_once_it_has_passed() {
        let start = Instant::now();
        let mut window = EventGuardWindow::new(Duration::from_secs(60));
        window.record(start, 2);
        window.record(start + Duration::from_secs(30), 1);
        assert_eq!(window.recent(start + Duration::from_secs(59)), 3);
        assert_eq!(window.recent(start + Duration::from_secs(60)), 1);
        assert_eq!(window.recent(start + Duration::from_secs(90)), 0);
    }

    #[test]
    fn a_full_sync_starts_the_window_afresh() {
        let now = Instant::now();
        let mut window = EventGuardWindow::new(Duration::from_secs(60));
        window.record(now, 5);
        window.reset();
        assert_eq!(window.recent(now), 0);
    }
}
