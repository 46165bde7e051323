//! The stages of every variant side by side: one row per stage path, for
//! each variant its median time per run and share of the wall time (and,
//! verbose, its calls per run), largest share of the first variant first.

use super::options::{Palette, TerminalOptions};
use super::stages::folded_line;
use super::table::{fit_columns, write_left_out_variants, write_table, Column, Give};
use crate::format::printable;
use crate::units::{format_count, format_duration, format_share, NA};
use perfwatch_model::{StageSummary, VariantExport};
use std::collections::HashMap;
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
    let mut index: HashMap<&'a str, usize> = HashMap::new();
    for (i, v) in variants.iter().enumerate() {
        let mut sorted: Vec<&StageSummary> = v.stages.iter().collect();
        // Stable: stages of equal share keep the analysis' order.
        sorted.sort_by(|a, b| b.share.total_cmp(&a.share));
        for stage in sorted {
            let pos = *index.entry(&stage.path).or_insert_with(|| {
                rows.push(Row {
                    path: &stage.path,
                    tier: stage.tier.to_string(),
                    cells: vec![None; variants.len()],
                });
                rows.len() - 1
            });
            rows[pos].cells[i].get_or_insert(stage);
        }
    }
    rows
}

/// Renders the stage breakdown of `variants` (those with stages) as one
/// table, at most `options.max_stages` rows; writes nothing when no variant
/// has stages. The table fits `options.width`: long stage paths and
/// variant names are shortened with `…`; then calls, tiers, shares and,
/// last, whole variants (from the last, named under the table) are left
/// out.
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

    let per_variant = 2 + usize::from(options.verbose) + usize::from(failed);
    let kept = &rows[..rows.len().min(limit)];
    // What gives way first: calls, the tier, the shares (the last
    // variant's first), then whole variants from the last; the first
    // variant's times and failures stay.
    let mut columns = vec![
        Column::new("stage", false).give(Give::Path),
        Column::new("tier", false).drop(900),
    ];
    for (i, v) in shown.iter().enumerate() {
        let i = i as u32;
        let keep_last = if i == 0 {
            0
        } else {
            100 + shown.len() as u32 - i
        };
        columns.push(
            Column::new(printable(&v.name), true)
                .give(Give::Header)
                .drop(keep_last),
        );
        columns.push(Column::new("share", true).drop(500 + shown.len() as u32 - i));
        if options.verbose {
            columns.push(Column::new("calls", true).drop(1000 + shown.len() as u32 - i));
        }
        if failed {
            columns.push(Column::new("failed", true).drop(keep_last));
        }
    }
    let cells: Vec<Vec<String>> = kept
        .iter()
        .map(|row| {
            let mut cells = vec![printable(row.path).into_owned(), row.tier.clone()];
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
                    None => cells.extend((0..per_variant).map(|_| NA.to_string())),
                }
            }
            cells
        })
        .collect();
    let fitted = fit_columns(&palette, &columns, &cells, INDENT.len(), options.columns());
    write_table(&fitted.table, INDENT, out)?;
    // A variant is left out with its times.
    let left_out: Vec<String> = shown
        .iter()
        .enumerate()
        .filter(|(i, _)| !fitted.kept[2 + i * per_variant])
        .map(|(_, v)| printable(&v.name).into_owned())
        .collect();
    write_left_out_variants(&palette, &left_out, INDENT, options.columns(), out)?;
    if rows.len() > kept.len() {
        let hidden = rows.len() - kept.len();
        let noun = if hidden == 1 { "stage" } else { "stages" };
        writeln!(out, "{INDENT}… {hidden} more {noun}")?;
    }
    for row in kept {
        let levels = row.cells.iter().flatten().map(|s| s.folded_levels).max();
        if let Some(levels) = levels.filter(|&l| l > 0) {
            let line = folded_line(INDENT, levels, row.path, options.columns());
            writeln!(out, "{}", palette.paint(palette.dim(), line))?;
        }
    }
    Ok(())
}
