//! The stages of every variant side by side: one row per stage path, for
//! each variant its median time per run and share of the wall time (and,
//! verbose, its calls per run), largest share of the first variant first.

use super::options::{Palette, TerminalOptions};
use super::table::{fit_first_column, new_table, write_table};
use super::wrap::shorten_path;
use crate::format::printable;
use crate::units::{format_count, format_duration, format_share};
use perfwatch_model::{StageSummary, VariantExport};
use std::io::{self, Write};

/// Indent of the table under its title.
const INDENT: &str = "  ";

/// One stage path with its summary in each shown variant.
struct Row<'a> {
    path: &'a str,
    tier: String,
    cells: Vec<Option<&'a StageSummary>>,
}

/// Stage paths in the first variant's order of share (largest first), then
/// those only other variants have, in theirs.
fn rows<'a>(variants: &[&'a VariantExport]) -> Vec<Row<'a>> {
    let mut rows: Vec<Row<'a>> = Vec::new();
    for (i, v) in variants.iter().enumerate() {
        let mut sorted: Vec<&StageSummary> = v.stages.iter().collect();
        // Stable: stages of equal share keep the analysis' order.
        sorted.sort_by(|a, b| b.share.total_cmp(&a.share));
        for stage in sorted {
            let pos = match rows.iter().position(|r| r.path == stage.path) {
                Some(pos) => pos,
                None => {
                    rows.push(Row {
                        path: &stage.path,
                        tier: stage.tier.to_string(),
                        cells: vec![None; variants.len()],
                    });
                    rows.len() - 1
                }
            };
            rows[pos].cells[i].get_or_insert(stage);
        }
    }
    rows
}

/// Renders the stage breakdown of `variants` (those with stages) as one
/// table, at most `options.max_stages` rows; writes nothing when no variant
/// has stages. Long stage paths are shortened to keep the table within
/// `options.width`.
pub fn render_stage_matrix(
    variants: &[VariantExport],
    options: &TerminalOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    let limit = options.max_stages.unwrap_or(usize::MAX);
    let shown: Vec<&VariantExport> = variants.iter().filter(|v| !v.stages.is_empty()).collect();
    if shown.is_empty() || limit == 0 {
        return Ok(());
    }
    let palette = Palette::new(options);
    let rows = rows(&shown);
    let failed = shown
        .iter()
        .any(|v| v.stages.iter().any(|s| s.failed_calls > 0));
    let title = if options.verbose {
        "Stages (median time per run · share of wall time · calls per run)"
    } else {
        "Stages (median time per run · share of wall time)"
    };
    writeln!(out, "{}", palette.paint(palette.bold(), title))?;

    let mut header = vec!["stage".to_string(), "tier".to_string()];
    for v in &shown {
        header.push(printable(&v.name).into_owned());
        header.push("share".to_string());
        if options.verbose {
            header.push("calls".to_string());
        }
        if failed {
            header.push("failed".to_string());
        }
    }
    let per_variant = 2 + usize::from(options.verbose) + usize::from(failed);
    let right: Vec<usize> = (2..2 + per_variant * shown.len()).collect();
    let header: Vec<&str> = header.iter().map(String::as_str).collect();
    let kept = &rows[..rows.len().min(limit)];
    let longest = kept
        .iter()
        .map(|r| printable(r.path).chars().count())
        .max()
        .unwrap_or(0);
    let table = fit_first_column(INDENT.len(), options.columns(), longest, |max| {
        let mut table = new_table(&palette, &header, &right);
        for row in kept {
            let mut cells = vec![shorten_path(&printable(row.path), max), row.tier.clone()];
            for stage in &row.cells {
                match stage {
                    Some(s) => {
                        cells.push(format_duration(s.total_s.median));
                        cells.push(format_share(s.share));
                        if options.verbose {
                            cells.push(format_count(s.calls));
                        }
                        if failed {
                            let n = s.failed_calls.to_string();
                            cells.push(if s.failed_calls > 0 {
                                palette.paint(palette.bad(), n)
                            } else {
                                n
                            });
                        }
                    }
                    None => cells.extend((0..per_variant).map(|_| crate::units::NA.to_string())),
                }
            }
            table.add_row(cells);
        }
        table
    });
    write_table(&table, INDENT, out)?;
    if rows.len() > kept.len() {
        let hidden = rows.len() - kept.len();
        let noun = if hidden == 1 { "stage" } else { "stages" };
        writeln!(out, "{INDENT}… {hidden} more {noun}")?;
    }
    Ok(())
}
