//! One place maps each output of the CLI to its renderer: the terminal
//! view of an analysis, and the files (`--export-json`, `--export-csv`,
//! `--export-markdown`, `--export-asciidoc`, `--export-orgmode`,
//! `--export-hyperfine`, `--markdown-summary`, `--html`). Every command
//! that shows an analysis goes through here, so they all show the same.

use crate::args::{ExportFormat, OutputArgs};
use crate::context::Context;
use crate::output::write_file;
use perfwatch_app::Analysis;
use perfwatch_model::GateReport;
use perfwatch_report::terminal::{render_gate, render_session};
use perfwatch_report::{CsvRenderer, HyperfineRenderer, JsonRenderer, MarkdownRenderer, Render};
use std::io::{IsTerminal, Write};
use std::path::Path;

/// The terminal view of an analysis: the session, its comparisons and
/// findings, its notes, its health, when evaluated the gate, and with
/// several variants the relative summary. A scan's bars of medians are
/// drawn only when standard output is a terminal.
pub fn terminal(ctx: &Context, analysis: &Analysis, out: &mut dyn Write) -> std::io::Result<()> {
    let options = perfwatch_report::TerminalOptions {
        tty: std::io::stdout().is_terminal(),
        ..ctx.terminal()
    };
    perfwatch_report::units::with_time_unit(ctx.time_unit, || {
        render_session(analysis, &options, out)
    })
}

/// Print the gate's rules, as `run --gate` shows them.
pub fn print_gate(ctx: &Context, report: &GateReport, out: &mut dyn Write) -> std::io::Result<()> {
    render_gate(report, &ctx.terminal(), out)
}

/// Only the gate's failed rules, for `-q` runs (to standard error).
pub fn print_failed_rules(
    ctx: &Context,
    report: &GateReport,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let failed = GateReport {
        passed: report.passed,
        rules: report.rules.iter().filter(|r| !r.passed).cloned().collect(),
    };
    render_gate(&failed, &ctx.terminal(), out)
}

/// A file format of one analysis.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileFormat {
    /// `perfwatch.session.v1` JSON.
    Json,
    /// One row per iteration.
    Csv,
    /// The full Markdown report.
    Markdown,
    /// hyperfine's `--export-json` schema.
    Hyperfine,
}

impl From<ExportFormat> for FileFormat {
    fn from(format: ExportFormat) -> Self {
        match format {
            ExportFormat::Json => FileFormat::Json,
            ExportFormat::Csv => FileFormat::Csv,
            ExportFormat::Markdown => FileFormat::Markdown,
            ExportFormat::Hyperfine => FileFormat::Hyperfine,
        }
    }
}

/// Render one analysis in `format` into `path` (`-`: standard output).
pub fn write_analysis(analysis: &Analysis, format: FileFormat, path: &Path) -> anyhow::Result<()> {
    let renderer: &dyn Render = match format {
        FileFormat::Json => &JsonRenderer,
        FileFormat::Csv => &CsvRenderer,
        FileFormat::Markdown => &MarkdownRenderer,
        FileFormat::Hyperfine => &HyperfineRenderer,
    };
    write_file(path, |w| renderer.render(analysis, w))
}

/// The CI Markdown summary of `analyses` into `path` and, when set,
/// appended to `$GITHUB_STEP_SUMMARY`.
pub fn write_markdown_summary(analyses: &[Analysis], path: &Path) -> anyhow::Result<()> {
    let text = perfwatch_report::markdown::render_ci_summary(analyses)?;
    write_file(path, |w| w.write_all(text.as_bytes()))?;
    if let Some(step) = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|p| !p.is_empty()) {
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .create(true)
            .open(&step)?;
        f.write_all(text.as_bytes())?;
    }
    Ok(())
}

/// The self-contained HTML report of `analyses` into `path`.
pub fn write_html(analyses: &[Analysis], path: &Path) -> anyhow::Result<()> {
    let opts = perfwatch_html::HtmlOptions {
        title: None,
        health_score: analyses
            .first()
            .and_then(|a| a.health.as_ref())
            .map(|h| h.score),
    };
    write_file(path, |w| perfwatch_html::render_report(analyses, &opts, w))
}

/// Every file output of `run`/`ab` that was asked for.
pub fn write_outputs(analysis: &Analysis, args: &OutputArgs) -> anyhow::Result<()> {
    let files = [
        (&args.export_json, FileFormat::Json),
        (&args.export_csv, FileFormat::Csv),
        (&args.export_markdown, FileFormat::Markdown),
        (&args.export_hyperfine, FileFormat::Hyperfine),
    ];
    let unit = args.time_unit.map(crate::args::TimeUnitArg::unit);
    for (path, format) in files {
        if let Some(path) = path {
            // The Markdown report shows times in `-u`'s unit too.
            let unit = (format == FileFormat::Markdown).then_some(unit).flatten();
            perfwatch_report::units::with_time_unit(unit, || {
                write_analysis(analysis, format, path)
            })?;
        }
    }
    if let Some(path) = &args.export_asciidoc {
        let text = perfwatch_report::results_table::render_asciidoc(analysis, unit);
        write_file(path, |w| w.write_all(text.as_bytes()))?;
    }
    if let Some(path) = &args.export_orgmode {
        let text = perfwatch_report::results_table::render_orgmode(analysis, unit);
        write_file(path, |w| w.write_all(text.as_bytes()))?;
    }
    let one = std::slice::from_ref(analysis);
    if let Some(path) = &args.markdown_summary {
        write_markdown_summary(one, path)?;
    }
    if let Some(path) = &args.html {
        write_html(one, path)?;
    }
    Ok(())
}
