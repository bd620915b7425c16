//! What the fake observed: calls per API, answers per code, tokens issued, the most requests in
//! flight at once, and how often each page was served, so a test can assert "nothing fetched
//! twice" and "one token for the whole sync". The kit's recorder collects the figures.

use std::ops::Deref;

use syncer_sim_kit::CallStats;

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

/// A snapshot of the figures since start or the last reset: the kit's figures (calls per path,
/// answers per code, tokens issued, pages served, most in flight), which it dereferences to, and
/// what they mean for Lark.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stats(CallStats<PageKey>);

impl Stats {
    /// Successful answers of a page beyond its first, summed over all pages.
    pub fn duplicate_pages(&self) -> u64 {
        self.0.duplicates_where(|_| true)
    }

    /// Distinct pages of `path` served successfully.
    pub fn pages(&self, path: &str) -> u64 {
        self.0.pages_where(|key| key.path == path)
    }

    /// Answers refused for the frequency limit.
    pub fn throttled(&self) -> u64 {
        self.0.answers(codes::FREQUENCY_LIMIT)
    }
}

impl From<CallStats<PageKey>> for Stats {
    fn from(figures: CallStats<PageKey>) -> Stats {
        Stats(figures)
    }
}

impl Deref for Stats {
    type Target = CallStats<PageKey>;

    fn deref(&self) -> &CallStats<PageKey> {
        &self.0
    }
}
