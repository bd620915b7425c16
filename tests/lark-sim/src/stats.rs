//! What the fake observed: calls per API, answers per code, tokens issued, the most requests in
//! flight at once, and how often each page was served, so a test can assert "nothing fetched
//! twice" and "one token for the whole sync".

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};

use parking_lot::Mutex;

use crate::codes;

/// One page of a department-scoped list: the API, the department and the `page_token` sent
/// (empty for the first page).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PageKey {
    /// API path as [`crate::paths`] names it.
    pub path: String,
    /// The department's `open_department_id`.
    pub department: String,
    /// The `page_token` of the request.
    pub page_token: String,
}

/// A snapshot of the figures since start or the last reset.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stats {
    /// Calls per API path (unknown paths under their own path), whatever the answer.
    pub calls_by_path: BTreeMap<String, u64>,
    /// All calls.
    pub total_calls: u64,
    /// New tenant access tokens issued (the current one handed out again does not count).
    pub tokens_issued: u64,
    /// Answers per code (0 for success, the HTTP status for gateway failures).
    pub answers_by_code: BTreeMap<i64, u64>,
    /// Successful answers per page.
    pub page_fetches: BTreeMap<PageKey, u64>,
    /// Most requests served at the same time.
    pub max_in_flight: u64,
}

impl Stats {
    /// Calls to `path`.
    pub fn calls(&self, path: &str) -> u64 {
        self.calls_by_path.get(path).copied().unwrap_or(0)
    }

    /// Answers with `code`.
    pub fn answers(&self, code: i64) -> u64 {
        self.answers_by_code.get(&code).copied().unwrap_or(0)
    }

    /// Successful answers of a page beyond its first, summed over all pages.
    pub fn duplicate_pages(&self) -> u64 {
        self.page_fetches
            .values()
            .map(|n| n.saturating_sub(1))
            .sum()
    }

    /// Distinct pages of `path` served successfully.
    pub fn pages(&self, path: &str) -> u64 {
        self.page_fetches
            .keys()
            .filter(|key| key.path == path)
            .count() as u64
    }

    /// Answers refused for the frequency limit.
    pub fn throttled(&self) -> u64 {
        self.answers(codes::FREQUENCY_LIMIT)
    }
}

/// Collects [`Stats`] while requests are served.
#[derive(Debug, Default)]
pub(crate) struct StatsRecorder {
    inner: Mutex<Stats>,
    in_flight: AtomicU64,
    max_in_flight: AtomicU64,
}

/// Marks one request in flight until dropped.
pub(crate) struct InFlight<'a> {
    recorder: &'a StatsRecorder,
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.recorder.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

impl StatsRecorder {
    /// Counts a call to `path` and marks it in flight.
    pub(crate) fn begin(&self, path: &str) -> InFlight<'_> {
        let now = self.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        self.max_in_flight.fetch_max(now, Ordering::SeqCst);
        let mut stats = self.inner.lock();
        stats.total_calls += 1;
        *stats.calls_by_path.entry(path.to_owned()).or_insert(0) += 1;
        InFlight { recorder: self }
    }

    /// Records the answer: its code and, for a successful page, which page.
    pub(crate) fn answered(&self, code: i64, page: Option<PageKey>) {
        let mut stats = self.inner.lock();
        *stats.answers_by_code.entry(code).or_insert(0) += 1;
        if let (codes::OK, Some(page)) = (code, page) {
            *stats.page_fetches.entry(page).or_insert(0) += 1;
        }
    }

    /// Counts a newly issued token.
    pub(crate) fn token_issued(&self) {
        self.inner.lock().tokens_issued += 1;
    }

    /// The figures now.
    pub(crate) fn snapshot(&self) -> Stats {
        let mut stats = self.inner.lock().clone();
        stats.max_in_flight = self.max_in_flight.load(Ordering::SeqCst);
        stats
    }

    /// Starts counting afresh.
    pub(crate) fn reset(&self) {
        *self.inner.lock() = Stats::default();
        self.max_in_flight
            .store(self.in_flight.load(Ordering::SeqCst), Ordering::SeqCst);
    }
}
