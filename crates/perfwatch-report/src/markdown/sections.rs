//! Markdown sections usable on their own: comparisons, stages, findings.

use super::escape::escape_markdown;
use super::table::{write_table, Align};
use crate::format::{
    change_cell, group_comparisons, medians, metric_cell, n_cell, p_cell, verdict_cell,
};
use crate::units::{format_count, format_duration, format_number, format_share};
use perfwatch_model::{Comparison, Finding, StageSummary};
use std::io::{self, Write};

/// Renders comparisons as one table per (baseline, candidate) pair under a
/// `###` heading naming both; `~` where the change is not significant.
/// Notes of inconclusive verdicts follow as a list. Writes nothing for an
/// empty slice. Usable without a session (`perfwatch compare`).
pub fn render_comparisons_markdown(
    comparisons: &[Comparison],
    out: &mut dyn Write,
) -> io::Result<()> {
    for (i, (baseline, candidate, rows)) in group_comparisons(comparisons).into_iter().enumerate() {
        if i > 0 {
            writeln!(out)?;
        }
        writeln!(
            out,
            "### Comparison: {} vs {} (baseline)\n",
            escape_markdown(candidate),
            escape_markdown(baseline)
        )?;
        let with_stage = rows.iter().any(|c| c.stage.is_some());
        let mut header = vec![("Metric", Align::Left)];
        if with_stage {
            header.push(("Stage", Align::Left));
        }
        header.extend([
            ("Baseline", Align::Right),
            ("Candidate", Align::Right),
            ("Change [95% CI]", Align::Right),
            ("p", Align::Right),
            ("n", Align::Right),
            ("Verdict", Align::Left),
        ]);
        let mut notes = Vec::new();
        let mut cells = Vec::new();
        for c in &rows {
            let (base, cand) = medians(c);
            let mut verdict = verdict_cell(c);
            if let Some(note) = &c.note {
                notes.push(note.as_str());
                verdict.push_str(&format!(" \\[{}\\]", notes.len()));
            }
            let mut row = vec![escape_markdown(metric_cell(c))];
            if with_stage {
                row.push(escape_markdown(c.stage.as_deref().unwrap_or("")));
            }
            row.extend([base, cand, change_cell(c), p_cell(c), n_cell(c)]);
            row.push(verdict);
            cells.push(row);
        }
        write_table(&header, &cells, out)?;
        if !notes.is_empty() {
            writeln!(out)?;
            for (i, note) in notes.iter().enumerate() {
                writeln!(out, "- \\[{}\\] {}", i + 1, escape_markdown(note))?;
            }
        }
    }
    Ok(())
}

/// Renders a variant's stage breakdown, largest share of wall time first,
/// under a `###` heading. Writes nothing for an empty slice.
pub fn render_stages_markdown(
    variant: &str,
    stages: &[StageSummary],
    out: &mut dyn Write,
) -> io::Result<()> {
    if stages.is_empty() {
        return Ok(());
    }
    let mut sorted: Vec<&StageSummary> = stages.iter().collect();
    sorted.sort_by(|a, b| b.share.total_cmp(&a.share));
    writeln!(out, "### Stages: {}\n", escape_markdown(variant))?;
    let header = [
        ("Stage", Align::Left),
        ("Tier", Align::Left),
        ("Component", Align::Left),
        ("Calls/run", Align::Right),
        ("Median total", Align::Right),
        ("Share", Align::Right),
        ("Failed", Align::Right),
    ];
    let rows: Vec<Vec<String>> = sorted
        .iter()
        .map(|s| {
            vec![
                escape_markdown(&s.path),
                s.tier.to_string(),
                escape_markdown(s.component.as_deref().unwrap_or("")),
                format_count(s.calls),
                format_duration(s.total_s.median),
                format_share(s.share),
                s.failed_calls.to_string(),
            ]
        })
        .collect();
    write_table(&header, &rows, out)
}

/// Renders findings as a numbered list in the order given, under a `###`
/// heading. Writes nothing for an empty slice.
pub fn render_findings_markdown(findings: &[Finding], out: &mut dyn Write) -> io::Result<()> {
    if findings.is_empty() {
        return Ok(());
    }
    writeln!(out, "### Findings\n")?;
    for (i, f) in findings.iter().enumerate() {
        writeln!(
            out,
            "{}. **{}** ({})",
            i + 1,
            escape_markdown(&f.title),
            escape_markdown(&f.kind)
        )?;
        let mut facts = Vec::new();
        if let Some(stage) = &f.stage {
            facts.push(format!("stage {}", escape_markdown(stage)));
        }
        if let Some(variant) = &f.variant {
            facts.push(format!("variant {}", escape_markdown(variant)));
        }
        facts.push(format!("impact {}/run", format_duration(f.impact_s)));
        facts.push(format!("confidence {}", format_share(f.confidence)));
        if let Some(effort) = &f.effort {
            facts.push(format!("effort {}", escape_markdown(effort)));
        }
        writeln!(out, "   - {}", facts.join(" · "))?;
        writeln!(
            out,
            "   - Recommendation: {}",
            escape_markdown(&f.recommendation)
        )?;
        if !f.evidence.is_empty() {
            let evidence: Vec<String> = f
                .evidence
                .iter()
                .map(|(k, v)| format!("{}={}", escape_markdown(k), format_number(*v)))
                .collect();
            writeln!(out, "   - Evidence: {}", evidence.join(", "))?;
        }
    }
    Ok(())
}
