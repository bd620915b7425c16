//! The tickets `connections/open` hands out: each opens one WebSocket, once, before it expires
//! (about 90 s). A ticket remembers whether its opener subscribed to events.

use std::collections::HashMap;
use std::time::Duration;

use tokio::time::Instant;

/// Why a ticket did not open a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TicketRefusal {
    /// Never issued (or missing).
    Unknown,
    /// Already opened a connection.
    Used,
    /// Older than its lifetime.
    Expired,
}

#[derive(Debug)]
struct Ticket {
    expires_at: Instant,
    used: bool,
    events: bool,
}

/// Issued tickets.
#[derive(Debug, Default)]
pub(crate) struct Tickets {
    issued: HashMap<String, Ticket>,
}

impl Tickets {
    /// Records a new ticket valid for `ttl`; `events` says whether its connection subscribed to
    /// EVENT frames.
    pub(crate) fn issue(&mut self, ticket: String, ttl: Duration, events: bool) {
        let now = Instant::now();
        // Forget tickets long expired, so a long run keeps few; a recent one still says "expired".
        self.issued.retain(|_, t| now < t.expires_at + ttl);
        self.issued.insert(
            ticket,
            Ticket {
                expires_at: now + ttl,
                used: false,
                events,
            },
        );
    }

    /// Spends a ticket: whether its connection subscribed to events, or why it is refused.
    pub(crate) fn redeem(&mut self, ticket: Option<&str>) -> Result<bool, TicketRefusal> {
        let entry = ticket
            .and_then(|t| self.issued.get_mut(t))
            .ok_or(TicketRefusal::Unknown)?;
        if entry.used {
            return Err(TicketRefusal::Used);
        }
        if Instant::now() >= entry.expires_at {
            return Err(TicketRefusal::Expired);
        }
        entry.used = true;
        Ok(entry.events)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ticket_opens_once_and_not_after_it_expires() {
        let mut tickets = Tickets::default();
        tickets.issue("a".into(), Duration::from_secs(60), true);
        tickets.issue("b".into(), Duration::ZERO, false);
        assert_eq!(tickets.redeem(Some("a")), Ok(true));
        assert_eq!(tickets.redeem(Some("a")), Err(TicketRefusal::Used));
        assert_eq!(tickets.redeem(Some("b")), Err(TicketRefusal::Expired));
        assert_eq!(tickets.redeem(Some("c")), Err(TicketRefusal::Unknown));
        assert_eq!(tickets.redeem(None), Err(TicketRefusal::Unknown));
    }
}
