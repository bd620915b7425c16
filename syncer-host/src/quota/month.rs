//! The quota's calendar: DingTalk counts metered calls per calendar month in China Standard
//! Time (UTC+8, no daylight saving), so the month a call falls in, and how far into its month
//! an instant is, are computed there, whatever the host's own time zone. The clock is injected
//! ([`Clock`]) so the month boundary is tested without waiting for it.

use chrono::{DateTime, Datelike, Duration, FixedOffset, NaiveDate, TimeZone, Utc};

/// China Standard Time's offset from UTC, in seconds.
const CST_OFFSET_SECONDS: i32 = 8 * 3600;

/// Where the time comes from.
pub trait Clock: Send + Sync {
    /// Now.
    fn now(&self) -> DateTime<Utc>;
}

/// The system clock.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

fn cst() -> FixedOffset {
    FixedOffset::east_opt(CST_OFFSET_SECONDS).expect("UTC+8 is a valid offset")
}

/// One calendar month in China Standard Time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Month {
    year: i32,
    month: u32,
}

impl Month {
    /// The CST month `instant` falls in.
    pub fn of(instant: DateTime<Utc>) -> Self {
        let local = instant.with_timezone(&cst());
        Self {
            year: local.year(),
            month: local.month(),
        }
    }

    /// Its key in the state (`2026-12`).
    pub fn key(&self) -> String {
        format!("{:04}-{:02}", self.year, self.month)
    }

    /// The month after it.
    pub fn next(&self) -> Self {
        match self.month {
            12 => Self {
                year: self.year + 1,
                month: 1,
            },
            month => Self {
                year: self.year,
                month: month + 1,
            },
        }
    }

    /// Its first instant (midnight CST of its first day), in UTC.
    pub fn start(&self) -> DateTime<Utc> {
        let day = NaiveDate::from_ymd_opt(self.year, self.month, 1)
            .and_then(|day| day.and_hms_opt(0, 0, 0))
            .expect("the first of a month at midnight exists");
        cst()
            .from_local_datetime(&day)
            .single()
            .expect("UTC+8 has no gaps")
            .with_timezone(&Utc)
    }

    /// Its length.
    pub fn length(&self) -> Duration {
        self.next().start() - self.start()
    }

    /// Its number of days.
    pub fn days(&self) -> i64 {
        self.length().num_days()
    }

    /// How far into the month `instant` is (clamped to it).
    pub fn elapsed(&self, instant: DateTime<Utc>) -> Duration {
        (instant - self.start()).clamp(Duration::zero(), self.length())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .expect("a valid instant")
            .with_timezone(&Utc)
    }

    #[test]
    fn the_month_turns_at_midnight_china_standard_time_not_utc() {
        let before = at("2026-12-31T15:59:59Z");
        let after = at("2026-12-31T16:00:00Z");
        assert_eq!(Month::of(before).key(), "2026-12");
        assert_eq!(Month::of(after).key(), "2027-01", "00:00 CST on 1 January");
        assert_eq!(Month::of(after).start(), after);
        assert_eq!(Month::of(before).next(), Month::of(after));
    }

    #[test]
    fn a_month_knows_its_length_and_how_far_into_it_an_instant_is() {
        let february = Month::of(at("2028-02-10T00:00:00Z"));
        assert_eq!(february.days(), 29, "2028 is a leap year");
        assert_eq!(Month::of(at("2026-11-30T12:00:00Z")).days(), 30);
        let start = february.start();
        assert_eq!(
            february.elapsed(start + Duration::days(3)),
            Duration::days(3)
        );
        assert_eq!(
            february.elapsed(start - Duration::days(1)),
            Duration::zero()
        );
        assert_eq!(
            february.elapsed(start + Duration::days(40)),
            february.length()
        );
    }
}
