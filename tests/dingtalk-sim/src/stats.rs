//! What the simulator observed, named the DingTalk way: calls per API path, answers per kind,
//! tokens issued, the highest number of requests in flight at once, and how often each department
//! page was served, so a test can assert "nothing fetched twice" and a benchmark can report call
//! counts. The kit's recorder collects the figures; this module only names them.

use std::collections::BTreeMap;

use syncer_sim_kit::CallStats;

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
    /// Answers with errcode 60121 (`user/get` of a userid not, or no longer, in the org).
    pub user_not_found: u64,
    /// Answers with errcode 60020 (IP not whitelisted).
    pub ip_rejected: u64,
    /// Every answer by errcode (HTTP status for 5xx answers).
    pub answers_by_errcode: BTreeMap<i64, u64>,
    /// Successful answers per department page.
    pub page_fetches: BTreeMap<PageKey, u64>,
}

impl Stats {
    /// The few figures worth printing when a test's assertion fails (calls per path, tokens,
    /// throttled, busy, 5xx, expired and invalid tokens, the most calls in flight); the pages
    /// are left out.
    pub fn summary(&self) -> String {
        format!(
            "calls {:?}, tokens issued {}, throttled {}, busy {}, 5xx {}, expired {}, invalid {}, max in flight {}",
            self.calls_by_path,
            self.tokens_issued,
            self.throttled,
            self.busy,
            self.http_5xx,
            self.expired_token,
            self.invalid_token,
            self.max_in_flight
        )
    }

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

impl From<CallStats<PageKey>> for Stats {
    /// Names the kit's figures the way DingTalk's codes mean them.
    fn from(counts: CallStats<PageKey>) -> Stats {
        let answers = |code| counts.answers(code);
        Stats {
            gettoken_calls: counts.calls(paths::GETTOKEN),
            ok_answers: answers(codes::OK),
            throttled: answers(codes::RATE_LIMITED),
            busy: answers(codes::SYSTEM_BUSY),
            http_5xx: counts.answers_in(500..=599),
            expired_token: answers(codes::EXPIRED_TOKEN),
            invalid_token: answers(codes::INVALID_TOKEN),
            no_permission: answers(codes::AUTH_FAILURE),
            dept_not_found: answers(codes::DEPT_NOT_FOUND),
            user_not_found: answers(codes::USER_NOT_FOUND),
            ip_rejected: answers(codes::IP_NOT_WHITELISTED),
            total_calls: counts.total_calls,
            tokens_issued: counts.tokens_issued,
            max_in_flight: counts.max_in_flight,
            calls_by_path: counts.calls_by_path,
            answers_by_errcode: counts.answers_by_code,
            page_fetches: counts.page_fetches,
        }
    }
}
