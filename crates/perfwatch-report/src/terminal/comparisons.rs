//! The comparison table, in the manner of benchstat: one row per metric
//! (and per stage), `~` where the change is not significant.

use super::options::{Palette, TerminalOptions};
use super::table::{new_table, write_table};
use crate::format::{
    change_cell, group_comparisons, medians, metric_cell, n_cell, p_cell, printable, verdict_cell,
};
use perfwatch_model::Comparison;
use std::io::{self, Write};

/// Renders comparisons as tables, one per (baseline, candidate) pair, each
/// titled with the two names; notes of inconclusive verdicts follow their
/// table as numbered footnotes. Writes nothing for an empty slice.
///
/// Usable without a session (`perfwatch compare`).
pub fn render_comparisons(
    comparisons: &[Comparison],
    options: &TerminalOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    let palette = Palette::new(options);
    for (i, (baseline, candidate, rows)) in group_comparisons(comparisons).into_iter().enumerate() {
        if i > 0 {
            writeln!(out)?;
        }
        writeln!(
            out,
            "{} {} vs {} {}",
            palette.paint(palette.bold(), "Comparison:"),
            palette.paint(palette.bold(), printable(candidate)),
            palette.paint(palette.bold(), printable(baseline)),
            palette.paint(palette.dim(), "(baseline)"),
        )?;
        write_group(&rows, &palette, out)?;
    }
    Ok(())
}

fn write_group(rows: &[&Comparison], palette: &Palette, out: &mut dyn Write) -> io::Result<()> {
    let with_stage = rows.iter().any(|c| c.stage.is_some());
    let mut header = vec!["metric"];
    if with_stage {
        header.push("stage");
    }
    header.extend([
        "baseline",
        "candidate",
        "change [95% CI]",
        "p",
        "n",
        "verdict",
    ]);
    let first_number = usize::from(with_stage) + 1;
    let right: Vec<usize> = (first_number..first_number + 5).collect();
    let mut table = new_table(palette, &header, &right);

    let mut notes = Vec::new();
    for c in rows {
        let style = palette.verdict(c);
        let (base, cand) = medians(c);
        let mut verdict = verdict_cell(c);
        if let Some(note) = &c.note {
            notes.push(printable(note));
            verdict.push_str(&format!(" [{}]", notes.len()));
        }
        let mut row = vec![printable(metric_cell(c)).into_owned()];
        if with_stage {
            row.push(printable(c.stage.as_deref().unwrap_or("")).into_owned());
        }
        row.extend([
            base,
            cand,
            palette.paint(style.clone(), change_cell(c)),
            p_cell(c),
            n_cell(c),
            palette.paint(style, verdict),
        ]);
        table.add_row(row);
    }
    write_table(&table, "  ", out)?;
    for (i, note) in notes.iter().enumerate() {
        writeln!(out, "  [{}] {note}", i + 1)?;
    }
    Ok(())
}
