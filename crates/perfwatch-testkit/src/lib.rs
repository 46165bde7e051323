//! Test helpers shared by perfwatch's crates: the inputs of the "never
//! panics on arbitrary bytes" property tests that every parser of
//! untrusted input has (the fuzz targets in `fuzz/` explore the same
//! parsers much further), a private PostgreSQL server for the store's
//! tests ([`postgres`]), and for the Prometheus exposition a strict
//! OpenMetrics reader ([`openmetrics`]), `promtool` and a private
//! Prometheus server ([`prometheus`]); the synthetic pipeline history of
//! the store and server benchmarks ([`synthetic`]).

pub mod cdp;
pub mod investigation;
pub mod openmetrics;
pub mod postgres;
pub mod prometheus;
pub mod synthetic;

use proptest::prelude::*;

/// `seed` with up to 8 bytes overwritten and its tail maybe cut: inputs
/// that get past a parser's first checks, as arbitrary bytes seldom do.
pub fn mangled(seed: &'static [u8]) -> impl Strategy<Value = Vec<u8>> {
    (
        prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..8),
        any::<prop::sample::Index>(),
    )
        .prop_map(move |(edits, cut)| {
            let mut bytes = seed.to_vec();
            for (at, byte) in edits {
                let i = at.index(bytes.len());
                bytes[i] = byte;
            }
            bytes.truncate(cut.index(bytes.len() + 1));
            bytes
        })
}

/// Arbitrary bytes (up to 4 KiB), or `seed` [`mangled`].
pub fn arbitrary_or_mangled(seed: &'static [u8]) -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![prop::collection::vec(any::<u8>(), 0..4096), mangled(seed)]
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;

    #[test]
    fn mangled_inputs_keep_the_seed_length_at_most() {
        let mut runner = TestRunner::deterministic();
        for _ in 0..200 {
            let v = mangled(b"0123456789")
                .new_tree(&mut runner)
                .unwrap()
                .current();
            assert!(v.len() <= 10);
        }
    }
}
