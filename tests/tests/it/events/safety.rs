//! Safety under events: a stale leave touches nobody, a storm of leavers stays within the
//! guard, an unreachable IAM gets the event again, handled ids survive a restart, and an event
//! waits for a running full sync.

use super::*;
