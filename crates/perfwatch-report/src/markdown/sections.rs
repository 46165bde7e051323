//! Markdown sections usable on their own: comparisons, stages,
//! application metrics, findings.

use super::escape::escape_markdown;
use super::table::{write_table, Align};
use crate::app_metrics::AppMetricTable;
use crate::format::{
    change_cell, change_header, change_with_ci, group_comparisons, medians, metric_cell, n_cell,
    p_cell, split_primary, verdict_cell,
};
use crate::headline::Headline;
use crate::units::{format_count, format_duration, format_evidence, format_share};
use perfwatch_model::{Comparison, Finding, SessionExport, StageSummary};
use std::io::{self, Write};

/// Renders comparisons, one block per (baseline, candidate) pair under a
/// `###` heading naming both with the verdict of the primary comparisons:
/// a table of the primary ones (`~` where the change is not significant)
/// with the notes of inconclusive verdicts as a list, then the secondary
/// ones as a small table of information, never judged. Writes nothing for
/// an empty slice. Usable without a session (`perfwatch compare`).
pub fn render_comparisons_markdown(
    comparisons: &[Comparison],
    out: &mut dyn Write,
) -> io::Result<()> {
    for (i, (baseline, candidate, rows)) in group_comparisons(comparisons).into_iter().enumerate() {
        if i > 0 {
            writeln!(out)?;
        }
        let (primary, secondary) = split_primary(&rows);
        let mut heading = format!(
            "### Comparison: {} vs {} (baseline)",
            escape_markdown(candidate),
            escape_markdown(baseline)
        );
        if !primary.is_empty() {
            let headline = Headline::of(rows.iter().copied());
            heading.push_str(&format!(" — {} {}", headline.icon(), headline.text()));
        }
        writeln!(out, "{heading}\n")?;
        if !primary.is_empty() {
            write_primary(&primary, out)?;
        }
        if !secondary.is_empty() {
            if !primary.is_empty() {
                writeln!(out)?;
            }
            writeln!(out, "Information (not judged):\n")?;
            write_secondary(&secondary, out)?;
        }
    }
    Ok(())
}

/// The `Metric` (and `Stage`) columns of a comparison table.
fn subject_header(rows: &[&Comparison]) -> (Vec<(&'static str, Align)>, bool) {
    let with_stage = rows.iter().any(|c| c.stage.is_some());
    let mut header = vec![("Metric", Align::Left)];
    if with_stage {
        header.push(("Stage", Align::Left));
    }
    (header, with_stage)
}

fn subject_cells(c: &Comparison, with_stage: bool) -> Vec<String> {
    let mut row = vec![escape_markdown(metric_cell(c))];
    if with_stage {
        row.push(escape_markdown(c.stage.as_deref().unwrap_or("")));
    }
    row
}

fn write_primary(rows: &[&Comparison], out: &mut dyn Write) -> io::Result<()> {
    let (mut header, with_stage) = subject_header(rows);
    let change = capitalized(&change_header(rows));
    header.extend([
        ("Baseline", Align::Right),
        ("Candidate", Align::Right),
        (change.as_str(), Align::Right),
        ("p", Align::Right),
        ("n", Align::Right),
        ("Verdict", Align::Left),
    ]);
    let mut notes = Vec::new();
    let mut cells = Vec::new();
    for c in rows {
        let (base, cand) = medians(c);
        let mut verdict = verdict_cell(c);
        if let Some(note) = &c.note {
            notes.push(note.as_str());
            verdict.push_str(&format!(" \\[{}\\]", notes.len()));
        }
        let mut row = subject_cells(c, with_stage);
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
    Ok(())
}

fn write_secondary(rows: &[&Comparison], out: &mut dyn Write) -> io::Result<()> {
    let (mut header, with_stage) = subject_header(rows);
    let change = capitalized(&change_header(rows));
    header.extend([
        ("Baseline", Align::Right),
        ("Candidate", Align::Right),
        (change.as_str(), Align::Right),
        ("p", Align::Right),
    ]);
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|c| {
            let (base, cand) = medians(c);
            let mut row = subject_cells(c, with_stage);
            row.extend([base, cand, change_with_ci(c), p_cell(c)]);
            row
        })
        .collect();
    write_table(&header, &cells, out)
}

/// `change [95% CI]` → `Change [95% CI]`.
fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
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
    write_table(&header, &rows, out)?;
    for s in sorted.iter().filter(|s| s.folded_levels > 0) {
        let noun = if s.folded_levels == 1 {
            "level"
        } else {
            "levels"
        };
        writeln!(
            out,
            "\n… {} deeper {noun} folded into {}: spans nested past {} levels count as its own \
             time (every span is kept in the store and the JSON export).",
            s.folded_levels,
            escape_markdown(&s.path),
            perfwatch_model::span_tree::MAX_STAGE_DEPTH
        )?;
    }
    Ok(())
}

/// Renders the application metrics of every variant (see
/// [`AppMetricTable`]) as one table under a `###` heading: a row per
/// metric, a column per variant. Writes nothing when no variant reported
/// any.
pub fn render_app_metrics_markdown(export: &SessionExport, out: &mut dyn Write) -> io::Result<()> {
    let Some(table) = AppMetricTable::of(export) else {
        return Ok(());
    };
    writeln!(out, "### Application metrics\n")?;
    writeln!(
        out,
        "As the program reported them: median of the runs (min–max, runs that reported it).\n"
    )?;
    let names: Vec<String> = table.variants.iter().map(|v| escape_markdown(v)).collect();
    let mut header = vec![("Metric", Align::Left), ("Kind", Align::Left)];
    header.extend(names.iter().map(|n| (n.as_str(), Align::Right)));
    let rows = table.cells(escape_markdown);
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
        if f.variants.len() > 1 {
            let each: Vec<String> = f
                .variants
                .iter()
                .map(|v| {
                    format!(
                        "{} {}/run",
                        escape_markdown(&v.name),
                        format_duration(v.impact_s)
                    )
                })
                .collect();
            facts.push(format!("variants {}", each.join(", ")));
        } else if let Some(variant) = &f.variant {
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
                .map(|(k, v)| format!("{}={}", escape_markdown(k), format_evidence(k, *v)))
                .collect();
            writeln!(out, "   - Evidence: {}", evidence.join(", "))?;
        }
    }
    Ok(())
}
