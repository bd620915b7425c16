//! What the server stamps on a record it creates: the time, as IAM formats it, and a fresh
//! UUID-shaped id drawn from the kit's random generator.

use std::sync::OnceLock;
use std::time::{SystemTime, UNIX_EPOCH};

use chrono::{SecondsFormat, Utc};
use parking_lot::Mutex;
use syncer_sim_kit::SimRng;

/// The server clock as `util.GetCurrentTime` formats it (RFC 3339, seconds).
pub(crate) fn now() -> String {
    Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// A fresh UUID-shaped user id, as `util.GenerateId` returns: distinct for the whole process
/// (one generator, seeded from the clock at first use, never repeats 128 bits).
pub(crate) fn generate_id() -> String {
    static IDS: OnceLock<Mutex<SimRng>> = OnceLock::new();
    let ids = IDS.get_or_init(|| {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |elapsed| elapsed.as_nanos() as u64);
        Mutex::new(SimRng::new(nanos))
    });
    let (high, low) = {
        let mut rng = ids.lock();
        (rng.next_u64(), rng.next_u64())
    };
    format!(
        "{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
        high >> 32,
        (high >> 16) & 0xffff,
        high & 0xfff,
        (low >> 48) & 0xfff,
        low & 0xffff_ffff_ffff
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_uuid_shaped_and_distinct() {
        let a = generate_id();
        let b = generate_id();
        assert_ne!(a, b);
        let groups: Vec<usize> = a.split('-').map(str::len).collect();
        assert_eq!(groups, [8, 4, 4, 4, 12]);
        assert!(a.chars().all(|c| c == '-' || c.is_ascii_hexdigit()));
    }
}
