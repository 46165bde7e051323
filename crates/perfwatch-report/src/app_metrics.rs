//! The application metrics of a session side by side: what the program
//! reported of itself (a cache's hit rate, a pool's size, a queue's
//! depth), one row per metric name, one cell per variant. Every renderer
//! (terminal, Markdown, HTML) lays out this one table, with figures as
//! [`app_metric_cell`] writes them, so that they all say the same.
//!
//! ```
//! use perfwatch_model::{AppMetricKind, AppMetricSummary};
//! use perfwatch_report::app_metrics::app_metric_cell;
//!
//! let hit_rate = AppMetricSummary {
//!     kind: AppMetricKind::Gauge,
//!     runs: 8,
//!     median: 0.8125,
//!     min: 0.79,
//!     max: 0.84,
//! };
//! assert_eq!(app_metric_cell(&hit_rate), "0.813 (0.79–0.84, 8 runs)");
//! ```

use crate::units::format_number;
use perfwatch_model::{AppMetricKind, AppMetricSummary, SessionExport};
use std::collections::BTreeMap;

/// One application metric and its summary in each variant of the session
/// (`None` where a variant did not report it).
#[derive(Debug, Clone, PartialEq)]
pub struct AppMetricRow<'a> {
    /// The name the program reported it under (untrusted text: escape it).
    pub name: &'a str,
    /// How it reads, as the first variant reporting it has it.
    pub kind: AppMetricKind,
    /// Its summary per variant, in the session's variant order.
    pub cells: Vec<Option<&'a AppMetricSummary>>,
}

/// The application metrics of every variant, by name.
#[derive(Debug, Clone, PartialEq)]
pub struct AppMetricTable<'a> {
    /// Every variant's name, in the session's order (one column each).
    pub variants: Vec<&'a str>,
    /// One row per metric name, in name order.
    pub rows: Vec<AppMetricRow<'a>>,
}

impl<'a> AppMetricTable<'a> {
    /// The table of `export`; `None` when no variant reported an
    /// application metric (the renderers then show nothing).
    pub fn of(export: &'a SessionExport) -> Option<Self> {
        let n = export.variants.len();
        let mut rows: BTreeMap<&'a str, AppMetricRow<'a>> = BTreeMap::new();
        for (i, v) in export.variants.iter().enumerate() {
            for (name, summary) in &v.app_metrics {
                let row = rows.entry(name).or_insert_with(|| AppMetricRow {
                    name,
                    kind: summary.kind,
                    cells: vec![None; n],
                });
                row.cells[i] = Some(summary);
            }
        }
        if rows.is_empty() {
            return None;
        }
        Some(AppMetricTable {
            variants: export.variants.iter().map(|v| v.name.as_str()).collect(),
            rows: rows.into_values().collect(),
        })
    }

    /// The cells of each row: the name as `name` shows it (each format
    /// escapes untrusted text its own way), the kind, then each variant's
    /// [`app_metric_cell`] or [`NA`](crate::units::NA).
    pub fn cells(&self, name: impl Fn(&str) -> String) -> Vec<Vec<String>> {
        self.rows
            .iter()
            .map(|row| {
                let mut cells = vec![name(row.name), row.kind.key().to_string()];
                cells.extend(
                    row.cells
                        .iter()
                        .map(|c| c.map_or_else(|| crate::units::NA.to_string(), app_metric_cell)),
                );
                cells
            })
            .collect()
    }
}

/// `0.813 (0.79–0.84, 8 runs)`: the median of the runs' values, their
/// range and how many counted runs reported the metric; the range is left
/// out where it prints as one figure (`12 (8 runs)`). Plain numbers, no
/// unit: [`format_number`], three significant digits.
pub fn app_metric_cell(s: &AppMetricSummary) -> String {
    let runs = if s.runs == 1 {
        "1 run".to_string()
    } else {
        format!("{} runs", s.runs)
    };
    let (min, max) = (format_number(s.min), format_number(s.max));
    if min == max {
        format!("{} ({runs})", format_number(s.median))
    } else {
        format!("{} ({min}–{max}, {runs})", format_number(s.median))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary(median: f64, min: f64, max: f64, runs: u32) -> AppMetricSummary {
        AppMetricSummary {
            kind: AppMetricKind::Counter,
            runs,
            median,
            min,
            max,
        }
    }

    #[test]
    fn cells_are_compact_and_unitless() {
        let cases = [
            (summary(0.8125, 0.79, 0.84, 8), "0.813 (0.79–0.84, 8 runs)"),
            (
                summary(12345.0, 12000.0, 13000.0, 5),
                "12345 (12000–13000, 5 runs)",
            ),
            (summary(12.0, 12.0, 12.0, 8), "12 (8 runs)"),
            (summary(3.0, 3.0, 3.0, 1), "3 (1 run)"),
            (
                summary(2.5e9, 2e9, 3e9, 2),
                "2.50e9 (2.00e9–3.00e9, 2 runs)",
            ),
            (summary(f64::NAN, 1.0, 2.0, 2), "– (1–2, 2 runs)"),
        ];
        for (s, want) in cases {
            assert_eq!(app_metric_cell(&s), want);
        }
    }
}
