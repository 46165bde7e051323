//! GitHub-flavoured Markdown tables.

use std::io::{self, Write};

/// How a column is aligned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Align {
    Left,
    Right,
}

/// Writes a table; cells must already be escaped.
pub(crate) fn write_table(
    header: &[(&str, Align)],
    rows: &[Vec<String>],
    out: &mut dyn Write,
) -> io::Result<()> {
    let names: Vec<&str> = header.iter().map(|(name, _)| *name).collect();
    writeln!(out, "| {} |", names.join(" | "))?;
    let rules: Vec<&str> = header
        .iter()
        .map(|(_, align)| match align {
            Align::Left => ":---",
            Align::Right => "---:",
        })
        .collect();
    writeln!(out, "|{}|", rules.join("|"))?;
    for row in rows {
        writeln!(out, "| {} |", row.join(" | "))?;
    }
    Ok(())
}
