//! What serve shows of a syncer's events: counters since start, whether its stream is up, its
//! last error, and the recent events (a bounded list, newest first).

use std::collections::VecDeque;

use serde::Serialize;
use syncer_core::EventMode;

/// How many recent events are kept per syncer.
pub const RECENT: usize = 200;

/// One handled event, as `GET /api/v1/syncers/{name}/events` lists it.
#[derive(Clone, Debug, Serialize)]
pub struct EventRecord {
    /// The directory's event id.
    pub id: String,
    /// The directory's event type (`user_add_org`).
    #[serde(rename = "type")]
    pub kind: String,
    /// The people (or departments) it named.
    pub people: Vec<String>,
    /// `applied`, `unchanged`, `held_back`, `failed`, `ignored`, `duplicate`, or `later` (the
    /// target was unreachable: the directory delivers it again).
    pub outcome: &'static str,
    /// Writes the batch it was applied in sent to the target.
    pub writes: u64,
    /// The problem, when there was one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// When it was handled, RFC 3339.
    pub at: String,
}

/// The `events` of a syncer in `GET /api/v1/syncers`.
#[derive(Clone, Debug, Default, Serialize)]
pub struct EventCounters {
    /// How the syncer receives events.
    pub mode: EventMode,
    /// Stream mode: whether the connection is up now (HTTP mode: always `false`).
    pub connected: bool,
    /// When the last event arrived, RFC 3339.
    pub last_event_at: Option<String>,
    /// Events delivered (duplicates included).
    pub received: u64,
    /// Events applied (including those that found nothing to change).
    pub applied: u64,
    /// Events delivered again and not applied twice.
    pub duplicates: u64,
    /// Events recorded as failed (the next full sync catches up).
    pub failed: u64,
    /// Events whose deprovisions the guard withheld.
    pub held_back: u64,
    /// Events wait now for a full run of the syncer to end.
    pub waiting_for_run: bool,
    /// Why the stream is not working, when it is not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// Counters and recent events of one syncer.
#[derive(Debug, Default)]
pub struct EventStatus {
    /// The counters.
    pub counters: EventCounters,
    recent: VecDeque<EventRecord>,
}

/// Now, RFC 3339 with milliseconds.
pub fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

impl EventStatus {
    /// A status of `mode`, nothing received yet.
    pub fn new(mode: EventMode) -> Self {
        Self {
            counters: EventCounters {
                mode,
                ..EventCounters::default()
            },
            recent: VecDeque::new(),
        }
    }

    /// An event arrived.
    pub fn received(&mut self) {
        self.counters.received += 1;
        self.counters.last_event_at = Some(now());
    }

    /// An event was handled with `record.outcome`.
    pub fn handled(&mut self, record: EventRecord) {
        match record.outcome {
            "applied" | "unchanged" => self.counters.applied += 1,
            "duplicate" => self.counters.duplicates += 1,
            "failed" => self.counters.failed += 1,
            "held_back" => self.counters.held_back += 1,
            _ => {}
        }
        if self.recent.len() == RECENT {
            self.recent.pop_back();
        }
        self.recent.push_front(record);
    }

    /// The recent events, newest first.
    pub fn recent(&self) -> Vec<EventRecord> {
        self.recent.iter().cloned().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(outcome: &'static str) -> EventRecord {
        EventRecord {
            id: "e".into(),
            kind: "user_add_org".into(),
            people: vec![],
            outcome,
            writes: 0,
            error: None,
            at: now(),
        }
    }

    #[test]
    fn the_recent_list_is_bounded_and_newest_first() {
        let mut status = EventStatus::new(EventMode::Stream);
        for _ in 0..RECENT + 5 {
            status.handled(record("applied"));
        }
        status.handled(record("duplicate"));
        let recent = status.recent();
        assert_eq!(recent.len(), RECENT);
        assert_eq!(recent[0].outcome, "duplicate");
        assert_eq!(status.counters.applied, RECENT as u64 + 5);
        assert_eq!(status.counters.duplicates, 1);
    }
}
