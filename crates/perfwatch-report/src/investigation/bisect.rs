//! A statistical bisection in the terminal and in Markdown: the range,
//! the endpoints' comparison, the steps, and the conclusion.

use super::adaptive::adaptive_sentence;
use super::{adaptive_line, capitalised, metric_name, metric_unit, plural};
use crate::format::{short_id, SHORT_COMMIT};
use crate::markdown::{code_span, escape_markdown, write_table as write_md_table, Align};
use crate::printable::printable;
use crate::terminal::{cut, fit_columns, wrap, write_table, Column, Give, Palette};
use crate::units::{format_opt, format_ratio, format_ratio_ci};
use crate::TerminalOptions;
use console::Style;
use perfwatch_model::investigation::{
    AdaptiveVerdict, BisectOutcome, BisectReport, BisectStep, Commit, StepVerdict,
};
use std::io::{self, Write};

/// Indent of everything under the header.
const INDENT: &str = "  ";

/// The first characters of a commit id.
fn short(id: &str) -> &str {
    short_id(id, SHORT_COMMIT)
}

/// The conclusion in words, plain: `first bad commit: 7a8b9c0 Subject`,
/// `no difference between the endpoints: nothing to bisect`,
/// `ambiguous: the first bad commit is one of 3 commits that could not be
/// told apart`, `interrupted before an answer`.
pub fn bisect_conclusion(r: &BisectReport) -> String {
    conclusion(r, &|c| {
        format!("{} {}", short(&c.id), printable(&c.subject))
    })
}

fn conclusion(r: &BisectReport, commit: &dyn Fn(&Commit) -> String) -> String {
    match r.outcome {
        BisectOutcome::FirstBad => match &r.first_bad {
            Some(c) => format!("first bad commit: {}", commit(c)),
            None => "first bad commit: not named".to_string(),
        },
        BisectOutcome::NoDifference => {
            "no difference between the endpoints: nothing to bisect".to_string()
        }
        BisectOutcome::Ambiguous => format!(
            "ambiguous: the first bad commit is one of {} that could not be told apart",
            plural(r.suspects.len(), "commit", "commits")
        ),
        BisectOutcome::Interrupted => "interrupted before an answer".to_string(),
    }
}

/// Why a suspect could not be ruled out, from its step: `skipped: build
/// failed`, `ambiguous after 24 runs`, `not measured` (plain).
pub fn suspect_reason(r: &BisectReport, commit: &Commit) -> String {
    match r.steps.iter().rfind(|s| s.commit.id == commit.id) {
        None => "not measured".to_string(),
        Some(step) => match (step.verdict, &step.reason) {
            (StepVerdict::Skipped, Some(reason)) => format!("skipped: {}", printable(reason)),
            (StepVerdict::Ambiguous, _) => format!(
                "ambiguous after {}",
                plural(step.runs as usize, "run", "runs")
            ),
            (verdict, _) => verdict.label().to_string(),
        },
    }
}

/// `3 steps, 36 runs` (every run of the bisection when the report counts
/// them, else those of the steps' commits) and each step's error
/// probability.
pub fn bisect_effort(r: &BisectReport) -> String {
    let runs: u64 = r
        .total_runs
        .unwrap_or_else(|| r.steps.iter().map(|s| u64::from(s.runs)).sum());
    format!(
        "{}, {} in all · each step wrong with probability ≤ {}",
        plural(r.steps.len(), "step", "steps"),
        plural(runs as usize, "run", "runs"),
        r.step_error
    )
}

/// `1.120× [1.100×, 1.140×]`, the first bad commit's effect.
fn effect(r: &BisectReport) -> Option<String> {
    r.effect.map(|e| {
        format!(
            "{} {}",
            format_ratio(e.ratio),
            format_ratio_ci(e.ci_low, e.ci_high)
        )
    })
}

/// The endpoints' comparison with the range's commit ids shortened (as
/// every view names commits); `None` when they were not compared.
pub fn short_endpoints(r: &BisectReport) -> Option<AdaptiveVerdict> {
    r.endpoints.as_ref().map(|v| shortened(r, v))
}

/// `v` with full commit ids of the range shortened.
fn shortened(r: &BisectReport, v: &AdaptiveVerdict) -> AdaptiveVerdict {
    let name = |n: &str| match r.commits.iter().find(|c| c.id == n) {
        Some(c) => short(&c.id).to_string(),
        None => n.to_string(),
    };
    AdaptiveVerdict {
        baseline: name(&v.baseline),
        candidate: name(&v.candidate),
        ..v.clone()
    }
}

/// The endpoints' comparison as [`adaptive_line`] says it, the range's
/// commit ids shortened; `None` when they were not compared.
pub fn bisect_endpoints_line(r: &BisectReport) -> Option<String> {
    short_endpoints(r).map(|v| adaptive_line(&v))
}

/// `24 commits, 1a2b3c4 (good) .. 9f8e7d6 (bad)`, ids through `id`.
fn range(r: &BisectReport, id: &dyn Fn(&str) -> String) -> String {
    let mut text = plural(r.commits.len(), "commit", "commits");
    if let (Some(good), Some(bad)) = (r.commits.first(), r.commits.last()) {
        text.push_str(&format!(
            ", {} (good) .. {} (bad)",
            id(short(&good.id)),
            id(short(&bad.id))
        ));
    }
    text
}

/// `good 1.23 s · bad 1.38 s`, when either is known.
fn medians(r: &BisectReport) -> Option<String> {
    if r.good_median.is_none() && r.bad_median.is_none() {
        return None;
    }
    let unit = metric_unit(&r.metric);
    Some(format!(
        "good {} · bad {}",
        format_opt(unit, r.good_median),
        format_opt(unit, r.bad_median)
    ))
}

/// Renders a bisection for the terminal: a header (benchmark, metric, the
/// range), the endpoints' comparison ([`adaptive_line`]) and medians, a
/// table of the steps in the order they ran (subjects cut with `…`;
/// skipped commits' reasons as numbered notes), then the conclusion with
/// the first bad commit's effect, the suspects of an ambiguous outcome,
/// and the effort. Lines fit `opts.width` (at least 80); verdicts are
/// coloured only when `opts.color` says so.
pub fn bisect_terminal(
    r: &BisectReport,
    opts: &TerminalOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    let palette = Palette::new(opts);
    let width = opts.columns();
    let header = format!(
        "Bisect {} on {}: {}",
        printable(&r.benchmark),
        metric_name(&r.metric),
        range(r, &|id| id.to_string())
    );
    for line in wrap(&header, "", INDENT, width) {
        writeln!(out, "{}", palette.paint(palette.bold(), line))?;
    }
    let endpoints = bisect_endpoints_line(r).unwrap_or_else(|| "not compared".to_string());
    let rest = format!("{INDENT}  ");
    for line in wrap(&endpoints, &format!("{INDENT}endpoints: "), &rest, width) {
        writeln!(out, "{line}")?;
    }
    if let Some(medians) = medians(r) {
        writeln!(out, "{INDENT}medians: {medians}")?;
    }
    if !r.steps.is_empty() {
        writeln!(out)?;
        write_steps(r, &palette, width, out)?;
    }
    writeln!(out)?;
    write_conclusion(r, &palette, width, out)
}

fn verdict_style(palette: &Palette, verdict: StepVerdict) -> Style {
    match verdict {
        StepVerdict::Good => palette.good(),
        StepVerdict::Bad => palette.bad(),
        StepVerdict::Ambiguous => palette.warning(),
        StepVerdict::Skipped => palette.dim(),
    }
}

fn write_steps(
    r: &BisectReport,
    palette: &Palette,
    width: usize,
    out: &mut dyn Write,
) -> io::Result<()> {
    let columns = [
        Column::new("step", true),
        Column::new("pos", true).drop(3),
        Column::new("commit", false),
        Column::new("subject", false).give(Give::End),
        Column::new("runs", true).drop(2),
        Column::new("median", true),
        Column::new("verdict", false),
    ];
    let unit = metric_unit(&r.metric);
    let mut notes = Vec::new();
    let rows: Vec<Vec<String>> = r
        .steps
        .iter()
        .enumerate()
        .map(|(i, step)| {
            let mut verdict = step.verdict.label().to_string();
            if let Some(reason) = &step.reason {
                notes.push(printable(reason).into_owned());
                verdict.push_str(&format!(" [{}]", notes.len()));
            }
            vec![
                (i + 1).to_string(),
                step.position.to_string(),
                short(&step.commit.id).to_string(),
                printable(&step.commit.subject).into_owned(),
                step.runs.to_string(),
                format_opt(unit, step.median),
                palette.paint(verdict_style(palette, step.verdict), verdict),
            ]
        })
        .collect();
    let fitted = fit_columns(palette, &columns, &rows, INDENT.len(), width);
    write_table(&fitted.table, INDENT, out)?;
    for (i, note) in notes.iter().enumerate() {
        let line = cut(&format!("{INDENT}[{}] {note}", i + 1), width);
        writeln!(out, "{}", palette.paint(palette.dim(), line))?;
    }
    Ok(())
}

fn write_conclusion(
    r: &BisectReport,
    palette: &Palette,
    width: usize,
    out: &mut dyn Write,
) -> io::Result<()> {
    let style = match r.outcome {
        BisectOutcome::FirstBad => palette.bad().bold(),
        BisectOutcome::NoDifference => palette.good().bold(),
        BisectOutcome::Ambiguous | BisectOutcome::Interrupted => palette.warning().bold(),
    };
    let text = cut(&bisect_conclusion(r), width);
    writeln!(out, "{}", palette.paint(style, text))?;
    if r.outcome == BisectOutcome::FirstBad {
        if let Some(effect) = effect(r) {
            let line = format!("{INDENT}effect {effect}: its runs against the last good commit's");
            writeln!(out, "{}", cut(&line, width))?;
        }
    }
    if r.outcome == BisectOutcome::Ambiguous {
        // The reason is the point: the subject gives way, the reason wraps.
        let subject_room = width / 2;
        for c in &r.suspects {
            let text = format!(
                "{} {} ({})",
                short(&c.id),
                cut(&printable(&c.subject), subject_room),
                suspect_reason(r, c)
            );
            for line in wrap(&text, INDENT, &format!("{INDENT}    "), width) {
                writeln!(out, "{line}")?;
            }
        }
    }
    if !r.steps.is_empty() {
        for line in wrap(&bisect_effort(r), INDENT, INDENT, width) {
            writeln!(out, "{}", palette.paint(palette.dim(), line))?;
        }
    }
    Ok(())
}

/// A bisection as a Markdown summary: a heading, the conclusion first
/// (with the first bad commit's effect, or the suspects), the range, the
/// endpoints' comparison, medians and effort, then a table of the steps.
/// Commit subjects, names and reasons are escaped.
pub fn bisect_markdown(r: &BisectReport) -> String {
    let mut out = Vec::new();
    write_markdown(r, &mut out).expect("writing to a Vec cannot fail");
    String::from_utf8(out).expect("the Markdown is UTF-8")
}

fn md_commit(c: &Commit) -> String {
    format!(
        "{} {}",
        code_span(short(&c.id)),
        escape_markdown(&c.subject)
    )
}

fn write_markdown(r: &BisectReport, out: &mut dyn Write) -> io::Result<()> {
    writeln!(
        out,
        "## Bisect: {} on {}\n",
        escape_markdown(&r.benchmark),
        escape_markdown(&metric_name(&r.metric))
    )?;
    let mut conclusion = format!("**{}**", capitalised(&conclusion(r, &md_commit)));
    if let (BisectOutcome::FirstBad, Some(effect)) = (r.outcome, effect(r)) {
        conclusion.push_str(&format!(": {effect} against the last good commit"));
    }
    writeln!(out, "{conclusion}\n")?;
    if r.outcome == BisectOutcome::Ambiguous {
        // Numbered, so that the list stays apart from the bullets below.
        for (i, c) in r.suspects.iter().enumerate() {
            let why = escape_markdown(&suspect_reason(r, c));
            writeln!(out, "{}. {} ({why})", i + 1, md_commit(c))?;
        }
        writeln!(out)?;
    }
    writeln!(out, "- Range: {}", range(r, &|id| code_span(id)))?;
    if let Some(v) = short_endpoints(r) {
        let line = adaptive_sentence(&v, &|n| code_span(n), &|t| escape_markdown(t));
        writeln!(out, "- Endpoints: {line}")?;
    }
    if let Some(medians) = medians(r) {
        writeln!(out, "- Medians: {medians}")?;
    }
    if r.steps.is_empty() {
        return Ok(());
    }
    writeln!(out, "- Effort: {}", bisect_effort(r))?;
    writeln!(out, "\n### Steps\n")?;
    let unit = metric_unit(&r.metric);
    let rows: Vec<Vec<String>> = r
        .steps
        .iter()
        .enumerate()
        .map(|(i, s)| md_step_row(i, s, unit))
        .collect();
    write_md_table(
        &[
            ("step", Align::Right),
            ("position", Align::Right),
            ("commit", Align::Left),
            ("subject", Align::Left),
            ("runs", Align::Right),
            ("median", Align::Right),
            ("verdict", Align::Left),
        ],
        &rows,
        out,
    )
}

fn md_step_row(i: usize, s: &BisectStep, unit: perfwatch_model::metric::Unit) -> Vec<String> {
    let verdict = match &s.reason {
        Some(reason) => format!("{}: {}", s.verdict.label(), escape_markdown(reason)),
        None => s.verdict.label().to_string(),
    };
    vec![
        (i + 1).to_string(),
        s.position.to_string(),
        code_span(short(&s.commit.id)),
        escape_markdown(&s.commit.subject),
        s.runs.to_string(),
        format_opt(unit, s.median),
        verdict,
    ]
}
