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

/// The health score and what it deducted: every deduction when verbose,
/// otherwise at most two lines, the largest deduction first
/// and the others summed on the last.
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
    // Unless verbose, the largest deduction and the others summed: the
    // findings above say what each is about.
    let mut shown: Vec<&(String, i32, String)> = health.breakdown.iter().collect();
    let folded = if options.verbose || shown.len() <= HEALTH_LINES {
        Vec::new()
    } else {
        shown.sort_by_key(|d| std::cmp::Reverse(d.1));
        shown.split_off(HEALTH_LINES - 1)
    };
    for (what, points, why) in shown {
        line(
            options,
            false,
            0,
            "  ",
            &format!("-{points:<3} {what}: {why}"),
            out,
        )?;
    }
    if !folded.is_empty() {
        let points: i32 = folded.iter().map(|d| d.1).sum();
        let text = format!(
            "-{points:<3} in {} smaller deductions (--verbose lists them)",
            folded.len()
        );
        line(options, false, 0, "  ", &text, out)?;
    }
    if health.breakdown.is_empty() {
        // Findings count against the candidates only, regressions against
        // a baseline only (see `perfwatch_analysis::health`): say so, or a
        // finding on the first variant or a comparison of variants would
        // read as contradicted.
        writeln!(
            out,
            "  nothing deducted: no failure, no candidate's finding, no baseline regression"
        )?;
    }
    writeln!(out)
}

/// Lines of health deductions shown unless verbose (the last one sums
/// the rest when there are more).
const HEALTH_LINES: usize = 2;

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

#[cfg(test)]
mod tests {
    use super::*;

    fn health(points: &[i32]) -> Health {
        Health {
            score: 100 - points.iter().sum::<i32>() as u8,
            breakdown: points
                .iter()
                .enumerate()
                .map(|(i, &p)| (format!("finding {i}"), p, "why".to_string()))
                .collect(),
        }
    }

    fn render(h: &Health, verbose: bool) -> String {
        let options = TerminalOptions {
            verbose,
            ..TerminalOptions::default()
        };
        let mut out = Vec::new();
        render_health(h, &options, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn health_shows_two_deduction_lines_unless_verbose() {
        let two = render(&health(&[16, 1]), false);
        assert_eq!(two.lines().count(), 4, "{two}");
        let three = render(&health(&[1, 16, 2]), false);
        let lines: Vec<&str> = three.lines().collect();
        assert_eq!(lines[0], "Health 81/100");
        assert!(lines[1].starts_with("  -16  finding 1:"), "{three}");
        assert_eq!(
            lines[2],
            "  -3   in 2 smaller deductions (--verbose lists them)"
        );
        assert_eq!(lines.len(), 4, "{three}");
        assert_eq!(render(&health(&[1, 16, 2]), true).lines().count(), 5);
    }
}
