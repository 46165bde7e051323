//! The results table of a session as hyperfine users know it, for the
//! `--export-asciidoc` and `--export-orgmode` files: one row per variant
//! with the mean wall time ± its standard deviation, the fastest and
//! slowest run, and the mean relative to the fastest variant.
//!
//! The figures are the analysis's own summaries of `wall_s` (counted runs
//! only); the relative column is the ratio of means with the standard
//! deviations propagated to first order, `r·√((σ/μ)² + (σf/μf)²)`, as the
//! column is defined in hyperfine's tables. perfwatch's verdicts (the
//! ratio of medians with its confidence interval) are in the other views.

use crate::units::TimeUnit;
use perfwatch_model::SessionExport;

/// One row of the results table.
#[derive(Debug, Clone, PartialEq)]
pub struct ResultRow {
    /// The variant's name (the command, or its `-n` name).
    pub name: String,
    /// Mean wall time, seconds.
    pub mean: f64,
    /// Standard deviation of the wall time, seconds.
    pub sd: f64,
    /// Fastest run, seconds.
    pub min: f64,
    /// Slowest run, seconds.
    pub max: f64,
    /// Mean relative to the fastest variant's mean (1 for the fastest).
    pub relative: f64,
    /// Standard deviation of [`ResultRow::relative`], first order.
    pub relative_sd: f64,
}

/// The rows of variants with a wall-time summary, in the session's order.
pub fn result_rows(export: &SessionExport) -> Vec<ResultRow> {
    let summaries: Vec<_> = export
        .variants
        .iter()
        .filter_map(|v| v.summary.get("wall_s").map(|s| (v.name.as_str(), s)))
        .collect();
    let Some((_, fastest)) = summaries
        .iter()
        .filter(|(_, s)| s.mean > 0.0)
        .min_by(|a, b| a.1.mean.total_cmp(&b.1.mean))
    else {
        return Vec::new();
    };
    let rel_err = |s: &perfwatch_model::Summary| {
        if s.mean > 0.0 {
            s.sd / s.mean
        } else {
            0.0
        }
    };
    summaries
        .iter()
        .map(|(name, s)| {
            let relative = s.mean / fastest.mean;
            ResultRow {
                name: (*name).to_string(),
                mean: s.mean,
                sd: s.sd,
                min: s.min,
                max: s.max,
                relative,
                relative_sd: relative * rel_err(s).hypot(rel_err(fastest)),
            }
        })
        .collect()
}

/// The unit of a table: the one asked for, else milliseconds when the
/// fastest mean is below a second and seconds otherwise.
fn table_unit(rows: &[ResultRow], unit: Option<TimeUnit>) -> TimeUnit {
    unit.unwrap_or_else(|| {
        let fastest = rows.iter().map(|r| r.mean).fold(f64::INFINITY, f64::min);
        if fastest < 1.0 {
            TimeUnit::Millisecond
        } else {
            TimeUnit::Second
        }
    })
}

/// The cells of a table: header and rows, already formatted.
fn cells(export: &SessionExport, unit: Option<TimeUnit>) -> (Vec<String>, Vec<[String; 5]>) {
    let rows = result_rows(export);
    let unit = table_unit(&rows, unit);
    let u = unit.symbol();
    let header = vec![
        "Command".to_string(),
        format!("Mean [{u}]"),
        format!("Min [{u}]"),
        format!("Max [{u}]"),
        "Relative".to_string(),
    ];
    let body = rows
        .iter()
        .map(|r| {
            let relative = if r.relative == 1.0 {
                "1.00".to_string()
            } else {
                format!("{:.2} ± {:.2}", r.relative, r.relative_sd)
            };
            [
                crate::printable::printable(&r.name).into_owned(),
                format!("{} ± {}", unit.fixed(r.mean), unit.fixed(r.sd)),
                unit.fixed(r.min),
                unit.fixed(r.max),
                relative,
            ]
        })
        .collect();
    (header, body)
}

/// The table as AsciiDoc.
pub fn render_asciidoc(export: &SessionExport, unit: Option<TimeUnit>) -> String {
    let (header, rows) = cells(export, unit);
    let escape = |s: &str| s.replace('|', "\\|");
    let mut out = String::from("[cols=\"<,>,>,>,>\",options=\"header\"]\n|===\n");
    out.push_str(&format!("| {}\n", header.join(" | ")));
    for [name, mean, min, max, rel] in rows {
        out.push_str(&format!(
            "| `{}` | {mean} | {min} | {max} | {rel}\n",
            escape(&name)
        ));
    }
    out.push_str("|===\n");
    out
}

/// The table as an Emacs Org-mode table.
pub fn render_orgmode(export: &SessionExport, unit: Option<TimeUnit>) -> String {
    let (header, rows) = cells(export, unit);
    let escape = |s: &str| s.replace('|', "\\vert{}");
    let mut out = format!("| {} |\n", header.join(" | "));
    out.push_str(&format!("|{}|\n", vec!["--"; header.len()].join("+")));
    for [name, mean, min, max, rel] in rows {
        out.push_str(&format!(
            "| ={}= | {mean} | {min} | {max} | {rel} |\n",
            escape(&name)
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use perfwatch_model::{Summary, VariantExport};

    fn export(variants: &[(&str, f64, f64)]) -> SessionExport {
        let mut e: SessionExport = serde_json::from_value(serde_json::json!({
            "schema": perfwatch_model::SCHEMA_V1,
            "session": {
                "id": "0123456789abcdef", "started_at": "2025-01-02T03:04:05Z",
                "benchmark": "b", "command": {"argv": ["true"]}, "git": null,
                "host": {"os": "linux"}, "perfwatch_version": "0", "status": "complete"
            },
            "variants": [], "comparisons": [], "findings": []
        }))
        .unwrap();
        for (name, mean, sd) in variants {
            let mut v: VariantExport = serde_json::from_value(
                serde_json::json!({ "name": name, "iterations": [], "summary": {} }),
            )
            .unwrap();
            v.summary.insert(
                "wall_s".into(),
                Summary {
                    n: 10,
                    mean: *mean,
                    sd: *sd,
                    median: *mean,
                    min: mean - sd,
                    max: mean + sd,
                    ..Summary::default()
                },
            );
            e.variants.push(v);
        }
        e
    }

    #[test]
    fn relative_column_is_against_the_fastest_with_propagated_error() {
        let rows = result_rows(&export(&[("slow", 0.2, 0.02), ("fast", 0.1, 0.01)]));
        assert_eq!(rows[1].relative, 1.0);
        assert!((rows[0].relative - 2.0).abs() < 1e-12);
        // 2 · √(0.1² + 0.1²)
        assert!((rows[0].relative_sd - 2.0 * 0.02f64.sqrt()).abs() < 1e-12);
    }

    #[test]
    fn asciidoc_and_orgmode_tables_have_one_row_per_variant_in_one_unit() {
        let e = export(&[("sleep 0.1", 0.1, 0.001), ("a|b", 0.2, 0.002)]);
        let adoc = render_asciidoc(&e, None);
        assert_eq!(
            adoc,
            "[cols=\"<,>,>,>,>\",options=\"header\"]\n|===\n\
             | Command | Mean [ms] | Min [ms] | Max [ms] | Relative\n\
             | `sleep 0.1` | 100.0 ± 1.0 | 99.0 | 101.0 | 1.00\n\
             | `a\\|b` | 200.0 ± 2.0 | 198.0 | 202.0 | 2.00 ± 0.03\n|===\n"
        );
        let org = render_orgmode(&e, Some(TimeUnit::Second));
        assert_eq!(
            org,
            "| Command | Mean [s] | Min [s] | Max [s] | Relative |\n\
             |--+--+--+--+--|\n\
             | =sleep 0.1= | 0.100 ± 0.001 | 0.099 | 0.101 | 1.00 |\n\
             | =a\\vert{}b= | 0.200 ± 0.002 | 0.198 | 0.202 | 2.00 ± 0.03 |\n"
        );
    }
}
