//! [`Ledger`]: the host's [`CallMeter`] of every syncer of one process. A call adds one to the
//! syncer's pending count in memory (no I/O on the call's path); the pending counts are written
//! to the state every [`FLUSH_EVERY`] (so a crash loses at most that much of the count), at the
//! end of every run and Test Connection, and as soon as a remote says its quota is used up.
//! Each write is an atomic increment, so several processes count into one row.

use std::collections::HashMap;
use std::sync::{Arc, Weak};
use std::time::Duration;

use parking_lot::Mutex;
use syncer_core::{CallMeter, SharedMeter};

use super::book::QuotaBook;
use super::month::{Clock, Month};
use crate::state::quota::Exhausted;

/// How often pending counts are written to the state.
pub const FLUSH_EVERY: Duration = Duration::from_secs(2);

/// Counts waiting to be written.
#[derive(Default)]
struct Pending {
    calls: HashMap<String, u64>,
    exhausted: Vec<(String, Exhausted)>,
}

struct Inner {
    book: QuotaBook,
    clock: Arc<dyn Clock>,
    pending: Mutex<Pending>,
    /// One flush at a time, so a failed write's counts are put back before the next takes them.
    flushing: tokio::sync::Mutex<()>,
}

/// The call counts of this process, written to the state in batches.
#[derive(Clone)]
pub struct Ledger(Arc<Inner>);

impl Ledger {
    /// A ledger writing to `book`, dating counts by `clock`; starts its periodic flush on the
    /// current runtime (it ends when the last handle is dropped).
    pub fn new(book: QuotaBook, clock: Arc<dyn Clock>) -> Self {
        let inner = Arc::new(Inner {
            book,
            clock,
            pending: Mutex::new(Pending::default()),
            flushing: tokio::sync::Mutex::new(()),
        });
        let weak = Arc::downgrade(&inner);
        tokio::spawn(flush_periodically(weak));
        Self(inner)
    }

    /// The counts' store.
    pub fn book(&self) -> &QuotaBook {
        &self.0.book
    }

    /// Now, by the ledger's clock.
    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.0.clock.now()
    }

    /// The meter of `syncer`'s calls.
    pub fn meter(&self, syncer: &str) -> SharedMeter {
        Arc::new(SyncerMeter {
            syncer: syncer.to_owned(),
            ledger: self.clone(),
        })
    }

    /// Calls counted in this process and not written yet, of `syncer`.
    pub fn unwritten(&self, syncer: &str) -> u64 {
        self.0
            .pending
            .lock()
            .calls
            .get(syncer)
            .copied()
            .unwrap_or(0)
    }

    /// Writes every pending count now; counts that could not be written stay pending.
    pub async fn flush(&self) {
        flush(&self.0).await;
    }
}

async fn flush_periodically(inner: Weak<Inner>) {
    loop {
        tokio::time::sleep(FLUSH_EVERY).await;
        let Some(inner) = inner.upgrade() else {
            return;
        };
        flush(&inner).await;
    }
}

async fn flush(inner: &Inner) {
    let _one = inner.flushing.lock().await;
    let taken = std::mem::take(&mut *inner.pending.lock());
    if taken.calls.is_empty() && taken.exhausted.is_empty() {
        return;
    }
    let month = Month::of(inner.clock.now()).key();
    let mut failed = Pending::default();
    for (syncer, calls) in taken.calls {
        if let Err(error) = inner.book.add(&syncer, &month, calls).await {
            tracing::warn!(%error, syncer, calls, "could not count API calls; retrying soon");
            failed.calls.insert(syncer, calls);
        }
    }
    for (syncer, exhausted) in taken.exhausted {
        if let Err(error) = inner.book.mark_exhausted(&syncer, &month, &exhausted).await {
            tracing::warn!(%error, syncer, "could not record the used-up quota; retrying soon");
            failed.exhausted.push((syncer, exhausted));
        }
    }
    let mut pending = inner.pending.lock();
    for (syncer, calls) in failed.calls {
        *pending.calls.entry(syncer).or_default() += calls;
    }
    pending.exhausted.extend(failed.exhausted);
}

/// One syncer's meter on the ledger.
struct SyncerMeter {
    syncer: String,
    ledger: Ledger,
}

impl CallMeter for SyncerMeter {
    fn sent(&self, _api: &str) {
        *self
            .ledger
            .0
            .pending
            .lock()
            .calls
            .entry(self.syncer.clone())
            .or_default() += 1;
    }

    fn exhausted(&self, _api: &str, detail: &str) {
        let at = self
            .ledger
            .now()
            .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        self.ledger.0.pending.lock().exhausted.push((
            self.syncer.clone(),
            Exhausted {
                at,
                reason: detail.to_owned(),
            },
        ));
        // Written at once: the next scheduled run, here or on another replica, must see it.
        let ledger = self.ledger.clone();
        tokio::spawn(async move { ledger.flush().await });
    }
}

#[cfg(test)]
mod tests {
    use chrono::{DateTime, Utc};

    use super::*;
    use crate::state::quota::SqliteQuota;

    struct Fixed(Mutex<DateTime<Utc>>);

    impl Clock for Fixed {
        fn now(&self) -> DateTime<Utc> {
            *self.0.lock()
        }
    }

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .expect("instant")
            .with_timezone(&Utc)
    }

    #[tokio::test]
    async fn calls_are_counted_in_the_china_standard_time_month_they_are_written_in() {
        let dir = tempfile::tempdir().expect("tempdir");
        let book = QuotaBook::Sqlite(SqliteQuota::open(&dir.path().join("s.db")).expect("open"));
        let clock = Arc::new(Fixed(Mutex::new(at("2026-12-31T15:59:00Z"))));
        let ledger = Ledger::new(book.clone(), clock.clone());
        let meter = ledger.meter("acme-dt");
        for _ in 0..3 {
            meter.sent("/topapi/v2/user/list");
        }
        assert_eq!(ledger.unwritten("acme-dt"), 3);
        ledger.flush().await;
        assert_eq!(ledger.unwritten("acme-dt"), 0);
        *clock.0.lock() = at("2026-12-31T16:00:00Z"); // midnight CST: January
        meter.sent("/gettoken");
        meter.exhausted("/topapi/v2/user/list", "errcode 90020");
        ledger.flush().await;
        let december = book.usage("acme-dt", "2026-12").await.expect("read");
        let january = book.usage("acme-dt", "2027-01").await.expect("read");
        assert_eq!((december.calls, january.calls), (3, 1));
        assert_eq!(december.exhausted, None);
        let mark = january.exhausted.expect("marked in January");
        assert_eq!(mark.reason, "errcode 90020");
        assert_eq!(mark.at, "2026-12-31T16:00:00.000Z");
    }
}
