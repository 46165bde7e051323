//! The Markdown report of a session, for pull-request comments and wikis.

use super::escape::{code_span, escape_markdown};
use super::sections::{
    render_comparisons_markdown, render_findings_markdown, render_stages_markdown,
};
use super::table::{write_table, Align};
use crate::format::{git_line, host_line, mean_sd, median_ci, min_max, short_id, SHORT_SESSION_ID};
use crate::units::{format_opt, NA};
use crate::Render;
use perfwatch_model::metric::Unit;
use perfwatch_model::{Metric, SessionExport, VariantExport};
use std::io::{self, Write};

/// Writes a GitHub-flavoured Markdown report: provenance, a summary table
/// per variant, warnings, comparisons, stage breakdowns and findings.
#[derive(Debug, Clone, Copy, Default)]
pub struct MarkdownRenderer;

impl Render for MarkdownRenderer {
    fn render(&self, export: &SessionExport, out: &mut dyn Write) -> io::Result<()> {
        let session = &export.session;
        writeln!(
            out,
            "## Benchmark: {}\n",
            escape_markdown(&session.benchmark)
        )?;
        writeln!(out, "- Command: {}", code_span(&session.command.display()))?;
        writeln!(
            out,
            "- Session: {} ({}, started {})",
            code_span(short_id(&session.id, SHORT_SESSION_ID)),
            session.status.key(),
            escape_markdown(&session.started_at)
        )?;
        if let Some(git) = &session.git {
            writeln!(out, "- Git: {}", escape_markdown(&git_line(git)))?;
        }
        writeln!(
            out,
            "- Host: {}\n",
            escape_markdown(&host_line(&session.host))
        )?;

        let header = [
            ("Variant", Align::Left),
            ("Runs", Align::Right),
            ("Mean ± σ", Align::Right),
            ("Median [95% CI]", Align::Right),
            ("Min … Max", Align::Right),
            ("Peak RSS", Align::Right),
        ];
        let rows: Vec<Vec<String>> = export.variants.iter().map(summary_row).collect();
        write_table(&header, &rows, out)?;

        let warnings: Vec<String> = export
            .variants
            .iter()
            .flat_map(|v| {
                v.warnings.iter().map(move |w| {
                    format!(
                        "> **Warning** ({}): {}",
                        escape_markdown(&v.name),
                        escape_markdown(w)
                    )
                })
            })
            .collect();
        if !warnings.is_empty() {
            writeln!(out)?;
            writeln!(out, "{}", warnings.join("\n>\n"))?;
        }
        if !export.comparisons.is_empty() {
            writeln!(out)?;
            render_comparisons_markdown(&export.comparisons, out)?;
        }
        for variant in export.variants.iter().filter(|v| !v.stages.is_empty()) {
            writeln!(out)?;
            render_stages_markdown(&variant.name, &variant.stages, out)?;
        }
        if !export.findings.is_empty() {
            writeln!(out)?;
            render_findings_markdown(&export.findings, out)?;
        }
        Ok(())
    }
}

/// One row of the summary table; `n/a` where nothing was measured.
fn summary_row(variant: &VariantExport) -> Vec<String> {
    let mut row = vec![escape_markdown(&variant.name)];
    match variant.summary.get(Metric::WallS.key()) {
        Some(wall) => row.extend([
            wall.n.to_string(),
            mean_sd(wall, Unit::Seconds),
            median_ci(wall, Unit::Seconds),
            min_max(wall, Unit::Seconds),
        ]),
        None => row.extend(["0".to_string(), NA.into(), NA.into(), NA.into()]),
    }
    let rss = variant
        .summary
        .get(Metric::MaxRssBytes.key())
        .map(|s| s.median);
    row.push(format_opt(Unit::Bytes, rss));
    row
}
