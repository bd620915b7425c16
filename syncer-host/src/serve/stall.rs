//! A connection direction's stall timer: armed when the direction has to wait (the client sends
//! nothing, or reads nothing of the answer), cleared as soon as bytes move, and an error once it
//! has waited longer than allowed. So a client cannot hold one of serve's connection slots by
//! trickling a request body or never reading its answer.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::time::{sleep, Sleep};

/// The stall timer of one direction (reading or writing) of a connection.
pub struct Stall {
    /// How long the direction may wait without a byte moving.
    limit: Duration,
    /// What the direction waits for, in the error (`"the request body"`).
    what: &'static str,
    /// Running while the direction waits.
    timer: Option<Pin<Box<Sleep>>>,
}

impl Stall {
    /// A timer allowing `limit` without progress on `what`.
    pub fn new(limit: Duration, what: &'static str) -> Self {
        Self {
            limit,
            what,
            timer: None,
        }
    }

    /// Passes on `poll` (the inner connection's answer), timing the waits: bytes that moved
    /// (or an error, or the end) clear the timer; a wait longer than the limit is `TimedOut`.
    pub fn watch<T>(
        &mut self,
        cx: &mut Context<'_>,
        poll: Poll<io::Result<T>>,
    ) -> Poll<io::Result<T>> {
        if poll.is_ready() {
            self.timer = None;
            return poll;
        }
        let limit = self.limit;
        let timer = self.timer.get_or_insert_with(|| Box::pin(sleep(limit)));
        if timer.as_mut().poll(cx).is_pending() {
            return Poll::Pending;
        }
        self.timer = None;
        Poll::Ready(Err(io::Error::new(
            io::ErrorKind::TimedOut,
            format!(
                "the client moved no byte of {} in {} s; connection closed",
                self.what,
                limit.as_secs()
            ),
        )))
    }
}
