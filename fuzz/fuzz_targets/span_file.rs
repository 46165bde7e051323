//! The span file (`PERFWATCH_SPANS`): JSON Lines read after each
//! iteration, then assembled into spans, counters and gauges.
#![no_main]

use libfuzzer_sys::fuzz_target;

/// A spawn time in 2023, so that records of any time are tried against
/// the iteration's bounds.
const SPAWN_UNIX_NS: u64 = 1_700_000_000_000_000_000;

fuzz_target!(|data: &[u8]| {
    // A small limit, so that the over-limit path is taken as well.
    let collected = perfwatch_runner::parse_span_lines(data, 64);
    let _ = perfwatch_runner::assemble(collected.records, SPAWN_UNIX_NS);
});
