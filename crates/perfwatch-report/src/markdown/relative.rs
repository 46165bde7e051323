//! The relative summary in Markdown: one sentence per variant against the
//! first, as the terminal view ends with.

use super::escape::code_span;
use crate::relative::RelativeSummary;
use std::io::{self, Write};

/// Writes `### Summary` and a bullet per variant after the first (see
/// [`RelativeSummary::sentence`]), names as code spans.
pub fn render_relative_summary_markdown(
    summary: &RelativeSummary<'_>,
    out: &mut dyn Write,
) -> io::Result<()> {
    writeln!(out, "### Summary\n")?;
    for line in &summary.lines {
        writeln!(out, "- {}", summary.sentence(line, code_span))?;
    }
    Ok(())
}
