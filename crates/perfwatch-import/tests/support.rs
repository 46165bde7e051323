//! Fixtures and a temporary criterion tree.

use proptest::prelude::*;
use std::path::{Path, PathBuf};

pub const HYPERFINE_TWO_COMMANDS: &str = include_str!("fixtures/compare-threads.json");
pub const CRITERION_ESTIMATES: &str = include_str!("fixtures/criterion/estimates.json");
pub const CRITERION_SAMPLE: &str = include_str!("fixtures/criterion/sample.json");
pub const CRITERION_BENCHMARK: &str = include_str!("fixtures/criterion/benchmark.json");

/// criterion's relative change estimates (ratios).
pub const CRITERION_CHANGE: &str = r#"{"mean":{"confidence_interval":{"confidence_level":0.95,"lower_bound":-0.021,"upper_bound":0.012},"point_estimate":-0.004,"standard_error":0.008},"median":{"confidence_interval":{"confidence_level":0.95,"lower_bound":-0.015,"upper_bound":0.009},"point_estimate":-0.002,"standard_error":0.006}}"#;

/// Writes `text` to `dir/relative`, creating directories.
pub fn write(dir: &Path, relative: &str, text: &str) -> PathBuf {
    let path = dir.join(relative);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, text).unwrap();
    path
}

/// A criterion output tree as `cargo bench` leaves it:
///
/// - `parse/json`: `new/` with all three files, a `base/` copy (with a
///   different sample, to prove it is not read), `change/estimates.json`
///   and a `report/` directory;
/// - `fib/20`: `new/estimates.json` only, no `benchmark.json`.
pub fn criterion_tree() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("target/criterion");
    for run in ["new", "base"] {
        write(
            &root,
            &format!("parse/json/{run}/estimates.json"),
            CRITERION_ESTIMATES,
        );
        write(
            &root,
            &format!("parse/json/{run}/benchmark.json"),
            CRITERION_BENCHMARK,
        );
    }
    write(&root, "parse/json/new/sample.json", CRITERION_SAMPLE);
    write(
        &root,
        "parse/json/base/sample.json",
        r#"{"sampling_mode":"Flat","iters":[10.0],"times":[99999.0]}"#,
    );
    write(&root, "parse/json/change/estimates.json", CRITERION_CHANGE);
    write(&root, "parse/json/report/index.html", "<html></html>");
    write(&root, "fib/20/new/estimates.json", CRITERION_ESTIMATES);
    write(&root, "report/index.html", "<html></html>");
    dir
}

/// Arbitrary bytes (up to 4 KiB), or `seed` mangled, as text (invalid
/// UTF-8 replaced: the importers read text).
pub fn arbitrary_text(seed: &'static str) -> impl Strategy<Value = String> {
    perfwatch_testkit::arbitrary_or_mangled(seed.as_bytes())
        .prop_map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
}
