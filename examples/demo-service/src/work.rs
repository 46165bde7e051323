//! CPU-bound busy work and the hash that drives it.
//!
//! The work runs for a wall-clock budget rather than a fixed number of
//! rounds so that debug builds, release builds and busy machines all show
//! the same planted times; it still keeps a core busy the whole time.

use std::hint::black_box;
use std::time::{Duration, Instant};

/// Rounds between two clock reads; keeps the clock out of the profile.
const ROUNDS_PER_CHECK: u64 = 256;

/// The SplitMix64 finaliser: a cheap, well-mixing 64-bit hash.
pub(crate) fn mix(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Hashes from `seed` on the calling thread until `budget` has passed.
pub(crate) fn burn(budget: Duration, seed: u64) -> u64 {
    let start = Instant::now();
    let mut state = seed;
    loop {
        for _ in 0..ROUNDS_PER_CHECK {
            state = mix(black_box(state));
        }
        if start.elapsed() >= budget {
            return state;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mix_spreads_neighbouring_inputs() {
        assert_ne!(mix(0), mix(1));
        assert_ne!(mix(1) >> 32, mix(2) >> 32);
    }

    #[test]
    fn burn_lasts_its_budget() {
        let start = Instant::now();
        burn(Duration::from_millis(5), 7);
        assert!(start.elapsed() >= Duration::from_millis(5));
    }
}
