//! The health score and the gate's verdict in the terminal: one line per
//! deduction or rule, cut to the width unless verbose.

use super::options::TerminalOptions;
use super::wrap::{cut, wrap};
use crate::printable::printable;
use console::Style;
use perfwatch_model::{GateReport, Health};
use std::io::{self, Write};

fn styled(options: &TerminalOptions, style: Style, text: impl std::fmt::Display) -> String {
    style
        .force_styling(options.color)
        .apply_to(text)
        .to_string()
}

/// One line after `used` columns already written: as it is when `whole`
/// (a gate's rule is the answer, and CI logs are searched for it), wrapped
/// in full when verbose, else cut to the width. `text` is plain (no
/// styling): rule details and deductions quote stage and variant names, so
/// it is shown [`printable`].
fn line(
    options: &TerminalOptions,
    whole: bool,
    used: usize,
    indent: &str,
    text: &str,
    out: &mut dyn Write,
) -> io::Result<()> {
    let text = &*printable(text);
    let width = options
        .width
        .saturating_sub(used + indent.chars().count())
        .max(20);
    if whole {
        return writeln!(out, "{indent}{text}");
    }
    if options.verbose {
        let rest = " ".repeat(used + indent.chars().count() + 5);
        for l in wrap(text, indent, &rest, options.width.saturating_sub(used)) {
            writeln!(out, "{l}")?;
        }
        Ok(())
    } else {
        writeln!(out, "{indent}{}", cut(text, width))
    }
}

/// The health score and what it deducted.
pub fn render_health(
    health: &Health,
    options: &TerminalOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    let style = match health.score {
        80..=100 => Style::new().green(),
        50..=79 => Style::new().yellow(),
        _ => Style::new().red(),
    }
    .bold();
    writeln!(out, "Health {}/100", styled(options, style, health.score))?;
    for (what, points, why) in &health.breakdown {
        line(
            options,
            false,
            0,
            "  ",
            &format!("-{points:<3} {what}: {why}"),
            out,
        )?;
    }
    if health.breakdown.is_empty() {
        writeln!(out, "  no finding with a saving, no regression, no failure")?;
    }
    writeln!(out)
}

/// The gate's rules; failing ones say by how much.
pub fn render_gate(
    report: &GateReport,
    options: &TerminalOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    let red = Style::new().red().bold();
    let green = Style::new().green();
    if report.rules.is_empty() {
        writeln!(
            out,
            "Gate: no rule configured ([gates] in perfwatch.toml or --max-… flags)"
        )?;
        return Ok(());
    }
    let verdict = if report.passed {
        styled(options, green.clone(), "passed")
    } else {
        styled(options, red.clone(), "FAILED")
    };
    writeln!(out, "Gate {verdict}")?;
    for r in &report.rules {
        let mark = if r.passed {
            styled(options, green.clone(), "pass")
        } else {
            styled(options, red.clone(), "FAIL")
        };
        // A gate's verdict is never cut: the failing rule is the answer.
        // The mark's escape codes do not count towards the width.
        write!(out, "  {mark}  ")?;
        let rule = format!("{}: {} (limit {})", r.rule, r.actual, r.limit);
        line(options, true, 8, "", &rule, out)?;
        // Why it failed, or why it could not be judged.
        if !r.detail.is_empty() && (!r.passed || r.actual == "n/a") {
            line(options, true, 0, "        ", &r.detail, out)?;
        }
    }
    writeln!(out)
}
