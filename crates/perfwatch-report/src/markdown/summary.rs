//! The concise GitHub-flavoured Markdown report for CI: a verdict line,
//! the comparison table, the stage breakdown and the top findings.

use super::{
    escape_markdown, render_comparisons_markdown, render_findings_markdown, render_stages_markdown,
};
use crate::Headline;
use perfwatch_model::{short_id, SessionExport};
use std::io::Write;

/// Findings shown at most.
const TOP_FINDINGS: usize = 5;

/// Render the summary of analysed `exports` (with their gates, when
/// evaluated). Headlines count primary comparisons only.
pub fn render_ci_summary(exports: &[SessionExport]) -> std::io::Result<String> {
    let mut out: Vec<u8> = Vec::new();
    for export in exports {
        let headline = Headline::of(&export.comparisons);
        let (regressed, improved) = (headline.regressed, headline.improved);
        let health = export
            .health
            .as_ref()
            .map_or_else(|| "–".to_string(), |h| h.score.to_string());
        let gate = export.gate.as_ref();
        let (icon, verdict) = match gate {
            Some(g) if !g.passed => ("❌", "gate failed".to_string()),
            _ if regressed > 0 => ("⚠️", format!("{regressed} regression(s)")),
            _ => ("✅", "no regression".to_string()),
        };
        writeln!(
            out,
            "## {icon} perfwatch · {} — {verdict}, {improved} improvement(s), health {health}/100\n",
            escape_markdown(&export.session.benchmark)
        )?;
        let runs: usize = export
            .variants
            .iter()
            .map(|v| v.iterations.iter().filter(|i| i.counts()).count())
            .sum();
        let commit = export
            .session
            .git
            .as_ref()
            .and_then(|g| g.commit.as_deref())
            .map(|c| format!(" at `{}`", c.chars().take(7).collect::<String>()))
            .unwrap_or_default();
        writeln!(
            out,
            "Session `{}`{commit}: {runs} measured runs of {} variant(s).\n",
            short_id(&export.session.id),
            export.variants.len()
        )?;
        if let Some(g) = gate {
            writeln!(out, "| Gate rule | Result | Actual | Limit | Detail |")?;
            writeln!(out, "|---|---|---|---|---|")?;
            for r in &g.rules {
                writeln!(
                    out,
                    "| {} | {} | {} | {} | {} |",
                    escape_markdown(&r.rule),
                    if r.passed { "pass" } else { "**FAIL**" },
                    escape_markdown(&r.actual),
                    escape_markdown(&r.limit),
                    escape_markdown(&r.detail)
                )?;
            }
            writeln!(out)?;
        }
        if !export.comparisons.is_empty() {
            render_comparisons_markdown(&export.comparisons, &mut out)?;
            writeln!(out)?;
        }
        for v in &export.variants {
            if !v.stages.is_empty() {
                render_stages_markdown(&v.name, &v.stages, &mut out)?;
                writeln!(out)?;
            }
        }
        if !export.findings.is_empty() {
            let top: Vec<_> = export.findings.iter().take(TOP_FINDINGS).cloned().collect();
            render_findings_markdown(&top, &mut out)?;
            writeln!(out)?;
        }
    }
    Ok(String::from_utf8_lossy(&out).into_owned())
}
