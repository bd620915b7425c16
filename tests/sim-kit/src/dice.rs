//! The seeded chance behind random faults: whether this call is one of the share that fails, which
//! status a failing gateway answers, and the per-path call-rate window. One generator per server,
//! restarted from the faults' seed whenever the faults are replaced, so a run is reproducible.
//! Beside the chance, the counts behind faults that strike every Nth call, whatever the timing
//! and the order of the calls, restarted with the generator.

use std::collections::BTreeMap;

use axum::http::StatusCode;
use parking_lot::Mutex;
use tokio::time::Instant;

use crate::rate::RateWindow;
use crate::rng::SimRng;

/// Seeded rolls and the call-rate window of one running simulator.
#[derive(Debug)]
pub struct Dice {
    rng: Mutex<SimRng>,
    rate: Mutex<RateWindow>,
    /// Calls counted by each counted fault since the faults were set.
    counts: Mutex<BTreeMap<&'static str, u64>>,
}

impl Dice {
    /// Dice whose rolls `seed` fixes.
    pub fn new(seed: u64) -> Dice {
        Dice {
            rng: Mutex::new(SimRng::new(seed)),
            rate: Mutex::new(RateWindow::default()),
            counts: Mutex::new(BTreeMap::new()),
        }
    }

    /// Restarts the generator from `seed`, and the counted faults from zero (the rate window
    /// keeps its calls).
    pub fn reseed(&self, seed: u64) {
        *self.rng.lock() = SimRng::new(seed);
        self.counts.lock().clear();
    }

    /// Counts one more call of the counted fault `fault` and says whether it is the `nth`, the
    /// `2 × nth`, ... (`None` or 0: never, and the call is not counted).
    pub fn every(&self, fault: &'static str, nth: Option<u64>) -> bool {
        let Some(nth) = nth.filter(|nth| *nth > 0) else {
            return false;
        };
        let mut counts = self.counts.lock();
        let count = counts.entry(fault).or_insert(0);
        *count += 1;
        count.is_multiple_of(nth)
    }

    /// True with probability `rate` (never draws for 0, always true from 1).
    pub fn roll(&self, rate: f64) -> bool {
        rate > 0.0 && self.rng.lock().chance(rate)
    }

    /// With probability `rate`, the status a failing gateway answers: 502 or 503, evenly.
    pub fn gateway_failure(&self, rate: f64) -> Option<StatusCode> {
        if !self.roll(rate) {
            return None;
        }
        Some(if self.roll(0.5) {
            StatusCode::BAD_GATEWAY
        } else {
            StatusCode::SERVICE_UNAVAILABLE
        })
    }

    /// Whether one more call to `path` fits under `limit` calls per second (it is counted if so).
    pub fn admit_rate(&self, path: &'static str, limit: u32) -> bool {
        self.rate.lock().admit(path, limit, Instant::now())
    }

    /// Draws with the generator itself (token strings, ids).
    pub fn with_rng<R>(&self, draw: impl FnOnce(&mut SimRng) -> R) -> R {
        draw(&mut self.rng.lock())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rolls_repeat_after_a_reseed_and_the_extremes_never_draw() {
        let dice = Dice::new(3);
        let first: Vec<bool> = (0..64).map(|_| dice.roll(0.5)).collect();
        dice.reseed(3);
        let again: Vec<bool> = (0..64).map(|_| dice.roll(0.5)).collect();
        assert_eq!(first, again);
        assert!(!dice.roll(0.0) && dice.roll(1.0));
        let status = dice.gateway_failure(1.0);
        assert!(matches!(
            status,
            Some(StatusCode::BAD_GATEWAY | StatusCode::SERVICE_UNAVAILABLE)
        ));
        assert_eq!(dice.gateway_failure(0.0), None);
    }

    #[test]
    fn a_counted_fault_strikes_every_nth_call_and_restarts_with_the_faults() {
        let dice = Dice::new(3);
        let struck: Vec<bool> = (0..7).map(|_| dice.every("throttle", Some(3))).collect();
        assert_eq!(struck, [false, false, true, false, false, true, false]);
        assert!(
            !dice.every("other", Some(2)),
            "each fault counts its own calls"
        );
        dice.reseed(3);
        assert!(!dice.every("throttle", Some(3)) && !dice.every("throttle", Some(3)));
        assert!(dice.every("throttle", Some(3)));
        assert!(!dice.every("throttle", None) && !dice.every("throttle", Some(0)));
    }
}
