//! Findings: diagnoses with their evidence, saving and advice.

use super::options::{Palette, TerminalOptions};
use crate::format::printable;
use crate::units::{format_duration, format_number, format_share};
use perfwatch_model::Finding;
use std::io::{self, Write};

/// Renders findings numbered in the order given (the analysis ranks them):
/// title and kind, stage and variant, impact per run, confidence, effort,
/// recommendation and evidence as `key=value`. Writes nothing for an
/// empty slice.
pub fn render_findings(
    findings: &[Finding],
    options: &TerminalOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    if findings.is_empty() {
        return Ok(());
    }
    let palette = Palette::new(options);
    writeln!(out, "{}", palette.paint(palette.bold(), "Findings"))?;
    for (i, f) in findings.iter().enumerate() {
        writeln!(
            out,
            "  {}. {} {}",
            i + 1,
            palette.paint(palette.bold(), printable(&f.title)),
            palette.paint(palette.dim(), format!("[{}]", printable(&f.kind)))
        )?;
        let mut place = Vec::new();
        if let Some(stage) = &f.stage {
            place.push(format!("stage {}", printable(stage)));
        }
        if let Some(variant) = &f.variant {
            place.push(format!("variant {}", printable(variant)));
        }
        if !place.is_empty() {
            writeln!(out, "     {}", place.join(" · "))?;
        }
        let mut figures = vec![
            format!("impact {}/run", format_duration(f.impact_s)),
            format!("confidence {}", format_share(f.confidence)),
        ];
        if let Some(effort) = &f.effort {
            figures.push(format!("effort {}", printable(effort)));
        }
        writeln!(out, "     {}", figures.join(" · "))?;
        writeln!(out, "     → {}", printable(&f.recommendation))?;
        if !f.evidence.is_empty() {
            let evidence: Vec<String> = f
                .evidence
                .iter()
                .map(|(k, v)| format!("{}={}", printable(k), format_number(*v)))
                .collect();
            writeln!(
                out,
                "     {}",
                palette.paint(palette.dim(), format!("evidence: {}", evidence.join(" ")))
            )?;
        }
    }
    Ok(())
}
