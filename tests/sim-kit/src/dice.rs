//! The seeded chance behind random faults: whether this call is one of the share that fails, which
//! status a failing gateway answers, and the per-path call-rate window. One generator per server,
//! restarted from the faults' seed whenever the faults are replaced, so a run is reproducible.

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
}

impl Dice {
    /// Dice whose rolls `seed` fixes.
    pub fn new(seed: u64) -> Dice {
        Dice {
            rng: Mutex::new(SimRng::new(seed)),
            rate: Mutex::new(RateWindow::default()),
        }
    }

    /// Restarts the generator from `seed` (the rate window keeps its calls).
    pub fn reseed(&self, seed: u64) {
        *self.rng.lock() = SimRng::new(seed);
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
}
