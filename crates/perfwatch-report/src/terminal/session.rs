//! The run summary printed after `perfwatch run` and by `perfwatch show`.

use super::comparisons::render_comparisons;
use super::findings::render_findings;
use super::options::{Palette, TerminalOptions};
use super::stages::render_stages;
use crate::format::{
    git_line, host_line, mean_sd, median_ci, min_max, printable, short_id, RunCounts,
    SHORT_SESSION_ID,
};
use crate::units::{format_count, format_opt, format_value, NA};
use crate::Render;
use perfwatch_model::metric::Unit;
use perfwatch_model::{Metric, SessionExport, Summary, VariantExport};
use std::io::{self, Write};

/// Width of the label column of a variant's figures.
const LABEL_WIDTH: usize = 21;

/// The human summary of a session for a terminal.
#[derive(Debug, Clone, Copy, Default)]
pub struct TerminalRenderer {
    /// Colour and size choices.
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

/// Renders the whole summary: header, each variant's figures, warnings and
/// stage breakdown, then the comparisons and findings when there are any.
pub fn render_session(
    export: &SessionExport,
    options: &TerminalOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    let palette = Palette::new(options);
    write_header(export, &palette, out)?;
    for variant in &export.variants {
        writeln!(out)?;
        write_variant(variant, options, &palette, out)?;
    }
    if !export.comparisons.is_empty() {
        writeln!(out)?;
        render_comparisons(&export.comparisons, options, out)?;
    }
    if !export.findings.is_empty() {
        writeln!(out)?;
        render_findings(&export.findings, options, out)?;
    }
    Ok(())
}

fn write_header(export: &SessionExport, palette: &Palette, out: &mut dyn Write) -> io::Result<()> {
    let session = &export.session;
    writeln!(
        out,
        "{} {}",
        palette.paint(palette.bold(), "Benchmark"),
        palette.paint(palette.bold(), printable(&session.benchmark))
    )?;
    let label = |name: &str| palette.paint(palette.dim(), format!("{name:<9}"));
    let command = session.command.display();
    writeln!(out, "  {}{}", label("command"), printable(&command))?;
    writeln!(
        out,
        "  {}{} ({}, started {})",
        label("session"),
        short_id(&session.id, SHORT_SESSION_ID),
        session.status.key(),
        printable(&session.started_at)
    )?;
    if let Some(git) = &session.git {
        writeln!(out, "  {}{}", label("git"), printable(&git_line(git)))?;
    }
    writeln!(
        out,
        "  {}{}",
        label("host"),
        printable(&host_line(&session.host))
    )
}

fn write_variant(
    variant: &VariantExport,
    options: &TerminalOptions,
    palette: &Palette,
    out: &mut dyn Write,
) -> io::Result<()> {
    let title = palette.paint(
        palette.bold(),
        format!("Variant {}", printable(&variant.name)),
    );
    match &variant.description {
        Some(description) => writeln!(out, "{title} — {}", printable(description))?,
        None => writeln!(out, "{title}")?,
    }
    let mut line = |label: &str, value: String| -> io::Result<()> {
        let label = palette.paint(palette.dim(), format!("{label:<LABEL_WIDTH$}"));
        writeln!(out, "  {label}{value}")
    };
    let summary = |m: Metric| variant.summary.get(m.key());

    let wall = summary(Metric::WallS);
    line("runs", runs_value(variant, wall, palette))?;
    match wall {
        Some(wall) => {
            line("time (mean ± σ)", mean_sd(wall, Unit::Seconds))?;
            line("median [95% CI]", median_ci(wall, Unit::Seconds))?;
            line("range (min … max)", min_max(wall, Unit::Seconds))?;
            line("p95", format_value(Unit::Seconds, wall.p95))?;
        }
        None => line("time", format!("{NA} (no iteration counted)"))?,
    }
    let mean = |m: Metric| summary(m).map(|s| s.mean);
    let median = |m: Metric| summary(m).map(|s| s.median);
    line(
        "user / sys (mean)",
        format!(
            "{} / {}",
            format_opt(Unit::Seconds, mean(Metric::UserS)),
            format_opt(Unit::Seconds, mean(Metric::SysS))
        ),
    )?;
    let mut rss = match median(Metric::MaxRssBytes) {
        Some(v) => format!("{} (wait4)", format_value(Unit::Bytes, v)),
        None => NA.to_string(),
    };
    if let Some(tree) = median(Metric::PeakTreeRssBytes) {
        rss.push_str(&format!(
            " · {} tree (sampled)",
            format_value(Unit::Bytes, tree)
        ));
    }
    line("peak RSS (median)", rss)?;
    let io = match (mean(Metric::ReadBytes), mean(Metric::WriteBytes)) {
        (None, None) => NA.to_string(),
        (read, write) => format!(
            "{} read · {} written",
            format_opt(Unit::Bytes, read),
            format_opt(Unit::Bytes, write)
        ),
    };
    line("I/O (mean)", io)?;
    if let (Some(vol), Some(invol)) = (mean(Metric::VoluntaryCs), mean(Metric::InvoluntaryCs)) {
        line(
            "ctx switches (mean)",
            format!(
                "{} voluntary · {} involuntary",
                format_count(vol),
                format_count(invol)
            ),
        )?;
    }
    for warning in &variant.warnings {
        writeln!(
            out,
            "  {}",
            palette.paint(
                palette.warning(),
                format!("warning: {}", printable(warning))
            )
        )?;
    }
    if !variant.stages.is_empty() && options.max_stages != Some(0) {
        writeln!(out)?;
        render_stages(&variant.stages, options, out)?;
    }
    Ok(())
}

/// `8 counted · 10 total · 1 warm-up · 1 failed · 1 timed out`.
fn runs_value(variant: &VariantExport, wall: Option<&Summary>, palette: &Palette) -> String {
    let counts = RunCounts::of(&variant.iterations);
    let warmups = if counts.warmups == 1 {
        "warm-up"
    } else {
        "warm-ups"
    };
    let alarm = |n: usize, text: String| {
        if n > 0 {
            palette.paint(palette.bad(), text)
        } else {
            text
        }
    };
    format!(
        "{} counted · {} total · {} {warmups} · {} · {}",
        wall.map_or(0, |s| s.n),
        counts.total,
        counts.warmups,
        alarm(counts.failed, format!("{} failed", counts.failed)),
        alarm(counts.timed_out, format!("{} timed out", counts.timed_out)),
    )
}
