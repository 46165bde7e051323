//! Glue between stored data and the pure analysis: options from the
//! configuration, summaries, comparisons.

use perfwatch_analysis::{compare_variants, summarize_session, CompareOptions};
use perfwatch_model::{Comparison, Iteration, Session, SessionExport, VariantExport};
use perfwatch_stats::CiOptions;

/// Comparison options from `[thresholds]` (read and checked with the
/// file; this is the configuration's own value).
pub fn compare_options(t: &CompareOptions) -> CompareOptions {
    *t
}

/// Bootstrap options from `[thresholds]`, at its confidence level.
pub fn ci_options(t: &CompareOptions) -> CiOptions {
    t.ci_options()
}

/// Summarise a stored session: per-variant summaries, stage statistics
/// and warnings.
pub fn summarize(
    session: Session,
    iterations: Vec<Iteration>,
    t: &CompareOptions,
) -> SessionExport {
    summarize_session(session, iterations, &t.ci_options())
}

/// Every variant after the first compared against the first.
pub fn compare_against_first(export: &SessionExport, opts: &CompareOptions) -> Vec<Comparison> {
    let Some((first, rest)) = export.variants.split_first() else {
        return Vec::new();
    };
    rest.iter()
        .flat_map(|cand| compare_variants(first, cand, opts))
        .collect()
}

/// Variants of `cand` matched with those of `base`: by name, or the only
/// variant of each when both have exactly one. Returns pairs of indices.
pub fn match_variants(base: &SessionExport, cand: &SessionExport) -> Vec<(usize, usize)> {
    let by_name: Vec<(usize, usize)> = cand
        .variants
        .iter()
        .enumerate()
        .filter_map(|(ci, cv)| {
            base.variants
                .iter()
                .position(|bv| bv.name == cv.name)
                .map(|bi| (bi, ci))
        })
        .collect();
    if by_name.is_empty() && base.variants.len() == 1 && cand.variants.len() == 1 {
        vec![(0, 0)]
    } else {
        by_name
    }
}

/// Compare two sessions variant by variant, naming each side by `label`
/// and variant. Errors when nothing can be compared.
pub fn compare_sessions(
    base: &SessionExport,
    base_label: &str,
    cand: &SessionExport,
    cand_label: &str,
    opts: &CompareOptions,
) -> Result<Vec<Comparison>, String> {
    let pairs = match_variants(base, cand);
    if pairs.is_empty() {
        let names = |e: &SessionExport| {
            e.variants
                .iter()
                .map(|v| v.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        };
        return Err(format!(
            "no variant in common: {base_label} has [{}], {cand_label} has [{}]",
            names(base),
            names(cand)
        ));
    }
    let mut out = Vec::new();
    for (bi, ci) in pairs {
        let (bv, cv) = (&base.variants[bi], &cand.variants[ci]);
        let mut cmp = compare_variants(bv, cv, opts);
        let side = |label: &str, v: &VariantExport, many: bool| {
            if many || v.name != "default" {
                format!("{label}:{}", v.name)
            } else {
                label.to_string()
            }
        };
        let many = base.variants.len() > 1 || cand.variants.len() > 1;
        for c in &mut cmp {
            c.baseline = side(base_label, bv, many);
            c.candidate = side(cand_label, cv, many);
        }
        out.extend(cmp);
    }
    if out.is_empty() {
        return Err(format!(
            "{base_label} and {cand_label} have no metric in common"
        ));
    }
    Ok(out)
}

/// Findings (ranked by saving) into the export.
pub fn diagnose(export: &mut SessionExport, config: &crate::config::Config) {
    export.findings = perfwatch_analysis::diagnose(export, &config.file.findings);
}

/// The health of a diagnosed export.
pub fn health(export: &SessionExport) -> perfwatch_analysis::Health {
    perfwatch_analysis::health(export, &export.findings)
}

/// Print the health score and its breakdown.
pub fn print_health(
    export: &SessionExport,
    color: bool,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    let h = health(export);
    let style = match h.score {
        80..=100 => console::Style::new().green(),
        50..=79 => console::Style::new().yellow(),
        _ => console::Style::new().red(),
    }
    .bold()
    .force_styling(color);
    writeln!(out, "Health {}/100", style.apply_to(h.score))?;
    for (what, points, why) in &h.breakdown {
        writeln!(out, "  -{points:<3} {what}: {why}")?;
    }
    if h.breakdown.is_empty() {
        writeln!(out, "  no finding with a saving, no regression, no failure")?;
    }
    writeln!(out)
}

/// Write the CI Markdown summary to `path` and, when set, append it to
/// `$GITHUB_STEP_SUMMARY`.
pub fn write_markdown_summary(
    exports: &[SessionExport],
    gate: Option<&perfwatch_analysis::GateReport>,
    path: &std::path::Path,
) -> anyhow::Result<()> {
    let text = crate::ci_summary::render(exports, gate)?;
    crate::output::write_file(path, |w| w.write_all(text.as_bytes()))?;
    if let Some(step) = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|p| !p.is_empty()) {
        use std::io::Write as _;
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .create(true)
            .open(&step)?;
        f.write_all(text.as_bytes())?;
    }
    Ok(())
}
