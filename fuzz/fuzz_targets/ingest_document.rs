//! `POST /api/v1/sessions` of `perfwatch serve`: a request body checked
//! as a `perfwatch.session.v1` document to be stored, then analysed as the
//! server will analyse the stored session.
#![no_main]

use libfuzzer_sys::fuzz_target;
use perfwatch_app::ingest::parse_for_store;
use perfwatch_app::{analyze, Options};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok((session, iterations)) = parse_for_store(text) {
        let _ = analyze(session, iterations, None, &Options::default());
    }
});
