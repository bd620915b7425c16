//! The simulators' one random generator (SplitMix64): seeded, identical on every platform and
//! Rust version, and fast even in unoptimized test builds, where generating a 100,000-user org
//! through a cryptographic generator would take seconds.

/// A seeded SplitMix64 generator.
#[derive(Debug, Clone)]
pub struct SimRng {
    state: u64,
}

/// Makes every [`SimRng::unique`] generator of this process start elsewhere.
static UNIQUE: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

impl SimRng {
    /// A generator whose sequence no other in this process or run shares (seeded from the clock
    /// and a process-wide counter): for ids that must never repeat, such as event ids a client
    /// remembers across restarts and simulators.
    pub fn unique() -> SimRng {
        let nth = UNIQUE.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let now = crate::clock::unix_millis() as u64;
        SimRng::new(mix64(now ^ mix64(nth ^ u64::from(std::process::id()))))
    }

    /// A generator whose sequence is fixed by `seed`.
    pub fn new(seed: u64) -> SimRng {
        SimRng { state: seed }
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        mix64(self.state)
    }

    /// Uniform in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        let n = n as u64;
        // Multiply-shift maps 64 random bits onto 0..n with negligible bias for our sizes.
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as usize
    }

    /// Uniform in `low..high` (`low` when the range is empty).
    pub fn range(&mut self, low: i64, high: i64) -> i64 {
        let span = high.saturating_sub(low).max(0) as u64;
        let offset = ((u128::from(self.next_u64()) * u128::from(span)) >> 64) as i64;
        low + offset
    }

    /// Uniform in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// True with probability `p` (never for `p <= 0`, always for `p >= 1`; neither draws).
    pub fn chance(&mut self, p: f64) -> bool {
        if p <= 0.0 || p.is_nan() {
            false
        } else if p >= 1.0 {
            true
        } else {
            self.unit() < p
        }
    }

    /// A uniformly chosen element (None for an empty slice).
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        if items.is_empty() {
            None
        } else {
            items.get(self.below(items.len()))
        }
    }

    /// Shuffles in place (Fisher–Yates).
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            items.swap(i, self.below(i + 1));
        }
    }

    /// 16 random bytes (two draws): an IV, the random head of a sealed message.
    pub fn bytes16(&mut self) -> [u8; 16] {
        let mut out = [0u8; 16];
        out[..8].copy_from_slice(&self.next_u64().to_le_bytes());
        out[8..].copy_from_slice(&self.next_u64().to_le_bytes());
        out
    }

    /// 32 lowercase hex digits (two draws), as tokens and Lark's ids carry.
    pub fn hex32(&mut self) -> String {
        format!("{:016x}{:016x}", self.next_u64(), self.next_u64())
    }
}

/// SplitMix64's finalizer: a well-mixed 64-bit value from any input (also used for request ids).
pub fn mix64(n: u64) -> u64 {
    let mut z = n;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unique_generators_do_not_repeat_each_other() {
        let (mut a, mut b) = (SimRng::unique(), SimRng::unique());
        assert_ne!(a.hex32(), b.hex32());
    }

    #[test]
    fn sequences_are_fixed_by_the_seed_and_stay_in_range() {
        let mut a = SimRng::new(5);
        let mut b = SimRng::new(5);
        for _ in 0..100 {
            assert_eq!(a.next_u64(), b.next_u64());
        }
        let mut rng = SimRng::new(1);
        for _ in 0..1000 {
            assert!(rng.below(7) < 7);
            assert!((10..20).contains(&rng.range(10, 20)));
            assert!((0.0..1.0).contains(&rng.unit()));
        }
        assert_eq!(rng.below(0), 0);
        assert_eq!(rng.range(3, 3), 3);
        assert!(!rng.chance(0.0) && rng.chance(1.0));
        let hits = (0..10_000).filter(|_| rng.chance(0.3)).count();
        assert!((2_700..3_300).contains(&hits), "{hits}");
        let mut items: Vec<u32> = (0..50).collect();
        rng.shuffle(&mut items);
        items.sort_unstable();
        assert_eq!(items, (0..50).collect::<Vec<_>>());
    }

    #[test]
    fn hex32_is_two_draws_in_lowercase_hex() {
        let mut rng = SimRng::new(9);
        let mut same = SimRng::new(9);
        let hex = rng.hex32();
        assert_eq!(hex.len(), 32);
        assert!(hex
            .chars()
            .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));
        assert_eq!(
            hex,
            format!("{:016x}{:016x}", same.next_u64(), same.next_u64())
        );
    }
}
