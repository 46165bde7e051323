//! Reading files and parsing JSON into errors that give `file:line:column`
//! and the field.

use crate::ImportError;
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::path::Path;

/// Reads a whole file as UTF-8 text.
pub(crate) fn read_text(path: &Path) -> Result<String, ImportError> {
    std::fs::read_to_string(path).map_err(|source| ImportError::Read {
        path: path.to_path_buf(),
        source,
    })
}

/// Parses any JSON value; syntax errors carry their position.
pub(crate) fn parse_value(text: &str, origin: &str) -> Result<Value, ImportError> {
    serde_json::from_str(text).map_err(|e| json_error(origin, &e, None))
}

/// Parses `text` into `T`; type errors carry their position and the path of
/// the field (`results[1].times[3]`).
pub(crate) fn parse_typed<T: DeserializeOwned>(text: &str, origin: &str) -> Result<T, ImportError> {
    let mut de = serde_json::Deserializer::from_str(text);
    let value: T = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let field = e.path().to_string();
        json_error(origin, e.inner(), Some(&field))
    })?;
    de.end().map_err(|e| json_error(origin, &e, None))?;
    Ok(value)
}

fn json_error(origin: &str, e: &serde_json::Error, field: Option<&str>) -> ImportError {
    let full = e.to_string();
    // serde_json appends " at line L column C"; we put the position first.
    let suffix = format!(" at line {} column {}", e.line(), e.column());
    let bare = full.strip_suffix(&suffix).unwrap_or(&full);
    let message = match (e.classify(), field) {
        (serde_json::error::Category::Data, Some(field)) if field != "." => {
            format!("{field}: {bare}")
        }
        (serde_json::error::Category::Data, _) => bare.to_string(),
        _ => format!("invalid JSON: {bare}"),
    };
    ImportError::Json {
        origin: origin.to_string(),
        line: e.line(),
        column: e.column(),
        message,
    }
}

/// Checks that a time is finite and non-negative.
pub(crate) fn check_time(
    value: f64,
    origin: &str,
    field: impl FnOnce() -> String,
) -> Result<f64, ImportError> {
    if value.is_finite() && (0.0..=perfwatch_model::iteration::MAX_SECONDS).contains(&value) {
        Ok(value)
    } else {
        Err(ImportError::BadTime {
            origin: origin.to_string(),
            field: field(),
            value,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Doc {
        items: Vec<f64>,
    }

    #[test]
    fn syntax_errors_give_line_and_column() {
        let err = parse_value("{\n  \"a\": 1,\n  \"b\" 2\n}", "x.json").unwrap_err();
        assert_eq!(err.to_string(), "x.json:3:7: invalid JSON: expected `:`");
    }

    #[test]
    fn type_errors_name_the_field() {
        let text = "{\n  \"items\": [1.0,\n    \"slow\"]\n}";
        let err = parse_typed::<Doc>(text, "x.json").unwrap_err();
        assert_eq!(
            err.to_string(),
            "x.json:3:10: items[1]: invalid type: string \"slow\", expected f64"
        );
    }

    #[test]
    fn missing_fields_are_named() {
        let err = parse_typed::<Doc>("{}", "x.json").unwrap_err();
        assert_eq!(err.to_string(), "x.json:1:2: missing field `items`");
    }

    #[test]
    fn times_must_be_finite_and_non_negative() {
        assert_eq!(check_time(0.0, "f", || "t".into()).unwrap(), 0.0);
        for bad in [-0.001, f64::NAN, f64::INFINITY] {
            let err = check_time(bad, "f", || "t[0]".into()).unwrap_err();
            assert!(matches!(err, ImportError::BadTime { .. }), "{bad}");
        }
    }
}
