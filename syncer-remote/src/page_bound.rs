//! How many pages of one department's members a fetch reads at most. No department can list
//! more members than the whole organization holds, so when the remote says how many members
//! the organization has, the bound is that count in pages (plus a few for people who join during
//! the walk), never above a backend's documented absolute cap. A listing that still says "more"
//! past the bound is a remote answering without end: the department is incomplete. This module
//! knows no API; the backend reads the count and says what its pages hold.

/// Pages allowed beyond the organization's count, for the people who join while the walk runs.
pub const PAGE_SLACK: usize = 5;

/// The most pages of one department's members a fetch reads, and where that number comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PageBound {
    /// Pages read at most.
    pub pages: usize,
    /// Members one page holds.
    pub page_size: usize,
    /// The backend's absolute cap, the ceiling of every bound.
    pub cap: usize,
    /// The organization's member count the bound was derived from; `None` when only the cap
    /// holds (the count could not be read).
    pub members: Option<u64>,
}

impl PageBound {
    /// Only the absolute cap: `cap` pages of `page_size`.
    pub fn absolute(cap: usize, page_size: usize) -> Self {
        Self {
            pages: cap,
            page_size,
            cap,
            members: None,
        }
    }

    /// The bound of an organization of `members` people: their pages plus [`PAGE_SLACK`],
    /// at most `cap`.
    pub fn from_members(members: u64, page_size: usize, cap: usize) -> Self {
        let needed = usize::try_from(members)
            .map_or(usize::MAX, |members| members.div_ceil(page_size.max(1)));
        Self {
            pages: needed.saturating_add(PAGE_SLACK).min(cap),
            page_size,
            cap,
            members: Some(members),
        }
    }

    /// Whether a listing that has read `pages_read` pages and is told there are more must stop.
    pub fn reached(&self, pages_read: usize) -> bool {
        pages_read >= self.pages
    }

    /// The sentence for a department of `remote` that still says there are more pages once the
    /// bound is reached.
    pub fn exceeded(&self, remote: &str) -> String {
        match self.members {
            Some(members) => format!(
                "more than {} pages of {} and {remote} still says has_more, though the organization has {members} members in all ({} pages at most here; the absolute cap is {} pages); the department's listing is incomplete",
                self.pages, self.page_size, self.pages, self.cap
            ),
            None => format!(
                "more than {} pages ({} members, the most one department is believed to hold) and {remote} still says has_more; the department's listing is incomplete",
                self.cap,
                self.cap.saturating_mul(self.page_size)
            ),
        }
    }

    /// The notice of a fetch whose member count could not be read (`why`): the absolute cap
    /// holds instead, and the sync goes on.
    pub fn fallback_notice(&self, remote: &str, why: &str) -> String {
        format!(
            "could not read the organization's member count from {remote} ({why}); each department's listing is bounded by the absolute cap of {} pages of {} instead",
            self.cap, self.page_size
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bound_is_the_organizations_pages_plus_slack_under_the_cap() {
        let bound = PageBound::from_members(250, 100, 1_000);
        assert_eq!(bound.pages, 3 + PAGE_SLACK);
        assert!(!bound.reached(7) && bound.reached(8));
        assert_eq!(PageBound::from_members(0, 100, 1_000).pages, PAGE_SLACK);
        assert_eq!(PageBound::from_members(u64::MAX, 100, 1_000).pages, 1_000);
        assert_eq!(PageBound::from_members(10_000_000, 50, 2_000).pages, 2_000);
    }

    #[test]
    fn the_sentences_name_the_numbers() {
        let bound = PageBound::from_members(250, 100, 1_000);
        let said = bound.exceeded("DingTalk");
        assert!(said.contains("more than 8 pages"), "{said}");
        assert!(said.contains("250 members"), "{said}");
        assert!(said.contains("1000 pages"), "{said}");
        let said = PageBound::absolute(1_000, 100).exceeded("DingTalk");
        assert!(
            said.contains("more than 1000 pages (100000 members"),
            "{said}"
        );
        let said = PageBound::absolute(2_000, 50).fallback_notice("Lark", "code 99991672");
        assert!(
            said.contains("99991672") && said.contains("2000 pages"),
            "{said}"
        );
    }
}
