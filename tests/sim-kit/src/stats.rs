//! What a simulator observed: calls per path, answers per code, tokens issued, pages served and
//! the most requests in flight at once, so a test can assert "nothing fetched twice" and a
//! benchmark can report call counts. Recording never changes an answer.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};

use parking_lot::Mutex;

/// A snapshot of the figures since start or the last reset; `K` names one page of a listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallStats<K: Ord> {
    /// Calls per API path (unknown paths under their own path), whatever the answer.
    pub calls_by_path: BTreeMap<String, u64>,
    /// All calls.
    pub total_calls: u64,
    /// New access tokens issued (the current one handed out again does not count).
    pub tokens_issued: u64,
    /// Answers per code (0 for success, the HTTP status for gateway failures).
    pub answers_by_code: BTreeMap<i64, u64>,
    /// Successful answers per page.
    pub page_fetches: BTreeMap<K, u64>,
    /// Most requests served at the same time.
    pub max_in_flight: u64,
}

impl<K: Ord> Default for CallStats<K> {
    fn default() -> Self {
        CallStats {
            calls_by_path: BTreeMap::new(),
            total_calls: 0,
            tokens_issued: 0,
            answers_by_code: BTreeMap::new(),
            page_fetches: BTreeMap::new(),
            max_in_flight: 0,
        }
    }
}

impl<K: Ord> CallStats<K> {
    /// Calls to `path`.
    pub fn calls(&self, path: &str) -> u64 {
        self.calls_by_path.get(path).copied().unwrap_or(0)
    }

    /// Answers with `code`.
    pub fn answers(&self, code: i64) -> u64 {
        self.answers_by_code.get(&code).copied().unwrap_or(0)
    }

    /// Answers whose code lies in `codes` (e.g. `500..=599`).
    pub fn answers_in(&self, codes: std::ops::RangeInclusive<i64>) -> u64 {
        self.answers_by_code.range(codes).map(|(_, n)| n).sum()
    }

    /// Successful answers of a page beyond its first, summed over the pages `which` selects.
    pub fn duplicates_where(&self, which: impl Fn(&K) -> bool) -> u64 {
        self.page_fetches
            .iter()
            .filter(|(key, _)| which(key))
            .map(|(_, n)| n.saturating_sub(1))
            .sum()
    }

    /// Distinct pages served successfully among those `which` selects.
    pub fn pages_where(&self, which: impl Fn(&K) -> bool) -> u64 {
        self.page_fetches.keys().filter(|key| which(key)).count() as u64
    }
}

/// Counts requests in flight and the most seen at once.
#[derive(Debug, Default)]
pub struct InFlightGauge {
    now: AtomicU64,
    most: AtomicU64,
}

/// Marks one request in flight until dropped (also when the client goes away mid-request).
#[derive(Debug)]
pub struct InFlight<'a> {
    gauge: &'a InFlightGauge,
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.gauge.now.fetch_sub(1, Ordering::SeqCst);
    }
}

impl InFlightGauge {
    /// Marks a request in flight; keep the guard until it is answered.
    pub fn enter(&self) -> InFlight<'_> {
        let now = self.now.fetch_add(1, Ordering::SeqCst) + 1;
        self.most.fetch_max(now, Ordering::SeqCst);
        InFlight { gauge: self }
    }

    /// The most requests in flight at once since start or the last reset.
    pub fn most(&self) -> u64 {
        self.most.load(Ordering::SeqCst)
    }

    /// Starts afresh: requests still in flight stay counted.
    pub fn reset(&self) {
        self.most
            .store(self.now.load(Ordering::SeqCst), Ordering::SeqCst);
    }
}

/// Collects [`CallStats`] while requests are served.
#[derive(Debug)]
pub struct CallRecorder<K: Ord> {
    inner: Mutex<CallStats<K>>,
    gauge: InFlightGauge,
}

impl<K: Ord> Default for CallRecorder<K> {
    fn default() -> Self {
        CallRecorder {
            inner: Mutex::new(CallStats::default()),
            gauge: InFlightGauge::default(),
        }
    }
}

impl<K: Ord + Clone> CallRecorder<K> {
    /// Counts a call to `path` and marks it in flight.
    pub fn begin(&self, path: &str) -> InFlight<'_> {
        let in_flight = self.gauge.enter();
        let mut stats = self.inner.lock();
        stats.total_calls += 1;
        match stats.calls_by_path.get_mut(path) {
            Some(count) => *count += 1,
            None => {
                stats.calls_by_path.insert(path.to_owned(), 1);
            }
        }
        in_flight
    }

    /// Records the answer sent: its code and, for a success (`ok`) that served a page, which page.
    pub fn answered(&self, code: i64, ok: i64, page: Option<K>) {
        let mut stats = self.inner.lock();
        *stats.answers_by_code.entry(code).or_insert(0) += 1;
        if let (true, Some(page)) = (code == ok, page) {
            *stats.page_fetches.entry(page).or_insert(0) += 1;
        }
    }

    /// Counts a newly issued token.
    pub fn token_issued(&self) {
        self.inner.lock().tokens_issued += 1;
    }

    /// The figures now.
    pub fn snapshot(&self) -> CallStats<K> {
        let mut stats = self.inner.lock().clone();
        stats.max_in_flight = self.gauge.most();
        stats
    }

    /// Starts counting afresh (requests still in flight stay counted as in flight).
    pub fn reset(&self) {
        *self.inner.lock() = CallStats::default();
        self.gauge.reset();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_calls_answers_pages_and_the_peak_in_flight() {
        let recorder = CallRecorder::<u32>::default();
        let first = recorder.begin("/a");
        let second = recorder.begin("/a");
        recorder.answered(0, 0, Some(1));
        drop(first);
        recorder.answered(0, 0, Some(1));
        recorder.answered(503, 0, Some(2));
        drop(second);
        let _third = recorder.begin("/b");
        let stats = recorder.snapshot();
        assert_eq!(
            (stats.calls("/a"), stats.calls("/b"), stats.total_calls),
            (2, 1, 3)
        );
        assert_eq!((stats.answers(0), stats.answers_in(500..=599)), (2, 1));
        assert_eq!(
            (
                stats.duplicates_where(|_| true),
                stats.pages_where(|_| true)
            ),
            (1, 1)
        );
        assert_eq!(stats.max_in_flight, 2);
        recorder.reset();
        assert_eq!(recorder.snapshot().max_in_flight, 1);
    }
}
