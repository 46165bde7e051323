//! `perfwatch detect --csv`: the series read from the file's bytes, then
//! its change points located with the default options.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = perfwatch_cli::parsers::detect_csv(data, None);
});
