//! Where keys sit in perfwatch.toml, for the checks that relate several
//! keys (or a key and a flag) after the file was read, so that they too
//! name the file, line and column.

use indexmap::IndexMap;
use serde::Deserialize;
use std::fmt;
use std::path::{Path, PathBuf};
use toml::Spanned;

/// A key's place: the file, its 1-based line and column.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Place {
    /// The file.
    pub path: PathBuf,
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
}

/// `file:line:column`.
impl fmt::Display for Place {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.path.display(), self.line, self.column)
    }
}

/// Where a benchmark's run counts are set.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RunCountPlaces {
    /// `min_runs`.
    pub min_runs: Option<Place>,
    /// `max_runs`.
    pub max_runs: Option<Place>,
}

#[derive(Deserialize)]
struct File {
    #[serde(default)]
    benchmark: IndexMap<String, Benchmark>,
}

#[derive(Deserialize)]
struct Benchmark {
    min_runs: Option<Spanned<toml::Value>>,
    max_runs: Option<Spanned<toml::Value>>,
}

/// The places of each benchmark's run counts in `text`, a file that
/// already parsed (anything else gives none).
pub fn run_counts(text: &str, path: &Path) -> IndexMap<String, RunCountPlaces> {
    let Ok(file) = toml::from_str::<File>(text) else {
        return IndexMap::new();
    };
    let place = |v: &Option<Spanned<toml::Value>>| {
        v.as_ref().map(|v| {
            let (line, column) = super::line_col(text, v.span().start);
            Place {
                path: path.to_path_buf(),
                line,
                column,
            }
        })
    };
    file.benchmark
        .into_iter()
        .map(|(name, b)| {
            let places = RunCountPlaces {
                min_runs: place(&b.min_runs),
                max_runs: place(&b.max_runs),
            };
            (name, places)
        })
        .collect()
}
