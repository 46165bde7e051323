//! The Markdown report of a session, for pull-request comments and wikis.

use super::escape::{code_span, escape_markdown};
use super::relative::render_relative_summary_markdown;
use super::sections::{
    render_app_metrics_markdown, render_comparisons_markdown, render_findings_markdown,
    render_stages_markdown,
};
use super::service::render_service_markdown;
use super::table::{write_table, Align};
use crate::format::{git_line, host_line, mean_sd, median_ci, min_max};
use crate::headline::Headline;
use crate::relative::RelativeSummary;
use crate::units::{ci_label, format_opt, format_value, NA};
use crate::Render;
use perfwatch_model::metric::Unit;
use perfwatch_model::{short_id, Metric, SessionExport, VariantExport, DEFAULT_CONFIDENCE};
use std::io::{self, Write};

/// Writes a GitHub-flavoured Markdown report: the verdict of the primary
/// comparisons, provenance, the service figures of service benchmarks
/// (before their wall time, which is information there), a summary table
/// per variant, warnings, with
/// several variants the relative summary (one sentence per variant against
/// the first), comparisons (secondary metrics as information), stage
/// breakdowns, the application metrics and findings.
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
        if !export.comparisons.is_empty() {
            let headline = Headline::of(&export.comparisons);
            writeln!(
                out,
                "- Verdict: **{} {}**",
                headline.icon(),
                headline.text()
            )?;
        }
        let commands = session.commands();
        let name = if commands.len() > 1 {
            "Commands"
        } else {
            "Command"
        };
        let spans: Vec<String> = commands.iter().map(|c| code_span(c)).collect();
        writeln!(out, "- {name}: {}", spans.join(" · "))?;
        if let Some(correction) = &session.shell_correction {
            writeln!(
                out,
                "- Shell: {}",
                escape_markdown(&crate::format::shell_correction_line(correction))
            )?;
        }
        writeln!(
            out,
            "- Session: {} ({}, started {})",
            code_span(short_id(&session.id)),
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

        // A service's figures lead; its wall time (start-up, load and
        // shutdown together) is information, as in the terminal.
        let service = export.variants.iter().any(|v| v.service.is_some());
        if service {
            render_service_markdown(export, out)?;
            writeln!(out)?;
            writeln!(
                out,
                "### Wall time per run
"
            )?;
            writeln!(
                out,
                "Start-up, load and shutdown together: information, not judged.\n"
            )?;
        }
        let confidence = export
            .variants
            .iter()
            .find_map(|v| v.summary.get(Metric::WallS.key()))
            .map_or(DEFAULT_CONFIDENCE, |s| s.confidence);
        let median_header = format!("Median [{}]", ci_label(confidence));
        let mut header = vec![
            ("Variant", Align::Left),
            ("Runs", Align::Right),
            ("Mean ± σ", Align::Right),
            (median_header.as_str(), Align::Right),
            ("Min … Max", Align::Right),
            ("Peak RSS", Align::Right),
        ];
        // GPU columns where some variant has GPU figures; `not measured`
        // for one that has none.
        let gpu = export.variants.iter().any(|v| v.gpu.is_some());
        if gpu {
            header.extend([
                ("Peak GPU memory", Align::Right),
                ("GPU busy", Align::Right),
            ]);
        }
        let rows: Vec<Vec<String>> = export
            .variants
            .iter()
            .map(|v| {
                let mut row = summary_row(v);
                if gpu {
                    row.extend(gpu_cells(v));
                }
                row
            })
            .collect();
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
        if let Some(summary) = RelativeSummary::of(export) {
            writeln!(out)?;
            render_relative_summary_markdown(&summary, out)?;
        }
        if let Some(v) = &export.adaptive {
            writeln!(out)?;
            let line = crate::investigation::adaptive_sentence(
                v,
                &|n| crate::markdown::escape::code_span(n),
                &|t| crate::markdown::escape::escape_markdown(t),
            );
            writeln!(out, "{line}")?;
        }
        if !export.comparisons.is_empty() {
            writeln!(out)?;
            render_comparisons_markdown(&export.comparisons, out)?;
        }
        for variant in export.variants.iter().filter(|v| !v.stages.is_empty()) {
            writeln!(out)?;
            render_stages_markdown(&variant.name, &variant.stages, out)?;
        }
        if export.variants.iter().any(|v| !v.app_metrics.is_empty()) {
            writeln!(out)?;
            render_app_metrics_markdown(export, out)?;
        }
        if !export.findings.is_empty() {
            writeln!(out)?;
            render_findings_markdown(&export.findings, out)?;
        }
        render_judgement_markdown(export, out)
    }
}

/// The analysis's notes, its health and, when evaluated, the gate.
pub fn render_judgement_markdown(export: &SessionExport, out: &mut dyn Write) -> io::Result<()> {
    if !export.notes.is_empty() {
        writeln!(out)?;
        for note in &export.notes {
            writeln!(out, "> Note: {}", escape_markdown(note))?;
        }
    }
    if let Some(h) = &export.health {
        writeln!(out, "\n### Health {}/100\n", h.score)?;
        if h.breakdown.is_empty() {
            writeln!(out, "No finding with a saving, no regression, no failure.")?;
        }
        for (what, points, why) in &h.breakdown {
            writeln!(
                out,
                "- −{points} {}: {}",
                escape_markdown(what),
                escape_markdown(why)
            )?;
        }
    }
    if let Some(g) = &export.gate {
        let verdict = if g.passed { "passed" } else { "**FAILED**" };
        writeln!(out, "\n### Gate {verdict}\n")?;
        for r in &g.rules {
            writeln!(
                out,
                "- {} {}: {} (limit {}){}",
                if r.passed { "pass" } else { "**FAIL**" },
                escape_markdown(&r.rule),
                escape_markdown(&r.actual),
                escape_markdown(&r.limit),
                if r.passed || r.detail.is_empty() {
                    String::new()
                } else {
                    format!(" — {}", escape_markdown(&r.detail))
                }
            )?;
        }
    }
    Ok(())
}

/// The GPU cells of a summary row: peak GPU memory of the program (of
/// the device's) and busy % mean (p95).
fn gpu_cells(variant: &VariantExport) -> [String; 2] {
    let Some(g) = &variant.gpu else {
        return ["not measured".into(), "not measured".into()];
    };
    let b = |v: u64| format_value(Unit::Bytes, v as f64);
    let memory = match g.peak_memory_bytes {
        Some(p) => format!("{} of {}", b(p), b(g.memory_total_bytes)),
        None => format!(
            "{} of {} (device)",
            b(g.peak_device_memory_bytes),
            b(g.memory_total_bytes)
        ),
    };
    let busy = format!("{:.0} % (p95 {:.0} %)", g.busy_mean_pct, g.busy_p95_pct);
    [memory, busy]
}

/// One row of the summary table; `–` where nothing was measured.
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
