//! The parsers of untrusted input that the CLI itself owns, callable
//! without a command line, a file or a store: for the fuzz targets
//! (`fuzz/`) and the property tests. Each does what the command does with
//! the text or bytes it read, and fails with the message the command would
//! print.

use crate::commands::history::{locate_csv, parse_csv};
use crate::config::{parse, Config, DEFAULT_CONFIG};
use perfwatch_stats::changepoint::DetectOptions;
use std::path::Path;

/// Parses and validates `perfwatch.toml` text as every command reads the
/// file.
///
/// # Errors
///
/// The message naming the line, column and key of the first problem.
pub fn config(text: &str) -> Result<(), String> {
    parse(text, Path::new(DEFAULT_CONFIG))
        .map(drop)
        .map_err(|e| e.to_string())
}

/// `perfwatch detect --csv FILE [--column COLUMN]` on the file's bytes,
/// with the command's default options: the series is read, then its change
/// points located. Returns how many there are.
///
/// # Errors
///
/// The message of a file that is not a series (naming the bad line), or
/// of a series the detection refuses.
pub fn detect_csv(bytes: &[u8], column: Option<&str>) -> Result<usize, String> {
    let path = Path::new("series.csv");
    let (labels, values, _) = parse_csv(bytes, path, column).map_err(|e| format!("{e:#}"))?;
    let thresholds = crate::options::analysis_options(&Config::default(), None)
        .compare
        .severity;
    locate_csv(
        path,
        labels,
        &values,
        &DetectOptions::default(),
        &thresholds,
    )
    .map(|located| located.len())
    .map_err(|e| format!("{e:#}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    use perfwatch_testkit::arbitrary_or_mangled;

    #[test]
    fn the_example_config_and_a_stepped_series_are_accepted() {
        assert_eq!(config(crate::config::EXAMPLE), Ok(()));
        let series = include_bytes!("../../../fuzz/seeds/detect_csv/step.csv");
        assert_eq!(detect_csv(series, None), Ok(1));
    }

    proptest! {
        /// Any `perfwatch.toml` text is accepted or refused with a
        /// message, never a panic.
        #[test]
        fn config_parser_never_panics_on_arbitrary_bytes(
            bytes in arbitrary_or_mangled(crate::config::EXAMPLE.as_bytes()),
        ) {
            let _ = config(&String::from_utf8_lossy(&bytes));
        }

        /// Any file given to `detect --csv` is read (and its change points
        /// located) or refused with a message, never a panic.
        #[test]
        fn detect_csv_parser_never_panics_on_arbitrary_bytes(
            bytes in arbitrary_or_mangled(include_bytes!("../../../fuzz/seeds/detect_csv/step.csv")),
            column in proptest::option::of("[a-z_]{0,8}"),
        ) {
            let _ = detect_csv(&bytes, column.as_deref());
        }
    }
}
