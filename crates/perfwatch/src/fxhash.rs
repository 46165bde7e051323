//! A small multiplicative hasher for the probe's pointer-and-id keys:
//! SipHash's flooding resistance buys nothing here and costs on every miss.

use std::hash::{BuildHasherDefault, Hasher};

/// Hash maps keyed by ids and pointers.
pub(crate) type FxBuild = BuildHasherDefault<FxHasher>;

/// Rotate, xor, multiply: good enough for keys that are ids and addresses.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct FxHasher {
    hash: u64,
}

const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl FxHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.hash = (self.hash.rotate_left(5) ^ word).wrapping_mul(SEED);
    }
}

impl Hasher for FxHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
    }

    #[inline]
    fn write_u64(&mut self, n: u64) {
        self.add(n);
    }

    #[inline]
    fn write_usize(&mut self, n: usize) {
        self.add(n as u64);
    }

    #[inline]
    fn finish(&self) -> u64 {
        self.hash
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[test]
    fn maps_work_with_it() {
        let mut m: HashMap<(u64, usize), u32, FxBuild> = HashMap::default();
        for i in 0..1000u64 {
            m.insert((i, (i * 8) as usize), i as u32);
        }
        assert!((0..1000u64).all(|i| m[&(i, (i * 8) as usize)] == i as u32));
    }
}
