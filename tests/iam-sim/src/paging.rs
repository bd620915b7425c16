//! Beego's paginator as IAM uses it for `p`/`pageSize` lists.
//!
//! `pagination.NewPaginator(req, limit, count)` clamps `p` into `1..=pages`, so asking past
//! the last page answers the last page again (never an empty one). `data2` is the total.

/// Where one page starts and how many rows it holds (`None`: no limit).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Page {
    pub(crate) offset: usize,
    pub(crate) limit: Option<usize>,
}

impl Page {
    /// The rows of this page out of a full, ordered list.
    pub(crate) fn slice<T>(self, rows: Vec<T>) -> Vec<T> {
        let limit = self.limit.unwrap_or(usize::MAX);
        rows.into_iter().skip(self.offset).take(limit).collect()
    }
}

/// `util.ParseInt` on `pageSize` (an error for non-numbers, as `strconv.Atoi` reports it).
pub(crate) fn parse_page_size(page_size: &str) -> Result<i64, String> {
    page_size
        .parse::<i64>()
        .map_err(|_| format!("strconv.Atoi: parsing \"{page_size}\": invalid syntax"))
}

/// The page `p` of `count` rows with `limit` rows per page.
pub(crate) fn page(p: &str, limit: i64, count: usize) -> Page {
    let per_page = if limit <= 0 { 10 } else { limit as usize };
    let pages = count.div_ceil(per_page);
    let requested = p.parse::<i64>().unwrap_or(0);
    let clamped = requested.min(pages as i64).max(1) as usize;
    Page {
        offset: (clamped - 1) * per_page,
        limit: (limit > 0).then_some(limit as usize),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn past_the_last_page_is_the_last_page() {
        assert_eq!(page("9", 10, 25).offset, 20);
        assert_eq!(page("0", 10, 25).offset, 0);
        assert_eq!(page("x", 10, 25).offset, 0);
        assert_eq!(page("3", 10, 0).offset, 0);
    }
}
