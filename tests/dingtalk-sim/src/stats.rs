//! What the simulator observed: calls per API path, answers per kind, tokens issued, the highest
//! number of requests in flight at once, and how often each department page was served, so a test
//! can assert "nothing fetched twice" and a benchmark can report call counts.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};

use parking_lot::Mutex;

use crate::codes;
use crate::paths;

/// One page of a department-scoped API: the path, the department and the cursor (0 for APIs
/// without paging).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PageKey {
    /// API path, e.g. `/topapi/v2/user/list`.
    pub path: String,
    /// Department the call was about.
    pub dept_id: i64,
    /// Paging cursor of the call (0 when the API does not page).
    pub cursor: i64,
}

/// A snapshot of what the simulator observed since start or the last reset.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stats {
    /// Calls per API path, whatever their answer (unknown paths included).
    pub calls_by_path: BTreeMap<String, u64>,
    /// All calls.
    pub total_calls: u64,
    /// Calls to `/gettoken`.
    pub gettoken_calls: u64,
    /// Distinct access tokens issued (renewals of the current token do not count).
    pub tokens_issued: u64,
    /// Highest number of requests being served at the same time.
    pub max_in_flight: u64,
    /// Answers with errcode 0.
    pub ok_answers: u64,
    /// Answers with errcode 90018 (rate limit or random throttling).
    pub throttled: u64,
    /// Answers with errcode -1 (system busy).
    pub busy: u64,
    /// HTTP 5xx answers.
    pub http_5xx: u64,
    /// Answers with errcode 42001 (token expired).
    pub expired_token: u64,
    /// Answers with errcode 40014 (token missing or unknown).
    pub invalid_token: u64,
    /// Answers with errcode 88 (permission or contact range).
    pub no_permission: u64,
    /// Answers with errcode 60003 (department not found).
    pub dept_not_found: u64,
    /// Answers with errcode 60020 (IP not whitelisted).
    pub ip_rejected: u64,
    /// Every answer by errcode (HTTP status for 5xx answers).
    pub answers_by_errcode: BTreeMap<i64, u64>,
    /// Successful answers per department page.
    pub page_fetches: BTreeMap<PageKey, u64>,
}

impl Stats {
    /// Calls made to `path`.
    pub fn calls(&self, path: &str) -> u64 {
        self.calls_by_path.get(path).copied().unwrap_or(0)
    }

    /// Successful `/topapi/v2/user/list` pages served more than once, counting each extra time.
    /// Retries of failed calls do not count: only pages that were answered successfully.
    pub fn duplicate_user_list_pages(&self) -> u64 {
        self.page_fetches
            .iter()
            .filter(|(key, _)| key.path == paths::USER_LIST)
            .map(|(_, &n)| n.saturating_sub(1))
            .sum()
    }

    /// Like [`Stats::duplicate_user_list_pages`] for every department-scoped API.
    pub fn duplicate_pages(&self) -> u64 {
        self.page_fetches
            .values()
            .map(|&n| n.saturating_sub(1))
            .sum()
    }

    /// Distinct `/topapi/v2/user/list` pages served successfully.
    pub fn user_list_pages(&self) -> u64 {
        self.page_fetches
            .keys()
            .filter(|key| key.path == paths::USER_LIST)
            .count() as u64
    }
}

/// Collects [`Stats`] while requests are served.
#[derive(Debug, Default)]
pub(crate) struct StatsRecorder {
    inner: Mutex<Stats>,
    in_flight: AtomicU64,
    max_in_flight: AtomicU64,
}

/// Marks one request in flight until dropped (also when the client goes away mid-request).
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
        if path == paths::GETTOKEN {
            stats.gettoken_calls += 1;
        }
        match stats.calls_by_path.get_mut(path) {
            Some(count) => *count += 1,
            None => {
                stats.calls_by_path.insert(path.to_owned(), 1);
            }
        }
        InFlight { recorder: self }
    }

    /// Records the answer sent: its errcode and, for a successful department-scoped call, the
    /// page it served.
    pub(crate) fn answered(&self, errcode: i64, page: Option<PageKey>) {
        let mut stats = self.inner.lock();
        *stats.answers_by_errcode.entry(errcode).or_insert(0) += 1;
        let counter = match errcode {
            codes::OK => Some(&mut stats.ok_answers),
            codes::RATE_LIMITED => Some(&mut stats.throttled),
            codes::SYSTEM_BUSY => Some(&mut stats.busy),
            codes::EXPIRED_TOKEN => Some(&mut stats.expired_token),
            codes::INVALID_TOKEN => Some(&mut stats.invalid_token),
            codes::AUTH_FAILURE => Some(&mut stats.no_permission),
            codes::DEPT_NOT_FOUND => Some(&mut stats.dept_not_found),
            codes::IP_NOT_WHITELISTED => Some(&mut stats.ip_rejected),
            500..=599 => Some(&mut stats.http_5xx),
            _ => None,
        };
        if let Some(counter) = counter {
            *counter += 1;
        }
        if let (codes::OK, Some(page)) = (errcode, page) {
            *stats.page_fetches.entry(page).or_insert(0) += 1;
        }
    }

    /// Counts a newly issued token.
    pub(crate) fn token_issued(&self) {
        self.inner.lock().tokens_issued += 1;
    }

    /// The current figures.
    pub(crate) fn snapshot(&self) -> Stats {
        let mut stats = self.inner.lock().clone();
        stats.max_in_flight = self.max_in_flight.load(Ordering::SeqCst);
        stats
    }

    /// Starts counting afresh (requests still in flight stay counted as in flight).
    pub(crate) fn reset(&self) {
        let mut stats = self.inner.lock();
        *stats = Stats::default();
        self.max_in_flight
            .store(self.in_flight.load(Ordering::SeqCst), Ordering::SeqCst);
    }
}
