//! The one table look of the terminal output: no borders, a rule under the
//! header, numbers right-aligned, never wrapped (stable width).

use super::options::Palette;
use comfy_table::{CellAlignment, ContentArrangement, Table};
use std::io::{self, Write};

/// Only a horizontal rule under the header (see `comfy_table::presets`
/// for the meaning of each position).
const PRESET: &str = "     ──            ";

/// A table with the given header; the columns listed in `right` are
/// right-aligned.
pub(crate) fn new_table(palette: &Palette, header: &[&str], right: &[usize]) -> Table {
    let mut table = Table::new();
    table
        .load_preset(PRESET)
        .set_content_arrangement(ContentArrangement::Disabled)
        .force_no_tty()
        .set_header(header.iter().map(|h| palette.paint(palette.bold(), h)));
    // The first column starts flush with the rule under the header.
    if let Some(first) = table.column_mut(0) {
        first.set_padding((0, 1));
    }
    for &index in right {
        if let Some(column) = table.column_mut(index) {
            column.set_cell_alignment(CellAlignment::Right);
        }
    }
    table
}

/// Writes the table, each line indented and without trailing blanks.
pub(crate) fn write_table(table: &Table, indent: &str, out: &mut dyn Write) -> io::Result<()> {
    for line in table.lines() {
        writeln!(out, "{indent}{}", line.trim_end())?;
    }
    Ok(())
}
