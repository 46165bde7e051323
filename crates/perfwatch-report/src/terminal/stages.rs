//! The stage breakdown of one variant, largest share of wall time first.

use super::options::{Palette, TerminalOptions};
use super::table::{fit_columns, write_table, Column, Give};
use super::wrap::shorten_path;
use crate::format::printable;
use crate::units::{format_count, format_duration, format_share};
use perfwatch_model::StageSummary;
use std::io::{self, Write};

/// Indent of the table under its title.
const INDENT: &str = "    ";

/// Renders the stage breakdown (stage, tier, component, calls per run,
/// median total time per run, share of wall time, failed calls) sorted by
/// share, largest first; at most `options.max_stages` rows. Writes nothing
/// for an empty slice. The table fits `options.width`: long paths and
/// components are shortened with `…`, then the component, tier, calls and
/// failures are left out, in that order. A stage that spans nested past the
/// depth limit were folded into gets a line of its own below the table:
/// `… 7936 deeper levels folded into job/…/recurse`.
pub fn render_stages(
    stages: &[StageSummary],
    options: &TerminalOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    let limit = options.max_stages.unwrap_or(usize::MAX);
    if stages.is_empty() || limit == 0 {
        return Ok(());
    }
    let palette = Palette::new(options);
    let mut sorted: Vec<&StageSummary> = stages.iter().collect();
    // Stable: stages of equal share keep the analysis' order.
    sorted.sort_by(|a, b| b.share.total_cmp(&a.share));

    writeln!(
        out,
        "  {}",
        palette.paint(palette.bold(), "Stages (by share of wall time)")
    )?;
    // What gives way: the path's middle, then the component, the tier,
    // the calls and the failures (only the figures that answer stay).
    let columns = [
        Column::new("stage", false).give(Give::Path),
        Column::new("tier", false).drop(800),
        Column::new("component", false).give(Give::Middle).drop(900),
        Column::new("calls/run", true).drop(700),
        Column::new("median total", true),
        Column::new("share", true),
        Column::new("failed", true).drop(600),
    ];
    let rows: Vec<Vec<String>> = sorted
        .iter()
        .take(limit)
        .map(|stage| {
            let failed = stage.failed_calls.to_string();
            let failed = if stage.failed_calls > 0 {
                palette.paint(palette.bad(), failed)
            } else {
                failed
            };
            vec![
                printable(&stage.path).into_owned(),
                stage.tier.to_string(),
                printable(stage.component.as_deref().unwrap_or("")).into_owned(),
                format_count(stage.calls),
                format_duration(stage.total_s.median),
                format_share(stage.share),
                failed,
            ]
        })
        .collect();
    let fitted = fit_columns(&palette, &columns, &rows, INDENT.len(), options.columns());
    write_table(&fitted.table, INDENT, out)?;
    if sorted.len() > limit {
        let hidden = sorted.len() - limit;
        let noun = if hidden == 1 { "stage" } else { "stages" };
        writeln!(out, "    … {hidden} more {noun}")?;
    }
    for stage in sorted.iter().take(limit).filter(|s| s.folded_levels > 0) {
        let line = folded_line(INDENT, stage.folded_levels, &stage.path, options.columns());
        writeln!(out, "{}", palette.paint(palette.dim(), line))?;
    }
    Ok(())
}

/// The line under a stage table for a stage that spans nested past the
/// depth limit were folded into: `… 7936 deeper levels folded into
/// job/…/recurse`, the path shortened to fit `columns`.
pub(super) fn folded_line(indent: &str, levels: u32, path: &str, columns: usize) -> String {
    let noun = if levels == 1 { "level" } else { "levels" };
    let head = format!("{indent}… {levels} deeper {noun} folded into ");
    let room = columns.saturating_sub(head.chars().count()).max(8);
    format!("{head}{}", shorten_path(&printable(path), room))
}
