//! The one table look of the terminal output: no borders, a rule under the
//! header, numbers right-aligned, two spaces between columns, never
//! wrapped (stable width); a first column of names that gives way when a
//! table would be wider than the terminal.

use super::options::Palette;
use comfy_table::{CellAlignment, ContentArrangement, Table};
use console::measure_text_width;
use std::io::{self, Write};

/// Only a horizontal rule under the header (see `comfy_table::presets`
/// for the meaning of each position).
const PRESET: &str = "     ──            ";

/// The narrowest a shortened first column gets.
const MIN_NAME: usize = 16;

/// A table with the given header; the columns listed in `right` are
/// right-aligned.
pub(crate) fn new_table(palette: &Palette, header: &[&str], right: &[usize]) -> Table {
    let mut table = Table::new();
    table
        .load_preset(PRESET)
        .set_content_arrangement(ContentArrangement::Disabled)
        .force_no_tty()
        .set_header(header.iter().map(|h| palette.paint(palette.bold(), h)));
    // Each column is followed by two spaces: its own right padding and the
    // blank vertical line; the first starts flush with the rule.
    for column in table.column_iter_mut() {
        column.set_padding((0, 1));
    }
    for &index in right {
        if let Some(column) = table.column_mut(index) {
            column.set_cell_alignment(CellAlignment::Right);
        }
    }
    table
}

/// The widest line of `table`, in columns.
pub(crate) fn width_of(table: &Table) -> usize {
    table
        .lines()
        .map(|l| measure_text_width(l.trim_end()))
        .max()
        .unwrap_or(0)
}

/// The table `build` makes with names of any length, or, when that is
/// wider than `width` once indented by `indent`, the one it makes with
/// names cut to the length that fits (`longest` is the longest name).
pub(crate) fn fit_first_column(
    indent: usize,
    width: usize,
    longest: usize,
    build: impl Fn(usize) -> Table,
) -> Table {
    let table = build(usize::MAX);
    let wide = width_of(&table) + indent;
    if wide <= width || longest <= MIN_NAME {
        return table;
    }
    build(longest.saturating_sub(wide - width).max(MIN_NAME))
}

/// Writes the table, each line indented and without trailing blanks.
pub(crate) fn write_table(table: &Table, indent: &str, out: &mut dyn Write) -> io::Result<()> {
    for line in table.lines() {
        writeln!(out, "{indent}{}", line.trim_end())?;
    }
    Ok(())
}
