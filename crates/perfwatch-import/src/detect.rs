//! Telling the formats apart by content, not by file name.

use crate::json::{parse_value, read_text};
use crate::{ImportError, Source};
use serde_json::Value;
use std::path::{Path, PathBuf};

/// What a parsed JSON document looks like.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shape {
    /// `{"results": [{"command": …}, …]}` (or an empty `results`).
    Hyperfine,
    /// criterion's absolute estimates: `mean`, `median` and `std_dev`,
    /// each with a `point_estimate`.
    CriterionEstimates,
    /// criterion's `change/estimates.json`: only `mean` and `median`.
    CriterionChange,
}

/// Classifies a JSON document; `None` when it is neither format.
pub(crate) fn shape(value: &Value) -> Option<Shape> {
    let has_estimate = |key: &str| {
        value
            .get(key)
            .and_then(|e| e.get("point_estimate"))
            .is_some_and(Value::is_number)
    };
    if let Some(results) = value.get("results").and_then(Value::as_array) {
        let commands = results.first().is_none_or(|r| r.get("command").is_some());
        if commands {
            return Some(Shape::Hyperfine);
        }
    }
    if has_estimate("mean") && has_estimate("median") {
        if value.get("std_dev").is_some() {
            return Some(Shape::CriterionEstimates);
        }
        if value.get("median_abs_dev").is_none() {
            return Some(Shape::CriterionChange);
        }
    }
    None
}

/// The shape of a document, or the error that says why it cannot be imported.
pub(crate) fn require_shape(value: &Value, origin: &str) -> Result<Shape, ImportError> {
    shape(value).ok_or_else(|| ImportError::Unrecognized {
        origin: origin.to_string(),
    })
}

/// Which tool wrote `path`, judged by content.
///
/// A file is a hyperfine export when it holds `{"results": [{"command": …}]}`,
/// and criterion's when it holds absolute estimates (`mean`, `median`,
/// `std_dev`, each with a `point_estimate`), whatever its name. A directory
/// is criterion's when a `new/estimates.json` lies anywhere below it (or in
/// it, for the `new` directory itself).
///
/// # Errors
///
/// [`ImportError::Read`] when the path cannot be read,
/// [`ImportError::Json`] for invalid JSON, [`ImportError::CriterionChange`]
/// for criterion's relative change estimates,
/// [`ImportError::NoCriterionResults`] for a directory without results and
/// [`ImportError::Unrecognized`] for any other JSON.
pub fn detect_source(path: &Path) -> Result<Source, ImportError> {
    let meta = std::fs::metadata(path).map_err(|source| ImportError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    if meta.is_dir() {
        return if criterion_estimates_below(path)?.is_empty() {
            Err(ImportError::NoCriterionResults {
                path: path.to_path_buf(),
            })
        } else {
            Ok(Source::Criterion)
        };
    }
    let origin = path.display().to_string();
    let value = parse_value(&read_text(path)?, &origin)?;
    match require_shape(&value, &origin)? {
        Shape::Hyperfine => Ok(Source::Hyperfine),
        Shape::CriterionEstimates => Ok(Source::Criterion),
        Shape::CriterionChange => Err(ImportError::CriterionChange { origin }),
    }
}

/// Every `new/estimates.json` at or below `root`, sorted by path.
///
/// Only `new` is read: criterion keeps the latest run there and copies it to
/// `base` (or a `--save-baseline` name), which would double every result.
pub(crate) fn criterion_estimates_below(root: &Path) -> Result<Vec<PathBuf>, ImportError> {
    let mut found = Vec::new();
    for entry in walkdir::WalkDir::new(root).sort_by_file_name() {
        let entry = entry.map_err(|e| {
            let path = e.path().unwrap_or(root).to_path_buf();
            let source = e
                .into_io_error()
                .unwrap_or_else(|| std::io::Error::other("file system loop"));
            ImportError::Read { path, source }
        })?;
        let path = entry.path();
        let in_new = path
            .parent()
            .and_then(Path::file_name)
            .is_some_and(|n| n == "new");
        if entry.file_type().is_file() && entry.file_name() == "estimates.json" && in_new {
            found.push(path.to_path_buf());
        }
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn shapes_are_told_apart_by_content() {
        let estimate = json!({"point_estimate": 1.0, "standard_error": 0.1,
            "confidence_interval": {"confidence_level": 0.95, "lower_bound": 0.9, "upper_bound": 1.1}});
        let cases = vec![
            (
                json!({"results": [{"command": "sleep 1", "times": [1.0]}]}),
                Some(Shape::Hyperfine),
            ),
            (json!({"results": []}), Some(Shape::Hyperfine)),
            (json!({"results": [{"name": "x"}]}), None),
            (
                json!({"mean": estimate, "median": estimate, "median_abs_dev": estimate,
                       "slope": null, "std_dev": estimate}),
                Some(Shape::CriterionEstimates),
            ),
            (
                json!({"mean": estimate, "median": estimate}),
                Some(Shape::CriterionChange),
            ),
            (json!({"mean": 1.0, "median": 2.0}), None),
            (json!([1, 2, 3]), None),
            (json!("results"), None),
        ];
        for (value, expected) in cases {
            assert_eq!(shape(&value), expected, "{value}");
        }
    }
}
