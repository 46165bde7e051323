//! The comparison table, in the manner of benchstat: one row per primary
//! metric (and per stage), `~` where the change is not significant, the
//! verdict counts in the title; secondary metrics follow as a short block
//! of information that is not judged.

use super::options::{Palette, TerminalOptions};
use super::table::{fit_columns, write_table, Column, Give};
use super::wrap::{cut, pack, wrap};
use crate::format::{
    change_cell, change_header, change_with_ci, group_comparisons, medians, n_cell, p_cell,
    printable, split_primary, subject, verdict_cell,
};
use crate::headline::Headline;
use comfy_table::Table;
use perfwatch_model::Comparison;
use std::io::{self, Write};

/// Indent of the table and its notes under the title.
const INDENT: &str = "  ";

/// Renders comparisons, one block per (baseline, candidate) pair: a title
/// naming both with the verdict counts of the primary comparisons, a table
/// of the primary ones with numbered notes for inconclusive verdicts (one
/// line each unless verbose), and the secondary ones as information.
/// Writes nothing for an empty slice. Lines stay within `options.width`
/// columns.
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
        let (primary, secondary) = split_primary(&rows);
        let one_n = rows
            .iter()
            .all(|c| (c.baseline_n, c.candidate_n) == (rows[0].baseline_n, rows[0].candidate_n));
        let headline = Headline::of(rows.iter().copied());
        let mut title = vec![palette.paint(
            palette.bold(),
            format!(
                "Comparison: {} vs {} (baseline)",
                printable(candidate),
                printable(baseline)
            ),
        )];
        if !primary.is_empty() {
            title.push(palette.paint(headline_style(&palette, &headline), headline.text()));
        }
        if one_n && !options.verbose {
            title.push(format!("n = {}", n_cell(rows[0])));
        }
        for line in pack(&title, "", INDENT, options.columns()) {
            writeln!(out, "{line}")?;
        }
        if !primary.is_empty() {
            write_primary(&primary, !one_n || options.verbose, options, &palette, out)?;
        }
        if !secondary.is_empty() {
            write_secondary(&secondary, options, &palette, out)?;
        }
    }
    Ok(())
}

fn headline_style(palette: &Palette, headline: &Headline) -> console::Style {
    if headline.has_regression() {
        palette.severity(headline.worst)
    } else if headline.improved > 0 {
        palette.good()
    } else {
        palette.dim()
    }
}

fn write_primary(
    rows: &[&Comparison],
    with_n: bool,
    options: &TerminalOptions,
    palette: &Palette,
    out: &mut dyn Write,
) -> io::Result<()> {
    let mut notes = Vec::new();
    let mut verdicts = Vec::new();
    for c in rows {
        let mut verdict = verdict_cell(c);
        if let Some(note) = &c.note {
            notes.push(printable(note));
            verdict.push_str(&format!(" [{}]", notes.len()));
        }
        verdicts.push(verdict);
    }
    let width = options.columns();
    let table = primary_table(rows, &verdicts, with_n, width, palette);
    write_table(&table, INDENT, out)?;
    for (i, note) in notes.iter().enumerate() {
        let first = format!("{INDENT}[{}] ", i + 1);
        let lines = if options.verbose {
            let rest = " ".repeat(first.len());
            wrap(note, &first, &rest, width)
        } else {
            vec![cut(&format!("{first}{note}"), width)]
        };
        for line in lines {
            writeln!(out, "{}", palette.paint(palette.dim(), line))?;
        }
    }
    Ok(())
}

/// The table of primary comparisons, fitted to `width`: names shortened
/// with `…`, then the baseline and candidate medians left out, then the
/// sample sizes.
fn primary_table(
    rows: &[&Comparison],
    verdicts: &[String],
    with_n: bool,
    width: usize,
    palette: &Palette,
) -> Table {
    let mut columns = vec![
        Column::new("metric / stage", false).give(Give::Path),
        Column::new("baseline", true).drop(3),
        Column::new("candidate", true).drop(3),
        Column::new(change_header(rows), true),
        Column::new("p", true),
    ];
    if with_n {
        columns.push(Column::new("n", true).drop(2));
    }
    columns.push(Column::new("verdict", false));
    let cells: Vec<Vec<String>> = rows
        .iter()
        .zip(verdicts)
        .map(|(c, verdict)| {
            let style = palette.verdict(c);
            let (base, cand) = medians(c);
            let mut row = vec![
                printable(&subject(c)).into_owned(),
                base,
                cand,
                palette.paint(style.clone(), change_cell(c)),
                p_cell(c),
            ];
            if with_n {
                row.push(n_cell(c));
            }
            row.push(palette.paint(style, verdict));
            row
        })
        .collect();
    fit_columns(palette, &columns, &cells, INDENT.len(), width).table
}

/// `information (not judged): user_s +0.7% [-1.5%, +5.0%] · …`, packed.
fn write_secondary(
    rows: &[&Comparison],
    options: &TerminalOptions,
    palette: &Palette,
    out: &mut dyn Write,
) -> io::Result<()> {
    let parts: Vec<String> = rows
        .iter()
        .map(|c| format!("{} {}", printable(&subject(c)), change_with_ci(c)))
        .collect();
    let first = format!("{INDENT}information (not judged): ");
    let rest = format!("{INDENT}  ");
    for line in pack(&parts, &first, &rest, options.columns()) {
        writeln!(out, "{}", palette.paint(palette.dim(), line))?;
    }
    Ok(())
}
