//! The health score: one number from 0 to 100 for a session, with the
//! deductions that explain it.
//!
//! `score = clamp(100 − findings − regressions − failures, 0, 100)`, where
//!
//! * **findings** — per finding with a saving, `round(100 × min(1,
//!   impact_s / wall) × confidence)` points, at most
//!   [`FINDING_MAX_POINTS`] (40), `wall` being the median wall time of the
//!   finding's variant (of the whole session when the variant is unknown):
//!   a finding whose fix would save 39 % of the run at confidence 0.9
//!   costs 35 points. A `memory_growth` finding costs
//!   `round(`[`MEMORY_GROWTH_POINTS`]` × confidence)` (15 at most); other
//!   findings without a saving (a bottleneck, an explained `idle`) cost
//!   nothing. Points are summed per variant, the worst variant counts, and
//!   findings deduct at most [`FINDINGS_CAP`] (60) points together — so
//!   the session's score describes its worst variant, not the sum of the
//!   same problem seen in each variant.
//! * **regressions** — per comparison with the verdict `regressed` (so
//!   statistically significant) of a metric counted by default by the gates
//!   ([`DEFAULT_METRICS`]: not context switches or bytes, too noisy):
//!   low 5, medium 10, high 20, critical 35 points for whole-run metrics,
//!   half that (rounded up) for a stage, which mostly repeats what the
//!   whole-run metric already says.
//! * **failures** — `ceil(50 × rate)` where `rate` is the share of
//!   non-warm-up runs that failed or timed out, in the worst variant: any
//!   failure costs at least a point, all failing costs 50.
//!
//! Every term only grows with more or bigger problems, so the score never
//! rises when a problem is added (a property test checks this). A session
//! with no findings with a saving, no regression and no failure scores 100.

use crate::gate::DEFAULT_METRICS;
use perfwatch_model::{Comparison, Finding, Iteration, SessionExport, Severity, Verdict};
use perfwatch_stats::median;
use std::collections::BTreeMap;

/// Most points one finding deducts.
pub const FINDING_MAX_POINTS: f64 = 40.0;
/// Most points all findings deduct together.
pub const FINDINGS_CAP: i32 = 60;
/// Points of a `memory_growth` finding at confidence 1.
pub const MEMORY_GROWTH_POINTS: f64 = 15.0;
/// Points of a run failure rate of 100 %.
pub const FAILURE_POINTS: f64 = 50.0;

/// Points of a significant whole-run regression by severity.
pub fn regression_points(severity: Severity) -> i32 {
    match severity {
        Severity::None => 0,
        Severity::Low => 5,
        Severity::Medium => 10,
        Severity::High => 20,
        Severity::Critical => 35,
    }
}

pub use perfwatch_model::Health;

/// Scores a session from its findings, its comparisons and its failures
/// (see the module documentation for the formula).
pub fn health(export: &SessionExport, findings: &[Finding]) -> Health {
    let mut breakdown = findings_deductions(export, findings);
    breakdown.extend(export.comparisons.iter().filter_map(regression_deduction));
    breakdown.extend(failure_deduction(export));
    let total: i64 = breakdown.iter().map(|(_, p, _)| i64::from(*p)).sum();
    Health {
        score: (100 - total).clamp(0, 100) as u8,
        breakdown,
    }
}

/// Median wall time of a variant's counted runs.
fn wall_of(its: &[Iteration]) -> Option<f64> {
    let walls: Vec<f64> = its
        .iter()
        .filter(|it| it.counts())
        .map(|it| it.wall_s)
        .collect();
    median(&walls)
}

fn findings_deductions(export: &SessionExport, findings: &[Finding]) -> Vec<(String, i32, String)> {
    let all: Vec<Iteration> = export
        .variants
        .iter()
        .flat_map(|v| v.iterations.clone())
        .collect();
    let session_wall = wall_of(&all).unwrap_or(0.0);
    let mut per_variant: BTreeMap<Option<&str>, Vec<(String, i32, String)>> = BTreeMap::new();
    for f in findings {
        let wall = f
            .variant
            .as_deref()
            .and_then(|name| export.variants.iter().find(|v| v.name == name))
            .and_then(|v| wall_of(&v.iterations))
            .unwrap_or(session_wall);
        let confidence = if f.confidence.is_finite() {
            f.confidence.clamp(0.0, 1.0)
        } else {
            0.0
        };
        let (points, why) = if f.kind == "memory_growth" {
            let p = (MEMORY_GROWTH_POINTS * confidence).round();
            (p, format!("{} (confidence {confidence:.2})", f.title))
        } else {
            let impact = if f.impact_s.is_finite() {
                f.impact_s.max(0.0)
            } else {
                0.0
            };
            let share = if wall > 0.0 {
                (impact / wall).min(1.0)
            } else if impact > 0.0 {
                1.0
            } else {
                0.0
            };
            let p = (100.0 * share * confidence).round().min(FINDING_MAX_POINTS);
            let why = format!(
                "could save {impact:.3} s of {wall:.3} s per run ({:.0} %) at confidence {confidence:.2}",
                share * 100.0
            );
            (p, why)
        };
        if points >= 1.0 {
            let mut what = format!("finding {}", f.kind);
            if let Some(s) = &f.stage {
                what.push_str(&format!(" `{s}`"));
            }
            if let Some(v) = &f.variant {
                what.push_str(&format!(" [{v}]"));
            }
            per_variant
                .entry(f.variant.as_deref())
                .or_default()
                .push((what, points as i32, why));
        }
    }
    let Some(mut worst) = per_variant
        .into_values()
        .max_by_key(|items| items.iter().map(|i| i.1).sum::<i32>().min(FINDINGS_CAP))
    else {
        return vec![];
    };
    let sum: i32 = worst.iter().map(|i| i.1).sum();
    if sum > FINDINGS_CAP {
        worst.push((
            "findings cap".into(),
            FINDINGS_CAP - sum,
            format!("findings deduct at most {FINDINGS_CAP} points together"),
        ));
    }
    worst
}

fn regression_deduction(c: &Comparison) -> Option<(String, i32, String)> {
    if c.verdict != Verdict::Regressed || !DEFAULT_METRICS.contains(&c.metric.as_str()) {
        return None;
    }
    let full = regression_points(c.severity);
    let points = if c.stage.is_some() {
        (full + 1) / 2
    } else {
        full
    };
    if points == 0 {
        return None;
    }
    let what = match &c.stage {
        Some(s) => format!("regression {} `{s}`", c.metric),
        None => format!("regression {}", c.metric),
    };
    let why = format!(
        "{:+.1} % ({}, p = {:.3}), `{}` → `{}`",
        c.change_pct, c.severity, c.p_value, c.baseline, c.candidate
    );
    Some((what, points, why))
}

/// (failed, runs) of a variant's non-warm-up iterations.
pub(crate) fn failures(its: &[Iteration]) -> (usize, usize) {
    let runs: Vec<&Iteration> = its.iter().filter(|it| !it.warmup).collect();
    (runs.iter().filter(|it| !it.succeeded()).count(), runs.len())
}

fn failure_deduction(export: &SessionExport) -> Option<(String, i32, String)> {
    let (name, failed, runs) = export
        .variants
        .iter()
        .map(|v| {
            let (f, n) = failures(&v.iterations);
            (v.name.as_str(), f, n)
        })
        .filter(|&(_, f, n)| n > 0 && f > 0)
        .max_by(|a, b| (a.1 as f64 / a.2 as f64).total_cmp(&(b.1 as f64 / b.2 as f64)))?;
    let rate = failed as f64 / runs as f64;
    let points = (FAILURE_POINTS * rate).ceil() as i32;
    Some((
        "failures".into(),
        points,
        format!("{failed} of {runs} runs failed or timed out in `{name}`"),
    ))
}

#[cfg(test)]
mod tests;
