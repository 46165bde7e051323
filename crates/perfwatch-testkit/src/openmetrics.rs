//! A strict reader of the OpenMetrics text format, for tests of what
//! perfwatch exposes at `/metrics`: it refuses what Prometheus would
//! refuse or misread, and returns the samples with their label values
//! unescaped, so that a test can compare them with what went in.
//!
//! Checked: every line is a `# HELP`, `# TYPE`, `# UNIT` or a sample; the
//! exposition ends with the one `# EOF`; a family's metadata comes before
//! its samples and a family is declared once; a sample's name is its
//! family's, with the suffixes its type allows (`_total` for a counter,
//! `_bucket`, `_count`, `_sum` for a histogram…); names and label names are
//! valid; label values use only the `\\`, `\"` and `\n` escapes; a family
//! with a unit has a name ending in it; no two samples have the same name
//! and labels; values are numbers.
//!
//! ```
//! let text = "# TYPE jobs gauge\n# HELP jobs Jobs.\njobs{queue=\"a\\\"b\"} 3\n# EOF\n";
//! let samples = perfwatch_testkit::openmetrics::parse(text).unwrap();
//! assert_eq!(samples[0].labels["queue"], "a\"b");
//! assert_eq!(samples[0].value, 3.0);
//! ```

use std::collections::{BTreeMap, BTreeSet};

/// One sample of an exposition.
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    /// The family it belongs to (its `# TYPE` name).
    pub family: String,
    /// The sample's name (the family's plus a suffix, for some types).
    pub name: String,
    /// Label names and their unescaped values.
    pub labels: BTreeMap<String, String>,
    /// The value.
    pub value: f64,
}

/// Where and why an exposition is not valid OpenMetrics text.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("read line {line} of the exposition ({text:?}): {why}")]
pub struct ExpositionError {
    /// 1-based line number.
    pub line: usize,
    /// The line, cut to 200 characters.
    pub text: String,
    /// What is wrong.
    pub why: String,
}

struct Family {
    name: String,
    kind: Option<String>,
    has_samples: bool,
}

/// Reads an exposition; see the [module documentation](self).
pub fn parse(text: &str) -> Result<Vec<Sample>, ExpositionError> {
    let mut samples = Vec::new();
    let mut families_seen = BTreeSet::new();
    let mut series_seen = BTreeSet::new();
    let mut current: Option<Family> = None;
    let mut eof = false;
    let lines: Vec<&str> = text.split('\n').collect();
    if lines.last() != Some(&"") {
        return Err(error(
            lines.len(),
            lines.last().unwrap_or(&""),
            "no final newline",
        ));
    }
    for (i, line) in lines[..lines.len() - 1].iter().enumerate() {
        let n = i + 1;
        let fail = |why: String| error(n, line, &why);
        if eof {
            return Err(fail("a line after `# EOF`".into()));
        }
        if *line == "# EOF" {
            eof = true;
            continue;
        }
        if let Some(rest) = line.strip_prefix("# ") {
            let (keyword, rest) = rest
                .split_once(' ')
                .ok_or_else(|| fail("no metric name".into()))?;
            let (name, value) = rest.split_once(' ').unwrap_or((rest, ""));
            check_metric_name(name).map_err(&fail)?;
            let same = current.as_ref().is_some_and(|f| f.name == name);
            if !same {
                if !families_seen.insert(name.to_owned()) {
                    return Err(fail(format!("family `{name}` declared twice")));
                }
                current = Some(Family {
                    name: name.to_owned(),
                    kind: None,
                    has_samples: false,
                });
            }
            let family = current.as_mut().expect("set above");
            if family.has_samples {
                return Err(fail(format!("metadata of `{name}` after its samples")));
            }
            match keyword {
                "HELP" => {}
                "TYPE" => {
                    const TYPES: [&str; 8] = [
                        "counter",
                        "gauge",
                        "histogram",
                        "gaugehistogram",
                        "stateset",
                        "info",
                        "summary",
                        "unknown",
                    ];
                    if !TYPES.contains(&value) {
                        return Err(fail(format!("unknown type `{value}`")));
                    }
                    if family.kind.replace(value.to_owned()).is_some() {
                        return Err(fail("a second TYPE".into()));
                    }
                }
                "UNIT" => {
                    if !name.ends_with(&format!("_{value}")) {
                        return Err(fail(format!(
                            "family `{name}` does not end in its unit `{value}`"
                        )));
                    }
                }
                other => return Err(fail(format!("unknown comment `# {other}`"))),
            }
            continue;
        }
        if line.starts_with('#') {
            return Err(fail("a comment that is not HELP, TYPE, UNIT or EOF".into()));
        }
        let (name, labels, value) = split_sample(line).map_err(&fail)?;
        let family = current
            .as_mut()
            .ok_or_else(|| fail("a sample before any TYPE".into()))?;
        let kind = family.kind.as_deref().unwrap_or("unknown");
        let suffixes: &[&str] = match kind {
            "counter" => &["_total", "_created"],
            "histogram" | "gaugehistogram" => {
                &["_bucket", "_count", "_sum", "_created", "_gcount", "_gsum"]
            }
            "summary" => &["", "_count", "_sum", "_created"],
            "info" => &["_info"],
            _ => &[""],
        };
        if !suffixes
            .iter()
            .any(|s| name == format!("{}{s}", family.name))
        {
            return Err(fail(format!(
                "sample `{name}` does not belong to family `{}` ({kind})",
                family.name
            )));
        }
        family.has_samples = true;
        let labels = parse_labels(labels).map_err(&fail)?;
        let value = parse_value(value).map_err(&fail)?;
        if !series_seen.insert((name.to_owned(), labels.clone())) {
            return Err(fail("a second sample of the same series".into()));
        }
        samples.push(Sample {
            family: family.name.clone(),
            name: name.to_owned(),
            labels,
            value,
        });
    }
    if !eof {
        return Err(error(lines.len(), "", "no `# EOF`"));
    }
    Ok(samples)
}

/// One sample line, `name{labels} value`, of either text format: its
/// name, unescaped labels and value.
pub fn parse_sample_line(line: &str) -> Result<(String, BTreeMap<String, String>, f64), String> {
    let (name, labels, value) = split_sample(line)?;
    Ok((name.to_owned(), parse_labels(labels)?, parse_value(value)?))
}

fn error(line: usize, text: &str, why: &str) -> ExpositionError {
    ExpositionError {
        line,
        text: text.chars().take(200).collect(),
        why: why.to_owned(),
    }
}

fn check_metric_name(name: &str) -> Result<(), String> {
    let ok = name.chars().enumerate().all(|(i, c)| {
        c.is_ascii_alphabetic() || c == '_' || c == ':' || (i > 0 && c.is_ascii_digit())
    });
    if ok && !name.is_empty() {
        Ok(())
    } else {
        Err(format!("invalid metric name `{name}`"))
    }
}

/// `name{labels} value` → its three parts (labels without the braces).
fn split_sample(line: &str) -> Result<(&str, &str, &str), String> {
    let name_end = line.find(['{', ' ']).ok_or("no value")?;
    let name = &line[..name_end];
    check_metric_name(name)?;
    let rest = &line[name_end..];
    let (labels, rest) = if let Some(inner) = rest.strip_prefix('{') {
        let end = closing_brace(inner).ok_or("labels without a closing `}`")?;
        (&inner[..end], &inner[end + 1..])
    } else {
        ("", rest)
    };
    let value = rest.strip_prefix(' ').ok_or("no space before the value")?;
    // A timestamp or an exemplar may follow; perfwatch writes neither.
    if value.contains(' ') {
        return Err(format!("unexpected text after the value: `{value}`"));
    }
    Ok((name, labels, value))
}

/// The index of the `}` that closes a label set, skipping quoted values.
fn closing_brace(s: &str) -> Option<usize> {
    let mut quoted = false;
    let mut escaped = false;
    for (i, c) in s.char_indices() {
        match (quoted, escaped, c) {
            (true, true, _) => escaped = false,
            (true, false, '\\') => escaped = true,
            (_, false, '"') => quoted = !quoted,
            (false, _, '}') => return Some(i),
            _ => {}
        }
    }
    None
}

fn parse_labels(s: &str) -> Result<BTreeMap<String, String>, String> {
    let mut labels = BTreeMap::new();
    let mut rest = s;
    while !rest.is_empty() {
        let (key, after) = rest
            .split_once("=\"")
            .ok_or_else(|| format!("bad label in `{s}`"))?;
        let key_ok = !key.is_empty()
            && key
                .chars()
                .enumerate()
                .all(|(i, c)| c.is_ascii_alphabetic() || c == '_' || (i > 0 && c.is_ascii_digit()));
        if !key_ok {
            return Err(format!("invalid label name `{key}`"));
        }
        let mut value = String::new();
        let mut chars = after.char_indices();
        let end = loop {
            match chars.next() {
                None => return Err(format!("unterminated value of label `{key}`")),
                Some((i, '"')) => break i,
                Some((_, '\\')) => match chars.next() {
                    Some((_, '\\')) => value.push('\\'),
                    Some((_, '"')) => value.push('"'),
                    Some((_, 'n')) => value.push('\n'),
                    other => {
                        return Err(format!(
                            "bad escape `\\{:?}` in label `{key}`",
                            other.map(|o| o.1)
                        ))
                    }
                },
                Some((_, c)) => value.push(c),
            }
        };
        if labels.insert(key.to_owned(), value).is_some() {
            return Err(format!("label `{key}` twice"));
        }
        rest = &after[end + 1..];
        if !rest.is_empty() {
            rest = rest
                .strip_prefix(',')
                .ok_or_else(|| format!("no comma after label `{key}`"))?;
        }
    }
    Ok(labels)
}

fn parse_value(s: &str) -> Result<f64, String> {
    match s {
        "NaN" => Ok(f64::NAN),
        "+Inf" => Ok(f64::INFINITY),
        "-Inf" => Ok(f64::NEG_INFINITY),
        _ if s.chars().all(|c| c.is_ascii_digit() || "+-.eE".contains(c)) => {
            s.parse().map_err(|e| format!("bad value `{s}`: {e}"))
        }
        _ => Err(format!("bad value `{s}`")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "# HELP a_seconds A.\n# TYPE a_seconds gauge\n# UNIT a_seconds seconds\n\
        a_seconds{k=\"x\\\\y\\n\\\"z\",j=\"}\"} 1.5\n\
        # HELP c C.\n# TYPE c counter\nc_total 2\n\
        # HELP h H.\n# TYPE h histogram\nh_bucket{le=\"+Inf\"} 1\nh_sum 0.5\nh_count 1\n# EOF\n";

    #[test]
    fn a_valid_exposition_is_read_with_values_unescaped() {
        let samples = parse(GOOD).unwrap();
        assert_eq!(samples.len(), 5);
        assert_eq!(samples[0].labels["k"], "x\\y\n\"z");
        assert_eq!(samples[0].labels["j"], "}");
        assert_eq!(samples[1].name, "c_total");
        assert_eq!(samples[1].family, "c");
    }

    #[test]
    fn invalid_expositions_are_refused() {
        for (bad, why) in [
            (GOOD.replace("# EOF\n", ""), "no `# EOF`"),
            (GOOD.replace("c_total 2", "c 2"), "does not belong"),
            (GOOD.replace("1.5", "one"), "bad value"),
            (GOOD.replace("\\\\y", "\\y"), "bad escape"),
            (
                GOOD.replace("# UNIT a_seconds seconds", "# UNIT a_seconds bytes"),
                "does not end in its unit",
            ),
            (
                GOOD.replace("h_sum 0.5", "h_sum 0.5\nh_sum 0.5"),
                "same series",
            ),
            (
                GOOD.replace("# TYPE c counter", "# TYPE a_seconds counter"),
                "declared twice",
            ),
            (GOOD.replace("k=", "1k="), "invalid label name"),
            (format!("{GOOD}x 1\n"), "after `# EOF`"),
            (GOOD.trim_end().to_owned(), "no final newline"),
        ] {
            let e = parse(&bad).expect_err(why);
            assert!(e.to_string().contains(why), "{why}: {e}");
        }
    }
}
