//! Histories built once per test binary and handed to each test as a copy,
//! so that many read-only checks share one set of (slow) runs without
//! sharing a directory.

use crate::util::TestDir;
use std::sync::OnceLock;

/// The history database's files (`history.db` and, when present, its
/// write-ahead log) as bytes.
pub type Frozen = Vec<(String, Vec<u8>)>;

/// A fresh directory holding a copy of the history that `build` makes;
/// `build` runs once per test binary, in a directory of its own.
pub fn thaw(cell: &'static OnceLock<Frozen>, build: fn(&TestDir)) -> TestDir {
    let files = cell.get_or_init(|| {
        let dir = TestDir::new();
        build(&dir);
        ["history.db", "history.db-wal"]
            .iter()
            .filter_map(|name| {
                std::fs::read(dir.join(name))
                    .ok()
                    .map(|bytes| (name.to_string(), bytes))
            })
            .collect()
    });
    assert!(
        files.iter().any(|(name, _)| name == "history.db"),
        "the fixture stored nothing"
    );
    let dir = TestDir::new();
    for (name, bytes) in files {
        dir.write(name, bytes);
    }
    dir
}
