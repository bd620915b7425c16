//! [`Ledger`]: the deliveries a simulator still owes a client (an event not yet acknowledged, a
//! push not yet answered), so a test can await "everything sent was acknowledged" with a timeout
//! instead of sleeping. Each piece of work is opened under a key and closed once; waiting is a
//! `watch` channel, woken on every change.

use std::collections::BTreeSet;
use std::fmt;
use std::time::Duration;

use parking_lot::Mutex;
use tokio::sync::watch;

/// What a [`Ledger`] still waited for when a wait timed out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unsettled {
    /// The keys still open, in order.
    pub open: Vec<String>,
}

impl fmt::Display for Unsettled {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} deliveries still unacknowledged: {}",
            self.open.len(),
            self.open.join(", ")
        )
    }
}

impl std::error::Error for Unsettled {}

/// Open work by key, and a signal on every change.
#[derive(Debug)]
pub struct Ledger {
    open: Mutex<BTreeSet<String>>,
    changed: watch::Sender<u64>,
}

impl Default for Ledger {
    fn default() -> Self {
        Ledger {
            open: Mutex::new(BTreeSet::new()),
            changed: watch::Sender::new(0),
        }
    }
}

impl Ledger {
    /// Opens work under `key` (opening an open key again changes nothing).
    pub fn open(&self, key: impl Into<String>) {
        self.open.lock().insert(key.into());
        self.changed.send_modify(|n| *n += 1);
    }

    /// Closes the work under `key`; true when it was open.
    pub fn close(&self, key: &str) -> bool {
        let was_open = self.open.lock().remove(key);
        if was_open {
            self.changed.send_modify(|n| *n += 1);
        }
        was_open
    }

    /// Whether the work under `key` is still open.
    pub fn is_open(&self, key: &str) -> bool {
        self.open.lock().contains(key)
    }

    /// How many pieces of work are open.
    pub fn outstanding(&self) -> usize {
        self.open.lock().len()
    }

    /// Waits until nothing is open, at most `timeout`; says what is still open otherwise.
    pub async fn settled(&self, timeout: Duration) -> Result<(), Unsettled> {
        let mut changes = self.changed.subscribe();
        let wait = async {
            loop {
                if self.open.lock().is_empty() {
                    return;
                }
                if changes.changed().await.is_err() {
                    return;
                }
            }
        };
        match tokio::time::timeout(timeout, wait).await {
            Ok(()) => Ok(()),
            Err(_) => Err(Unsettled {
                open: self.open.lock().iter().cloned().collect(),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    #[tokio::test]
    async fn a_wait_ends_when_the_last_open_key_closes() {
        let ledger = Arc::new(Ledger::default());
        ledger.open("a");
        ledger.open("b");
        assert!(ledger.close("a"));
        assert!(!ledger.close("a"));
        let closer = Arc::clone(&ledger);
        let task = tokio::spawn(async move { closer.close("b") });
        assert_eq!(ledger.settled(Duration::from_secs(5)).await, Ok(()));
        assert!(task.await.unwrap_or(false));
    }

    #[tokio::test]
    async fn a_timed_out_wait_names_what_is_open() {
        let ledger = Ledger::default();
        ledger.open("event-1");
        let unsettled = ledger.settled(Duration::from_millis(1)).await;
        assert_eq!(
            unsettled,
            Err(Unsettled {
                open: vec!["event-1".to_owned()]
            })
        );
        assert!(ledger.is_open("event-1") && ledger.outstanding() == 1);
    }
}
