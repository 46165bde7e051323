//! A parameter scan as one table: a row per combination of values with
//! its median, the ratio to the first row and the verdict, instead of a
//! block per variant.

use super::options::{Palette, SortOrder, TerminalOptions};
use super::table::{fit_columns, write_table, Column, Give};
use super::wrap::{cut, wrap};
use crate::format::{p_cell, printable, verdict_cell, RunCounts};
use crate::relative::ScanTable;
use crate::units::{ci_label, format_factor, format_value, unit_for_key, NA};
use perfwatch_model::{Metric, Summary};
use std::io::{self, Write};

/// Indent of the table under its title.
const INDENT: &str = "  ";

/// Cells of the inline bar of the medians (on a terminal only).
const BAR_CELLS: usize = 8;

/// Eighths of a cell, from one to eight.
const EIGHTHS: [char; 8] = ['▏', '▎', '▍', '▌', '▋', '▊', '▉', '█'];

/// Renders the scan: a title naming the metric and the reference row,
/// then one row per combination of values (a column per parameter): runs
/// counted, the median and its interval, the ratio to the first row with
/// its interval, the p-value and the verdict, and on a terminal
/// ([`TerminalOptions::tty`]) a bar of the median. Each variant's
/// warnings follow, one line each unless verbose. The table fits
/// `options.width`: values are shortened with `…`; then the p-value, the
/// median's interval, the bar and the ratio's interval are left out, in
/// that order.
pub fn render_scan_table(
    scan: &ScanTable<'_>,
    options: &TerminalOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    let palette = Palette::new(options);
    let width = options.columns();
    let metric = if scan.metric == Metric::WallS.key() {
        "wall time".to_string()
    } else {
        printable(scan.metric).into_owned()
    };
    let reference = scan.rows.first().map_or("", |r| r.variant.name.as_str());
    let title = format!(
        "Scan of {} (median {metric}, ratio to {})",
        printable(&scan.parameters.join(", ")),
        printable(reference)
    );
    writeln!(out, "{}", palette.paint(palette.bold(), cut(&title, width)))?;

    let confidence = scan
        .rows
        .iter()
        .find_map(|r| {
            r.summary
                .map(|s| s.confidence)
                .or(r.comparison.map(|c| c.confidence))
        })
        .unwrap_or(perfwatch_model::DEFAULT_CONFIDENCE);
    let interval = format!("[{}]", ci_label(confidence));
    let mut columns = Vec::new();
    if scan.has_bases() {
        columns.push(Column::new("variant", false).give(Give::Middle));
    }
    for name in &scan.parameters {
        columns.push(Column::new(printable(name), false).give(Give::Middle));
    }
    columns.extend([
        Column::new("runs", true),
        Column::new("median", true),
        Column::new(interval.clone(), true).drop(400),
        Column::new("ratio", true),
        Column::new(interval, true).drop(200),
        Column::new("p", true).drop(500),
        Column::new("verdict", false),
    ]);
    if options.tty {
        columns.push(Column::new("", false).drop(300));
    }
    let unit = unit_for_key(scan.metric);
    let largest = scan
        .rows
        .iter()
        .filter_map(|r| r.summary.map(|s| s.median))
        .filter(|m| m.is_finite())
        .fold(0.0_f64, f64::max);
    // The given order, or fastest first with `--sort mean-time`; the
    // reference row is the first of the given order either way.
    let mut ordered: Vec<(usize, &crate::relative::ScanRow<'_>)> =
        scan.rows.iter().enumerate().collect();
    if options.sort == SortOrder::MeanTime {
        let median =
            |r: &crate::relative::ScanRow<'_>| r.summary.map_or(f64::INFINITY, |s| s.median);
        ordered.sort_by(|a, b| median(a.1).total_cmp(&median(b.1)));
    }
    let rows: Vec<Vec<String>> = ordered
        .into_iter()
        .map(|(i, row)| {
            let mut cells = Vec::new();
            if scan.has_bases() {
                cells.push(printable(row.base.unwrap_or("")).into_owned());
            }
            cells.extend(row.values.iter().map(|v| printable(v).into_owned()));
            cells.push(runs_cell(row.variant, row.summary, &palette));
            match row.summary {
                Some(s) => cells.extend([
                    format_value(unit, s.median),
                    format!(
                        "[{}, {}]",
                        format_value(unit, s.ci_low),
                        format_value(unit, s.ci_high)
                    ),
                ]),
                None => cells.extend([NA.to_string(), String::new()]),
            }
            match (i, row.comparison) {
                (0, _) => cells.extend([
                    "1.00".to_string(),
                    String::new(),
                    String::new(),
                    palette.paint(palette.dim(), "reference"),
                ]),
                (_, Some(c)) => {
                    let style = palette.verdict(c);
                    cells.extend([
                        format_factor(c.ratio),
                        format!(
                            "[{}, {}]",
                            format_factor(c.ci_low),
                            format_factor(c.ci_high)
                        ),
                        p_cell(c),
                        palette.paint(style, verdict_cell(c)),
                    ]);
                }
                (_, None) => cells.extend([
                    NA.to_string(),
                    String::new(),
                    String::new(),
                    "not compared".to_string(),
                ]),
            }
            if options.tty {
                cells.push(bar(row.summary.map(|s| s.median), largest));
            }
            cells
        })
        .collect();
    let fitted = fit_columns(&palette, &columns, &rows, INDENT.len(), width);
    write_table(&fitted.table, INDENT, out)?;
    for row in &scan.rows {
        for warning in &row.variant.warnings {
            let first = format!("{INDENT}warning ({}): ", printable(&row.variant.name));
            let lines = if options.verbose {
                wrap(&printable(warning), &first, "    ", width)
            } else {
                vec![cut(&format!("{first}{}", printable(warning)), width)]
            };
            for line in lines {
                writeln!(out, "{}", palette.paint(palette.warning(), line))?;
            }
        }
    }
    Ok(())
}

/// `10` counted runs, `8 (2 failed)` in red when some failed or timed out.
fn runs_cell(
    variant: &perfwatch_model::VariantExport,
    summary: Option<&Summary>,
    palette: &Palette,
) -> String {
    let counted = summary.map_or(0, |s| s.n);
    let counts = RunCounts::of(&variant.iterations);
    let failed = counts.failed + counts.timed_out;
    if failed > 0 {
        palette.paint(palette.bad(), format!("{counted} ({failed} failed)"))
    } else {
        counted.to_string()
    }
}

/// A bar of [`BAR_CELLS`] cells for `value` against `largest`, in eighths
/// of a cell (at least one eighth for a value above zero).
fn bar(value: Option<f64>, largest: f64) -> String {
    let Some(value) = value.filter(|v| v.is_finite() && *v > 0.0 && largest > 0.0) else {
        return String::new();
    };
    let eighths = ((value / largest) * (BAR_CELLS * 8) as f64).round() as usize;
    let eighths = eighths.clamp(1, BAR_CELLS * 8);
    let mut text = EIGHTHS[7].to_string().repeat(eighths / 8);
    match eighths % 8 {
        0 => {}
        rest => text.push(EIGHTHS[rest - 1]),
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_grow_in_eighths_of_a_cell() {
        assert_eq!(bar(Some(1.0), 1.0), "████████");
        assert_eq!(bar(Some(0.5), 1.0), "████");
        assert_eq!(bar(Some(1.0 / 64.0), 1.0), "▏");
        assert_eq!(bar(Some(1e-9), 1.0), "▏");
        assert_eq!(bar(Some(0.3), 1.0), "██▍");
        assert_eq!(bar(None, 1.0), "");
        assert_eq!(bar(Some(0.0), 1.0), "");
    }
}
