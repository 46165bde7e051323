//! The application metrics of every variant side by side (see
//! [`AppMetricTable`]): one row per metric name, for each variant the
//! median of its runs' values, their range and how many runs reported it.

use super::options::{Palette, TerminalOptions};
use super::table::{fit_columns, write_left_out_variants, write_table, Column, Give};
use super::wrap::cut;
use crate::app_metrics::AppMetricTable;
use crate::format::printable;
use console::measure_text_width;
use perfwatch_model::SessionExport;
use std::io::{self, Write};

/// Indent of the table under its title.
const INDENT: &str = "  ";

/// Columns between two columns of the table.
const GAP: usize = 2;

/// Metric names are shortened to no fewer columns than this before a
/// variant is left out.
const MIN_NAME: usize = 12;

/// The title, which says how to read a cell.
const TITLE: &str = "Application metrics (reported by the program: median, min–max, runs)";

/// Renders the application metrics of `export` as one table; writes
/// nothing when no variant reported any. The table fits `options.width`:
/// long metric and variant names are shortened with `…`, the kind is left
/// out, names are shortened further (to 12 columns) and, last, whole
/// variants are left out (from the last, named under the table).
pub fn render_app_metrics(
    export: &SessionExport,
    options: &TerminalOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    let Some(table) = AppMetricTable::of(export) else {
        return Ok(());
    };
    let palette = Palette::new(options);
    let width = options.columns();
    writeln!(out, "{}", palette.paint(palette.bold(), cut(TITLE, width)))?;
    let rows = table.cells(|name| printable(name).into_owned());
    // Names are shortened as far as `MIN_NAME` before a variant is left
    // out; then the first variant stays, the others go from the last.
    let data_width = |i: usize| rows.iter().map(|r| measure_text_width(&r[i])).max();
    let all_variants = INDENT.len()
        + data_width(0).unwrap_or(0).min(MIN_NAME)
        + (0..table.variants.len())
            .map(|i| GAP + data_width(2 + i).unwrap_or(0))
            .sum::<usize>()
        + 1;
    let n = table.variants.len() as u32;
    let mut columns = vec![
        Column::new("metric", false).give(Give::Middle),
        Column::new("kind", false).drop(900),
    ];
    columns.extend(table.variants.iter().enumerate().map(|(i, name)| {
        let drop = if i == 0 || all_variants <= width {
            0
        } else {
            100 + n - i as u32
        };
        Column::new(printable(name), true)
            .give(Give::Header)
            .drop(drop)
    }));
    let fitted = fit_columns(&palette, &columns, &rows, INDENT.len(), width);
    write_table(&fitted.table, INDENT, out)?;
    let left_out: Vec<String> = table
        .variants
        .iter()
        .enumerate()
        .filter(|(i, _)| !fitted.kept[2 + i])
        .map(|(_, name)| printable(name).into_owned())
        .collect();
    write_left_out_variants(&palette, &left_out, INDENT, width, out)?;
    Ok(())
}
