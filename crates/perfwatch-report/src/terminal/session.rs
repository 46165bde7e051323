//! The run summary printed after `perfwatch run` and `perfwatch ab`, and
//! by `perfwatch show`: a header, a short block per variant (one table for
//! a parameter scan; a service benchmark's figures first, see
//! `service.rs`), the stages of every variant side by side, their
//! application metrics side by side, the comparisons, the findings, and
//! with several variants the relative summary.

use super::app_metrics::render_app_metrics;
use super::comparisons::render_comparisons;
use super::findings::render_findings;
use super::judgement::{render_gate, render_health};
use super::options::{Palette, TerminalOptions};
use super::relative::render_relative_summary;
use super::scan::render_scan_table;
use super::service::service_lines;
use super::stage_matrix::render_stage_matrix;
use super::wrap::{cut, pack, wrap};
use crate::format::{git_line, host_line, mean_sd, min_max, printable, RunCounts};
use crate::relative::{RelativeSummary, ScanTable};
use crate::units::{ci_label, format_count, format_opt, format_value, NA};
use crate::Render;
use perfwatch_model::metric::Unit;
use perfwatch_model::{
    short_id, Comparison, CpuMeans, GpuSummary, Metric, Reference, SessionExport, Summary,
    VariantExport,
};
use std::io::{self, Write};

/// Width of the label column of the header and the variant blocks.
const LABEL_WIDTH: usize = 9;

/// The human summary of a session for a terminal.
#[derive(Debug, Clone, Copy, Default)]
pub struct TerminalRenderer {
    /// Colour, size and detail choices.
    pub options: TerminalOptions,
}

impl TerminalRenderer {
    /// A renderer with these options.
    pub fn new(options: TerminalOptions) -> Self {
        TerminalRenderer { options }
    }
}

impl Render for TerminalRenderer {
    fn render(&self, export: &SessionExport, out: &mut dyn Write) -> io::Result<()> {
        render_session(export, &self.options, out)
    }
}

/// Renders the whole summary: header, each variant's figures and
/// warnings (a parameter scan's variants as one table, see
/// [`render_scan_table`]), the stage breakdown of all variants side by
/// side, when verbose their application metrics (see
/// [`render_app_metrics`]; otherwise a line in each variant's block), then
/// the comparisons (a scan's only when verbose) and findings when there
/// are any, the analysis's notes, its health, when evaluated the gate,
/// and with several variants the relative summary (see
/// [`render_relative_summary`]). Lines stay within `options.width`
/// columns; unless verbose, warnings, notes and findings
/// are cut to one line each (see [`TerminalOptions::verbose`]).
pub fn render_session(
    export: &SessionExport,
    options: &TerminalOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    let palette = Palette::new(options);
    write_header(export, options, &palette, out)?;
    let scan = ScanTable::of(export);
    match &scan {
        Some(scan) => {
            writeln!(out)?;
            render_scan_table(scan, options, out)?;
            if let Some(table) = crate::service::ServiceTable::of(export) {
                let lines = super::service::scan_service_lines(&table, &palette, options.columns());
                for line in lines {
                    writeln!(out, "{line}")?;
                }
            }
            let compared = export
                .comparisons
                .iter()
                .any(|c| c.reference == Reference::Variant);
            if compared && !options.verbose {
                let hint = "  every metric and stage compared value by value: --verbose";
                writeln!(out, "{}", palette.paint(palette.dim(), hint))?;
            }
        }
        None => {
            // Where one variant has GPU figures, another's absence is said.
            let any_gpu = export.variants.iter().any(|v| v.gpu.is_some());
            for variant in &export.variants {
                writeln!(out)?;
                let reported = export
                    .session
                    .variants
                    .iter()
                    .find(|v| v.name == variant.name)
                    .and_then(|v| v.cpu_means);
                let show_gpu = any_gpu || options.verbose;
                write_variant(variant, reported, show_gpu, options, &palette, out)?;
            }
        }
    }
    let with_stages = export.variants.iter().any(|v| !v.stages.is_empty());
    if with_stages && options.max_stages != Some(0) {
        writeln!(out)?;
        render_stage_matrix(&export.variants, options, out)?;
    }
    // Unless verbose, each variant's block said them in one line.
    if options.verbose && export.variants.iter().any(|v| !v.app_metrics.is_empty()) {
        writeln!(out)?;
        render_app_metrics(export, options, out)?;
    }
    // A scan's comparisons, value by value, repeat what its table says:
    // only when verbose (a comparison with a saved baseline always shows).
    let comparisons: Vec<Comparison> = export
        .comparisons
        .iter()
        .filter(|c| scan.is_none() || options.verbose || c.reference == Reference::Baseline)
        .cloned()
        .collect();
    if !comparisons.is_empty() {
        writeln!(out)?;
        render_comparisons(&comparisons, options, out)?;
    }
    if !export.findings.is_empty() {
        writeln!(out)?;
        render_findings(&export.findings, options, out)?;
    }
    for note in &export.notes {
        writeln!(out, "note: {}", printable(note))?;
    }
    if let Some(h) = &export.health {
        render_health(h, options, out)?;
    }
    if let Some(g) = &export.gate {
        render_gate(g, options, out)?;
    }
    if let Some(summary) = RelativeSummary::of(export) {
        // The health and the gate end with a blank line of their own.
        if export.health.is_none() && export.gate.is_none() {
            writeln!(out)?;
        }
        render_relative_summary(&summary, options, out)?;
    }
    if let Some(v) = &export.adaptive {
        // After the relative summary's own lines, or after the health's or
        // the gate's closing blank line.
        if RelativeSummary::of(export).is_some() {
            writeln!(out)?;
        }
        let palette = Palette::new(options);
        writeln!(out, "{}", palette.paint(palette.bold(), "Until confident"))?;
        let sentence = crate::investigation::adaptive_line(v);
        for line in super::wrap::wrap(&sentence, "  ", "    ", options.columns()) {
            writeln!(out, "{line}")?;
        }
    }
    Ok(())
}

/// A dim label padded to [`LABEL_WIDTH`], after a two-space indent.
pub(super) fn label(palette: &Palette, name: &str) -> String {
    format!(
        "  {}",
        palette.paint(palette.dim(), format!("{name:<LABEL_WIDTH$}"))
    )
}

/// The continuation indent of a labelled line.
pub(super) fn label_indent() -> String {
    " ".repeat(2 + LABEL_WIDTH)
}

fn write_lines(lines: Vec<String>, out: &mut dyn Write) -> io::Result<()> {
    lines.into_iter().try_for_each(|l| writeln!(out, "{l}"))
}

fn write_header(
    export: &SessionExport,
    options: &TerminalOptions,
    palette: &Palette,
    out: &mut dyn Write,
) -> io::Result<()> {
    let session = &export.session;
    let width = options.columns();
    let title = vec![
        palette.paint(
            palette.bold(),
            format!("Benchmark {}", printable(&session.benchmark)),
        ),
        format!(
            "session {} ({})",
            printable(short_id(&session.id)),
            session.status.key()
        ),
        format!("started {}", printable(&session.started_at)),
    ];
    write_lines(pack(&title, "", "  ", width), out)?;
    let commands = session.commands();
    let rest = label_indent();
    let name = if commands.len() > 1 {
        "commands"
    } else {
        "command"
    };
    write_lines(
        wrap(
            &printable(&commands.join(" · ")),
            &label(palette, name),
            &rest,
            width,
        ),
        out,
    )?;
    if let Some(correction) = &session.shell_correction {
        let text = crate::format::shell_correction_line(correction);
        write_lines(
            wrap(&printable(&text), &label(palette, "shell"), &rest, width),
            out,
        )?;
    }
    if let Some(version) = &session.program_version {
        write_lines(
            wrap(
                &printable(version),
                &label(palette, "version"),
                &rest,
                width,
            ),
            out,
        )?;
    }
    if let Some(git) = &session.git {
        let first = label(palette, "git");
        write_lines(wrap(&printable(&git_line(git)), &first, &rest, width), out)?;
    }
    // The host is context: one line unless verbose.
    let host = printable(&host_line(&session.host)).into_owned();
    if options.verbose {
        let parts: Vec<String> = host.split(" · ").map(str::to_string).collect();
        write_lines(pack(&parts, &label(palette, "host"), &rest, width), out)
    } else {
        let room = width - 2 - LABEL_WIDTH;
        writeln!(out, "{}{}", label(palette, "host"), cut(&host, room))
    }
}

fn write_variant(
    variant: &VariantExport,
    reported: Option<CpuMeans>,
    show_gpu: bool,
    options: &TerminalOptions,
    palette: &Palette,
    out: &mut dyn Write,
) -> io::Result<()> {
    let width = options.columns();
    let title = palette.paint(
        palette.bold(),
        format!("Variant {}", printable(&variant.name)),
    );
    let title = match &variant.description {
        Some(description) => format!("{title} — {}", printable(description)),
        None => title,
    };
    write_lines(wrap(&title, "", "  ", width), out)?;
    let rest = label_indent();
    let summary = |m: Metric| variant.summary.get(m.key());
    let wall = summary(Metric::WallS);
    let time = match wall {
        Some(wall) => time_parts(wall, options.verbose),
        None => vec![format!("{NA} (no iteration counted)")],
    };
    // Fixed lines, each wrapped only when it must: the layout does not
    // shift with the width of the figures. A service's iteration lasts as
    // long as its load was told to: its own figures come first, and its
    // wall time follows the runs as context.
    match &variant.service {
        Some(service) => write_lines(service_lines(variant, service, palette, width), out)?,
        None => write_lines(pack(&time, &label(palette, "time"), &rest, width), out)?,
    }
    let (cpu_memory, io_switches) = resource_parts(variant, reported, options.verbose);
    let mut runs = runs_parts(variant, wall, options.verbose, palette);
    runs.extend(cpu_memory);
    write_lines(pack(&runs, &label(palette, "runs"), &rest, width), out)?;
    if !io_switches.is_empty() {
        write_lines(pack(&io_switches, &rest, &rest, width), out)?;
    }
    if variant.service.is_some() {
        let note = "as long as the load ran, not a result";
        let time = match wall {
            // The median says enough of a figure the benchmark chose.
            Some(wall) if !options.verbose => vec![format!(
                "{} median ({note})",
                format_value(Unit::Seconds, wall.median)
            )],
            _ => {
                let mut time = time;
                time.push(note.to_string());
                time
            }
        };
        let time: Vec<String> = time
            .iter()
            .map(|t| palette.paint(palette.dim(), t))
            .collect();
        write_lines(pack(&time, &label(palette, "wall"), &rest, width), out)?;
    }
    if show_gpu {
        let gpu = gpu_parts(variant.gpu.as_ref());
        write_lines(pack(&gpu, &label(palette, "gpu"), &rest, width), out)?;
    }
    // The program's own metrics: two lines at most (the table is
    // verbose's).
    if !options.verbose && !variant.app_metrics.is_empty() {
        let counted = wall.map_or(0, |s| s.n);
        let parts = app_metric_parts(variant, counted);
        let mut lines = pack(&parts, &label(palette, "metrics"), &rest, width);
        if lines.len() > APP_METRIC_LINES {
            lines.truncate(APP_METRIC_LINES);
            if let Some(last) = lines.last_mut() {
                *last = cut(&format!("{last} · …"), width);
            }
        }
        write_lines(lines, out)?;
    }
    for warning in &variant.warnings {
        let lines = if options.verbose {
            wrap(&printable(warning), "  warning: ", "    ", width)
        } else {
            vec![cut(&format!("  warning: {}", printable(warning)), width)]
        };
        for line in lines {
            writeln!(out, "{}", palette.paint(palette.warning(), line))?;
        }
    }
    Ok(())
}

/// Lines the application metrics take in a variant's block, at most.
const APP_METRIC_LINES: usize = 2;

/// `cache_hit_rate 0.8 (0.75–0.85)` per application metric: the median of
/// the runs' values, their range when it is one, and how many runs
/// reported it when not all `counted` did.
fn app_metric_parts(variant: &VariantExport, counted: usize) -> Vec<String> {
    variant
        .app_metrics
        .iter()
        .map(|(name, m)| {
            let (min, max) = (format_count(m.min), format_count(m.max));
            let mut detail = Vec::new();
            if min != max {
                detail.push(format!("{min}–{max}"));
            }
            if (m.runs as usize) < counted {
                detail.push(format!("{} of {counted} runs", m.runs));
            }
            let median = format_count(m.median);
            if detail.is_empty() {
                format!("{} {median}", printable(name))
            } else {
                format!("{} {median} ({})", printable(name), detail.join(", "))
            }
        })
        .collect()
}

/// `1.39 s median [95% CI 1.38 s, 1.45 s]`, mean ± σ, range (and p95 when
/// verbose).
fn time_parts(wall: &Summary, verbose: bool) -> Vec<String> {
    let s = |v: f64| format_value(Unit::Seconds, v);
    let mut parts = vec![
        format!(
            "{} median [{} {}, {}]",
            s(wall.median),
            ci_label(wall.confidence),
            s(wall.ci_low),
            s(wall.ci_high)
        ),
        format!("mean {}", mean_sd(wall, Unit::Seconds)),
        format!("range {}", min_max(wall, Unit::Seconds)),
    ];
    if verbose {
        parts.push(format!("p95 {}", s(wall.p95)));
    }
    parts
}

/// `8 counted · 10 total · 1 warm-up · 1 failed · 1 timed out`; the total,
/// and failures and timeouts that did not happen, only when verbose.
fn runs_parts(
    variant: &VariantExport,
    wall: Option<&Summary>,
    verbose: bool,
    palette: &Palette,
) -> Vec<String> {
    let counts = RunCounts::of(&variant.iterations);
    let warmups = if counts.warmups == 1 {
        "warm-up"
    } else {
        "warm-ups"
    };
    let mut parts = vec![format!("{} counted", wall.map_or(0, |s| s.n))];
    if verbose {
        parts.push(format!("{} total", counts.total));
    }
    if verbose || counts.warmups > 0 {
        parts.push(format!("{} {warmups}", counts.warmups));
    }
    if verbose || counts.failed > 0 {
        let text = format!("{} failed", counts.failed);
        parts.push(alarm(palette, counts.failed, text));
    }
    if verbose || counts.timed_out > 0 {
        let text = format!("{} timed out", counts.timed_out);
        parts.push(alarm(palette, counts.timed_out, text));
    }
    parts
}

/// `text` in red when `n` is not zero.
pub(super) fn alarm(palette: &Palette, n: usize, text: String) -> String {
    if n > 0 {
        palette.paint(palette.bad(), text)
    } else {
        text
    }
}

/// `peak 5.59 GiB of 16.0 GiB · busy 62 % mean, 96 % p95 · 205 W`, or
/// `not measured`.
fn gpu_parts(gpu: Option<&GpuSummary>) -> Vec<String> {
    let Some(g) = gpu else {
        return vec!["not measured (no GPU, driver or NVML)".to_string()];
    };
    let b = |v: u64| format_value(Unit::Bytes, v as f64);
    let peak = match g.peak_memory_bytes {
        Some(p) => format!("peak {} of {}", b(p), b(g.memory_total_bytes)),
        None => format!(
            "device memory peak {} of {} (per-process not reported)",
            b(g.peak_device_memory_bytes),
            b(g.memory_total_bytes)
        ),
    };
    let mut parts = vec![
        peak,
        format!(
            "busy {:.0} % mean, {:.0} % p95",
            g.busy_mean_pct, g.busy_p95_pct
        ),
    ];
    if let Some(w) = g.power_mean_w {
        parts.push(format!("{w:.0} W"));
    }
    parts
}

/// Means of user and sys time (or, for an imported variant without per-run
/// CPU times, the means its tool reported, marked as such) and medians of
/// the peak RSS (and, verbose, of the sampled tree); then means of I/O and
/// context switches. What was not measured is left out.
fn resource_parts(
    variant: &VariantExport,
    reported: Option<CpuMeans>,
    verbose: bool,
) -> (Vec<String>, Vec<String>) {
    let summary = |m: Metric| variant.summary.get(m.key());
    let mean = |m: Metric| summary(m).map(|s| s.mean);
    let median = |m: Metric| summary(m).map(|s| s.median);
    let mut parts = Vec::new();
    let mut io_switches = Vec::new();
    if mean(Metric::UserS).is_some() || mean(Metric::SysS).is_some() {
        parts.push(format!(
            "user {} · sys {}",
            format_opt(Unit::Seconds, mean(Metric::UserS)),
            format_opt(Unit::Seconds, mean(Metric::SysS))
        ));
    } else if let Some(r) = reported {
        parts.push(format!(
            "user {} · sys {} (reported means)",
            format_value(Unit::Seconds, r.user_s),
            format_value(Unit::Seconds, r.sys_s)
        ));
    }
    match (
        median(Metric::MaxRssBytes),
        median(Metric::PeakTreeRssBytes),
    ) {
        (None, None) => {}
        (rss, tree) => {
            let mut text = format!("peak RSS {}", format_opt(Unit::Bytes, rss));
            if let Some(tree) = tree.filter(|_| verbose) {
                text.push_str(&format!(" (tree {})", format_value(Unit::Bytes, tree)));
            }
            parts.push(text);
        }
    }
    match (mean(Metric::ReadBytes), mean(Metric::WriteBytes)) {
        (None, None) => {}
        (read, write) => io_switches.push(format!(
            "I/O {} read, {} written",
            format_opt(Unit::Bytes, read),
            format_opt(Unit::Bytes, write)
        )),
    }
    if let (Some(vol), Some(invol)) = (mean(Metric::VoluntaryCs), mean(Metric::InvoluntaryCs)) {
        io_switches.push(format!(
            "ctx switches {} vol, {} invol",
            format_count(vol),
            format_count(invol)
        ));
    }
    (parts, io_switches)
}
