//! The relative summary that ends the terminal view of a session with
//! several variants: one sentence per variant against the first.

use super::options::{Palette, SortOrder, TerminalOptions};
use super::wrap::wrap;
use crate::format::printable;
use crate::relative::RelativeSummary;
use console::measure_text_width;
use std::io::{self, Write};

/// Renders `Summary` and, wrapped to `options.width`, one sentence per
/// variant after the first (see [`RelativeSummary::sentence`]), the
/// evidence in parentheses kept whole (on a line of its own when it does
/// not fit after the claim) and coloured as the verdict in the comparison
/// table.
pub fn render_relative_summary(
    summary: &RelativeSummary<'_>,
    options: &TerminalOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    let palette = Palette::new(options);
    writeln!(out, "{}", palette.paint(palette.bold(), "Summary"))?;
    let width = options.columns();
    let mut lines: Vec<_> = summary.lines.iter().collect();
    if options.sort != SortOrder::Command {
        // Fastest first; lines that were not compared keep their place at
        // the end.
        let median = |l: &&crate::relative::RelativeLine<'_>| {
            l.relation
                .as_ref()
                .map_or(f64::INFINITY, |r| r.comparison.candidate_median)
        };
        lines.sort_by(|a, b| median(a).total_cmp(&median(b)));
    }
    for line in lines {
        let (claim, why) = summary.sentence_parts(line, |name| format!("`{}`", printable(name)));
        let mut lines = wrap(&claim, "  ", "    ", width);
        if let (Some(why), Some(r)) = (why, &line.relation) {
            // The evidence stays whole: after the claim when it fits, on a
            // line of its own when not.
            let why = palette.paint(palette.verdict(r.comparison), why);
            let last = lines.last_mut().expect("wrap gives a line");
            if measure_text_width(last) + 1 + measure_text_width(&why) <= width {
                last.push(' ');
                last.push_str(&why);
            } else {
                lines.push(format!("    {why}"));
            }
        }
        for l in lines {
            writeln!(out, "{l}")?;
        }
    }
    Ok(())
}
