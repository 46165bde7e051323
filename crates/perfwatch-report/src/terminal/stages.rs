//! The stage breakdown of one variant, largest share of wall time first.

use super::options::{Palette, TerminalOptions};
use super::table::{new_table, write_table};
use crate::format::printable;
use crate::units::{format_count, format_duration, format_share};
use perfwatch_model::StageSummary;
use std::io::{self, Write};

/// Renders the stage breakdown (stage, tier, component, calls per run,
/// median total time per run, share of wall time, failed calls) sorted by
/// share, largest first; at most `options.max_stages` rows. Writes nothing
/// for an empty slice.
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
    let header = [
        "stage",
        "tier",
        "component",
        "calls/run",
        "median total",
        "share",
        "failed",
    ];
    let mut table = new_table(&palette, &header, &[3, 4, 5, 6]);
    for stage in sorted.iter().take(limit) {
        let failed = stage.failed_calls.to_string();
        let failed = if stage.failed_calls > 0 {
            palette.paint(palette.bad(), failed)
        } else {
            failed
        };
        table.add_row(vec![
            printable(&stage.path).into_owned(),
            stage.tier.to_string(),
            printable(stage.component.as_deref().unwrap_or("")).into_owned(),
            format_count(stage.calls),
            format_duration(stage.total_s.median),
            format_share(stage.share),
            failed,
        ]);
    }
    write_table(&table, "    ", out)?;
    if sorted.len() > limit {
        let hidden = sorted.len() - limit;
        let noun = if hidden == 1 { "stage" } else { "stages" };
        writeln!(out, "    … {hidden} more {noun}")?;
    }
    Ok(())
}
