//! What the monthly call budget allows, decided from numbers alone: whether a scheduled full
//! sync may start (it must fit in what is left of the month's budget, and keep to an even pace
//! over the month so the budget lasts it), what a manual sync is warned of, and whether a
//! `sync_interval` can keep within the budget at all. Knows no store and no remote.

use std::time::Duration;

use chrono::{DateTime, Utc};

use super::month::Month;
use crate::state::quota::MonthUsage;

/// The smallest full sync there is (a token, the root's name, its sub-departments, one page of
/// members): the estimate when no run has been counted yet.
pub const SMALLEST_FULL_SYNC: u64 = 4;

/// The longest month, for a month's worth of scheduled runs.
const MONTH: Duration = Duration::from_secs(31 * 86_400);

/// One syncer's standing against its budget now.
#[derive(Clone, Debug)]
pub struct Standing<'a> {
    /// The remote's name in messages (the plugin's type name, `DingTalk`).
    pub remote: &'a str,
    /// This month's counts.
    pub usage: &'a MonthUsage,
    /// The budget (`None`: none).
    pub budget: Option<u64>,
    /// Now.
    pub now: DateTime<Utc>,
}

/// Whether a full sync may start.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Admission {
    /// It may.
    Go,
    /// It may not, for this reason (in numbers).
    Hold(String),
}

impl Standing<'_> {
    fn month(&self) -> Month {
        Month::of(self.now)
    }

    fn until(&self) -> String {
        format!(
            "the month turns ({}-01 00:00 China Standard Time)",
            self.month().next().key()
        )
    }

    /// Why no full sync should start now (used-up quota, budget spent, no room for one of
    /// about `estimate` calls), leaving the even pace aside.
    fn over(&self, estimate: Option<u64>) -> Option<String> {
        if let Some(exhausted) = &self.usage.exhausted {
            return Some(format!(
                "the organization's monthly {} API quota is used up (it said so at {}: {}); no full sync of this syncer is scheduled until {}",
                self.remote,
                exhausted.at,
                exhausted.reason,
                self.until()
            ));
        }
        let budget = self.budget?;
        let used = self.usage.calls;
        if used >= budget {
            return Some(format!(
                "{} of {} calls used this month (monthly_call_budget); no full sync is scheduled until {}",
                grouped(used),
                grouped(budget),
                self.until()
            ));
        }
        let estimate = estimate?;
        (used + estimate > budget).then(|| {
            format!(
                "{} of {} calls used this month; a full sync needs about {}",
                grouped(used),
                grouped(budget),
                grouped(estimate)
            )
        })
    }

    /// Whether a scheduled full sync of about `estimate` calls (`None`: never counted; the
    /// first run goes and its count is the next estimate) may start: it must fit in what is
    /// left, and keep the month's spending at or below an even pace, one day ahead at most.
    pub fn scheduled(&self, estimate: Option<u64>) -> Admission {
        if let Some(reason) = self.over(estimate) {
            return Admission::Hold(reason);
        }
        let (Some(budget), Some(estimate)) = (self.budget, estimate) else {
            return Admission::Go;
        };
        let month = self.month();
        let length = month.length().num_seconds().max(1) as f64;
        let ahead = (month.elapsed(self.now).num_seconds() + 86_400) as f64;
        let allowed = ((budget as f64) * (ahead / length)).min(budget as f64) as u64;
        let used = self.usage.calls;
        if used + estimate <= allowed {
            return Admission::Go;
        }
        let day = month.elapsed(self.now).num_days() + 1;
        Admission::Hold(format!(
            "{} of {} calls used by day {day} of {} this month; a full sync needs about {}, and an even pace over the month allows {} by tomorrow: the schedule waits so the budget lasts the month",
            grouped(used),
            grouped(budget),
            month.days(),
            grouped(estimate),
            grouped(allowed)
        ))
    }

    /// What a manual full sync of about `estimate` calls is warned of (it runs anyway).
    pub fn manual_warning(&self, estimate: Option<u64>) -> Option<String> {
        self.over(estimate).map(|reason| {
            format!("{reason}; running this sync anyway because it was asked for by hand")
        })
    }
}

/// Whether `interval` between full syncs of about `calls` each (`basis` says where the figure
/// comes from) spends more than `budget` in a month; if so, the warning names an interval that
/// fits, or change events.
pub fn interval_advice(interval: Duration, calls: u64, budget: u64, basis: &str) -> Option<String> {
    let monthly = monthly_calls(interval, calls);
    if monthly <= budget {
        return None;
    }
    let fits = fitting_interval(calls, budget);
    let tail = match fits {
        Some(fits) => format!(
            "set `sync_interval = {}` or more (about {} calls a month), or turn on change events (`events = \"stream\"`) and keep the full sync as a rare reconcile",
            fits.as_secs(),
            grouped(monthly_calls(fits, calls))
        ),
        None => "not even one full sync a month fits: raise `monthly_call_budget` if the organization's edition allows more, or turn on change events (`events = \"stream\"`)".to_owned(),
    };
    Some(format!(
        "`sync_interval = {}` with about {} calls a full sync ({basis}) spends about {} calls a month, over `monthly_call_budget` = {}; {tail}",
        interval.as_secs(),
        grouped(calls),
        grouped(monthly),
        grouped(budget)
    ))
}

/// Calls of a month of full syncs every `interval`.
pub fn monthly_calls(interval: Duration, calls: u64) -> u64 {
    let runs = MONTH.as_secs().div_ceil(interval.as_secs().max(1));
    runs.saturating_mul(calls)
}

/// The shortest interval (whole hours, or a day's divisor below one) whose month of full syncs
/// stays within `budget`; `None` when not even one a month does.
fn fitting_interval(calls: u64, budget: u64) -> Option<Duration> {
    if calls > budget {
        return None;
    }
    let mut hours = (MONTH.as_secs().saturating_mul(calls))
        .div_ceil(budget.max(1) * 3600)
        .max(1);
    while monthly_calls(Duration::from_secs(hours * 3600), calls) > budget {
        hours += 1;
    }
    Some(Duration::from_secs(hours * 3600))
}

/// `n` with thousands separators (`9,840`).
pub fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::quota::Exhausted;

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .expect("instant")
            .with_timezone(&Utc)
    }

    fn standing(usage: &MonthUsage, now: &str) -> Standing<'static> {
        let usage: &'static MonthUsage = Box::leak(Box::new(usage.clone()));
        Standing {
            remote: "DingTalk",
            usage,
            budget: Some(10_000),
            now: at(now),
        }
    }

    fn used(calls: u64) -> MonthUsage {
        MonthUsage {
            calls,
            exhausted: None,
        }
    }

    #[test]
    fn a_sync_that_does_not_fit_in_what_is_left_is_held_with_the_numbers() {
        let late = "2026-12-30T12:00:00Z";
        assert_eq!(
            standing(&used(9_840), late).scheduled(Some(302)),
            Admission::Hold(
                "9,840 of 10,000 calls used this month; a full sync needs about 302".into()
            )
        );
        assert_eq!(
            standing(&used(9_000), late).scheduled(Some(302)),
            Admission::Go
        );
        let warning = standing(&used(9_840), late)
            .manual_warning(Some(302))
            .expect("warned");
        assert!(
            warning.contains("9,840 of 10,000") && warning.contains("anyway"),
            "{warning}"
        );
        assert_eq!(standing(&used(9_000), late).manual_warning(Some(302)), None);
    }

    #[test]
    fn scheduled_syncs_keep_to_an_even_pace_so_the_budget_lasts_the_month() {
        // 20:00 CST on day 2 of 31: an even pace allows 10,000 × (44 h + 24 h)/744 h ≈ 913
        // calls by this time tomorrow.
        let early = "2026-12-02T12:00:00Z";
        assert_eq!(
            standing(&used(600), early).scheduled(Some(302)),
            Admission::Go
        );
        let Admission::Hold(reason) = standing(&used(700), early).scheduled(Some(302)) else {
            panic!("ahead of the pace");
        };
        assert!(
            reason.contains("700 of 10,000 calls used by day 2 of 31"),
            "{reason}"
        );
        assert!(reason.contains("allows 913"), "{reason}");
        // A manual sync is not paced: only a budget it would overrun is worth a warning.
        assert_eq!(standing(&used(700), early).manual_warning(Some(302)), None);
    }

    #[test]
    fn the_first_run_goes_and_no_budget_means_no_hold() {
        assert_eq!(
            standing(&used(0), "2026-12-01T00:00:00Z").scheduled(None),
            Admission::Go
        );
        let mut unbudgeted = standing(&used(1_000_000), "2026-12-01T00:00:00Z");
        unbudgeted.budget = None;
        assert_eq!(unbudgeted.scheduled(Some(302)), Admission::Go);
        let Admission::Hold(reason) =
            standing(&used(10_000), "2026-12-15T00:00:00Z").scheduled(None)
        else {
            panic!("a spent budget holds even without an estimate");
        };
        assert!(
            reason.contains("2027-01-01 00:00 China Standard Time"),
            "{reason}"
        );
    }

    #[test]
    fn a_used_up_quota_holds_every_scheduled_sync_until_the_month_turns() {
        let usage = MonthUsage {
            calls: 12,
            exhausted: Some(Exhausted {
                at: "2026-12-20T01:00:00.000Z".into(),
                reason: "errcode 90020".into(),
            }),
        };
        let Admission::Hold(reason) = standing(&usage, "2026-12-21T00:00:00Z").scheduled(Some(3))
        else {
            panic!("held");
        };
        assert!(
            reason.contains("monthly DingTalk API quota is used up"),
            "{reason}"
        );
        assert!(
            reason.contains("errcode 90020") && reason.contains("2027-01"),
            "{reason}"
        );
    }

    #[test]
    fn an_hourly_schedule_of_a_3000_person_company_is_named_with_an_interval_that_fits() {
        let advice = interval_advice(Duration::from_secs(3600), 302, 10_000, "the last run")
            .expect("over the budget");
        assert!(
            advice.contains("spends about 224,688 calls a month"),
            "{advice}"
        );
        assert!(
            advice.contains("`sync_interval = 82800` or more (about 9,966 calls a month)"),
            "{advice}"
        );
        assert!(advice.contains("events"), "{advice}");
        assert_eq!(
            interval_advice(Duration::from_secs(86_400 * 2), 302, 10_000, "x"),
            None
        );
        assert!(monthly_calls(Duration::from_secs(82_800), 302) <= 10_000);
        assert!(
            interval_advice(Duration::from_secs(86_400), 20_000, 10_000, "x")
                .expect("advice")
                .contains("not even one")
        );
    }

    #[test]
    fn numbers_are_grouped_by_thousands() {
        assert_eq!(grouped(0), "0");
        assert_eq!(grouped(302), "302");
        assert_eq!(grouped(9_840), "9,840");
        assert_eq!(grouped(217_000), "217,000");
        assert_eq!(grouped(1_234_567), "1,234,567");
    }
}
