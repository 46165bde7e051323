//! Findings: diagnoses with their saving and advice; their place, figures
//! and evidence when verbose.

use super::options::{Palette, TerminalOptions};
use super::wrap::{cut, pack, wrap};
use crate::format::printable;
use crate::units::{format_duration, format_evidence, format_share};
use perfwatch_model::Finding;
use std::io::{self, Write};

/// Indent of a finding's lines under its number.
const BODY: &str = "     ";

/// Renders findings numbered in the order given (the analysis ranks them).
///
/// By default each is its title and one line — the saving per run, the
/// variant and the recommendation — both cut to the width, and only the
/// first [`TerminalOptions::FINDINGS_SHOWN`] are listed (the heading says
/// how many there are). Verbose, every finding shows its kind, stage and
/// variant, impact, confidence and effort, the whole recommendation and
/// the evidence as `key=value`. Writes nothing for an empty slice.
pub fn render_findings(
    findings: &[Finding],
    options: &TerminalOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    if findings.is_empty() {
        return Ok(());
    }
    let palette = Palette::new(options);
    let shown = if options.verbose {
        findings.len()
    } else {
        findings.len().min(TerminalOptions::FINDINGS_SHOWN)
    };
    let heading = if shown < findings.len() {
        format!(
            "Findings (the first {shown} of {}; --verbose lists all, with evidence)",
            findings.len()
        )
    } else {
        "Findings".to_string()
    };
    writeln!(out, "{}", palette.paint(palette.bold(), heading))?;
    let width = options.columns();
    for (i, f) in findings.iter().take(shown).enumerate() {
        let number = format!("  {}. ", i + 1);
        let mut title = printable(&f.title).into_owned();
        if options.verbose {
            title.push_str(&format!(" [{}]", printable(&f.kind)));
        }
        let title_lines = if options.verbose {
            wrap(&title, &number, BODY, width)
        } else {
            vec![format!("{number}{}", cut(&title, width - number.len()))]
        };
        for (k, line) in title_lines.into_iter().enumerate() {
            let (lead, text) = line.split_at(if k == 0 { number.len() } else { BODY.len() });
            writeln!(out, "{lead}{}", palette.paint(palette.bold(), text))?;
        }
        if options.verbose {
            write_details(f, width, &palette, out)?;
        } else {
            write_summary(f, width, out)?;
        }
    }
    Ok(())
}

/// `saves 475 ms/run · before · → Wait for the condition itself …`, cut
/// (no saving when the analysis estimates none).
fn write_summary(f: &Finding, width: usize, out: &mut dyn Write) -> io::Result<()> {
    let mut parts = Vec::new();
    if f.impact_s > 0.0 {
        parts.push(format!("saves {}/run", format_duration(f.impact_s)));
    }
    if f.variants.len() > 1 {
        let names: Vec<String> = f
            .variants
            .iter()
            .map(|v| printable(&v.name).into_owned())
            .collect();
        parts.push(names.join(", "));
    } else if let Some(variant) = &f.variant {
        parts.push(printable(variant).into_owned());
    }
    parts.push(format!("→ {}", printable(&f.recommendation)));
    let line = parts.join(" · ");
    let text = cut(&line, width - BODY.len());
    writeln!(out, "{BODY}{text}")
}

fn write_details(
    f: &Finding,
    width: usize,
    palette: &Palette,
    out: &mut dyn Write,
) -> io::Result<()> {
    let mut parts = Vec::new();
    if let Some(stage) = &f.stage {
        parts.push(format!("stage {}", printable(stage)));
    }
    if f.variants.len() > 1 {
        for v in &f.variants {
            parts.push(format!(
                "variant {} {}/run",
                printable(&v.name),
                format_duration(v.impact_s)
            ));
        }
    } else if let Some(variant) = &f.variant {
        parts.push(format!("variant {}", printable(variant)));
    }
    parts.push(format!("impact {}/run", format_duration(f.impact_s)));
    parts.push(format!("confidence {}", format_share(f.confidence)));
    if let Some(effort) = &f.effort {
        parts.push(format!("effort {}", printable(effort)));
    }
    for line in pack(&parts, BODY, BODY, width) {
        writeln!(out, "{line}")?;
    }
    let rest = format!("{BODY}  ");
    for line in wrap(
        &printable(&f.recommendation),
        &format!("{BODY}→ "),
        &rest,
        width,
    ) {
        writeln!(out, "{line}")?;
    }
    if !f.evidence.is_empty() {
        let evidence: Vec<String> = f
            .evidence
            .iter()
            .map(|(k, v)| format!("{}={}", printable(k), format_evidence(k, *v)))
            .collect();
        let first = format!("{BODY}evidence: ");
        let rest = " ".repeat(first.chars().count());
        for line in wrap(&evidence.join(" "), &first, &rest, width) {
            writeln!(out, "{}", palette.paint(palette.dim(), line))?;
        }
    }
    Ok(())
}
