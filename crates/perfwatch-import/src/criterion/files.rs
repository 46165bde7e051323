//! criterion's files as it writes them, and reading them.

use crate::detect::{require_shape, Shape};
use crate::json::{parse_typed, parse_value, read_text};
use crate::ImportError;
use serde::Deserialize;
use serde_json::Value;
use std::path::Path;

/// One statistic of `estimates.json` (its interval is not needed here).
#[derive(Debug, Deserialize)]
pub(crate) struct Estimate {
    pub(crate) point_estimate: f64,
}

/// `estimates.json`: only the median is used, when there is no sample.
#[derive(Debug, Deserialize)]
pub(crate) struct Estimates {
    pub(crate) median: Estimate,
}

/// `sample.json`: per sample, how many runs and their total time.
#[derive(Debug, Deserialize)]
pub(crate) struct Sample {
    pub(crate) iters: Vec<f64>,
    pub(crate) times: Vec<f64>,
}

/// `benchmark.json`: the benchmark's id.
#[derive(Debug, Deserialize)]
pub(crate) struct BenchmarkId {
    pub(crate) group_id: String,
    #[serde(default)]
    pub(crate) function_id: Option<String>,
    #[serde(default)]
    pub(crate) value_str: Option<String>,
    #[serde(default)]
    pub(crate) throughput: Option<Value>,
}

impl BenchmarkId {
    /// `group/function/value`, leaving out the parts that are absent.
    pub(crate) fn full_id(&self) -> String {
        std::iter::once(&self.group_id)
            .chain(self.function_id.as_ref())
            .chain(self.value_str.as_ref())
            .cloned()
            .collect::<Vec<_>>()
            .join("/")
    }

    /// `1024 bytes`, `10 elements`: what one run processes, when declared.
    pub(crate) fn throughput(&self) -> Option<String> {
        let (kind, amount) = self.throughput.as_ref()?.as_object()?.iter().next()?;
        let amount = amount.as_u64()?;
        let unit = match kind.as_str() {
            "Bytes" | "BytesDecimal" => "bytes",
            "Elements" => "elements",
            "Bits" => "bits",
            other => return Some(format!("{amount} ({other})")),
        };
        Some(format!("{amount} {unit}"))
    }
}

/// Parses the text of `estimates.json`, refusing anything that is not
/// criterion's absolute estimates; `origin` names the file in errors.
pub(crate) fn parse_estimates(text: &str, origin: &str) -> Result<Estimates, ImportError> {
    match require_shape(&parse_value(text, origin)?, origin)? {
        Shape::CriterionEstimates => parse_typed(text, origin),
        Shape::CriterionChange => Err(ImportError::CriterionChange {
            origin: origin.to_string(),
        }),
        Shape::Hyperfine => Err(ImportError::Unrecognized {
            origin: origin.to_string(),
        }),
    }
}

/// Reads a file's text when it exists; `None` when it does not.
pub(crate) fn read_optional(path: &Path) -> Result<Option<String>, ImportError> {
    if !path.is_file() {
        return Ok(None);
    }
    read_text(path).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn id(function: Option<&str>, value: Option<&str>, throughput: Value) -> BenchmarkId {
        BenchmarkId {
            group_id: "parse".into(),
            function_id: function.map(Into::into),
            value_str: value.map(Into::into),
            throughput: Some(throughput),
        }
    }

    #[test]
    fn full_id_leaves_out_absent_parts() {
        let cases = [
            (Some("json"), Some("1024"), "parse/json/1024"),
            (Some("json"), None, "parse/json"),
            (None, Some("1024"), "parse/1024"),
            (None, None, "parse"),
        ];
        for (function, value, expected) in cases {
            assert_eq!(id(function, value, Value::Null).full_id(), expected);
        }
    }

    #[test]
    fn throughput_is_described_per_run() {
        let cases = [
            (json!({"Bytes": 1024}), Some("1024 bytes")),
            (json!({"BytesDecimal": 1000}), Some("1000 bytes")),
            (json!({"Elements": 10}), Some("10 elements")),
            (json!({"Bits": 8}), Some("8 bits")),
            (json!({"Lines": 3}), Some("3 (Lines)")),
            (Value::Null, None),
        ];
        for (throughput, expected) in cases {
            assert_eq!(
                id(None, None, throughput.clone()).throughput().as_deref(),
                expected,
                "{throughput}"
            );
        }
    }
}
