//! A criterion run: the input is `estimates.json`, then optionally
//! `sample.json` and `benchmark.json`, separated by NUL bytes (which JSON
//! text never holds).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut files = data.splitn(3, |&b| b == 0).map(std::str::from_utf8);
    let Some(Ok(estimates)) = files.next() else {
        return;
    };
    let sample = match files.next() {
        Some(Ok(text)) => Some(text),
        Some(Err(_)) => return,
        None => None,
    };
    let benchmark = match files.next() {
        Some(Ok(text)) => Some(text),
        Some(Err(_)) => return,
        None => None,
    };
    let _ = perfwatch_import::criterion::parse_run(estimates, sample, benchmark);
});
