//! A per-API call-rate limit as DingTalk's and Lark's gateways apply it: at most N accepted calls
//! per API path in any sliding one-second window. Refused calls do not count against the window.
//! O(1) amortized per call and at most N remembered instants per path.

use std::collections::{HashMap, VecDeque};
use std::time::Duration;

use tokio::time::Instant;

const WINDOW: Duration = Duration::from_secs(1);

/// Accepted-call instants per API path.
#[derive(Debug, Default)]
pub struct RateWindow {
    accepted: HashMap<&'static str, VecDeque<Instant>>,
}

impl RateWindow {
    /// Whether a call to `path` at `now` fits under `limit` calls per second; if so it is counted.
    pub fn admit(&mut self, path: &'static str, limit: u32, now: Instant) -> bool {
        let calls = self.accepted.entry(path).or_default();
        while calls
            .front()
            .is_some_and(|&at| now.saturating_duration_since(at) >= WINDOW)
        {
            calls.pop_front();
        }
        let limit = usize::try_from(limit).unwrap_or(usize::MAX);
        // A lowered limit leaves older entries beyond it; drop them so memory stays bounded.
        while calls.len() > limit {
            calls.pop_front();
        }
        if calls.len() < limit {
            calls.push_back(now);
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn admits_the_limit_per_second_per_path() {
        let mut window = RateWindow::default();
        let start = Instant::now();
        for _ in 0..3 {
            assert!(window.admit("/a", 3, start));
        }
        assert!(!window.admit("/a", 3, start + Duration::from_millis(500)));
        assert!(window.admit("/b", 3, start + Duration::from_millis(500)));
        let next_second = start + Duration::from_millis(1000);
        for _ in 0..3 {
            assert!(window.admit("/a", 3, next_second));
        }
        assert!(!window.admit("/a", 3, next_second + Duration::from_millis(999)));
    }
}
