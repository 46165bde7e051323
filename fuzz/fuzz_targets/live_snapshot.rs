//! `POST /api/v1/live/runs`: a `perfwatch.live.v1` snapshot body parsed
//! and checked never panics whatever the bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = perfwatch_app::live::parse_snapshot(data);
});
