//! `perfwatch compare BASE.json CANDIDATE.json` on exported
//! `perfwatch.session.v1` files: both parsed, the base summarised as the
//! reference and the candidate analysed against it. The input is the
//! candidate, or the base, a NUL byte (which JSON text never holds) and
//! the candidate; alone, the candidate is compared with itself.
#![no_main]

use libfuzzer_sys::fuzz_target;
use perfwatch_analysis::summarize_session;
use perfwatch_app::load::parse_json;
use perfwatch_app::{analyze_against, Options, ReferenceData};
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let (base, candidate) = match data.iter().position(|&b| b == 0) {
        Some(at) => (&data[..at], &data[at + 1..]),
        None => (data, data),
    };
    let (Ok(base), Ok(candidate)) = (std::str::from_utf8(base), std::str::from_utf8(candidate))
    else {
        return;
    };
    let opts = Options::default();
    let Ok((session, iterations)) = parse_json(base, Path::new("base.json")) else {
        return;
    };
    let reference = ReferenceData {
        label: "base.json".into(),
        export: summarize_session(session, iterations, &opts.ci()),
    };
    let Ok((session, iterations)) = parse_json(candidate, Path::new("candidate.json")) else {
        return;
    };
    let _ = analyze_against(session, iterations, &reference, &opts);
});
