//! A hyperfine `--export-json` file, imported as sessions.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // The file is read as UTF-8 text; other bytes never reach the parser.
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = perfwatch_import::import_hyperfine(text, "fuzz.json");
    }
});
