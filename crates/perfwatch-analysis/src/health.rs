//! The health score: one number from 0 to 100 for a session, with the
//! deductions that explain it.
//!
//! `score = clamp(100 − findings − regressions − failures, 0, 100)`, where
//!
//! * **findings** — what the session's **candidates** suffer from. In a
//!   session of several variants the candidates are the variants after the
//!   first (each is compared with the first, the baseline of the
//!   comparison: a problem the baseline has and a candidate fixed is no
//!   mark against the session); in a session of one variant, that variant.
//!   Per finding and candidate that shows it (a finding seen in several
//!   variants carries each one's figures in `variants`),
//!   `round(100 × min(1, impact_s / wall) × confidence)` points, at most
//!   [`FINDING_MAX_POINTS`] (40), `wall` being the candidate's median wall
//!   time (the whole session's when the finding names no variant of the
//!   session; such a finding counts for every candidate): a finding whose
//!   fix would save 39 % of the run at confidence 0.9 costs 35 points. A
//!   `memory_growth` finding costs `round(`[`MEMORY_GROWTH_POINTS`]` ×
//!   confidence)` (15 at most). Findings that claim no saving (an
//!   explained `idle`, a deliberate wait — see
//!   [`findings::idle`](crate::findings::idle)) cost nothing, and so does
//!   a **`bottleneck`, whatever its `impact_s`**: it says where the time
//!   goes and what halving it would give, a yardstick rather than a
//!   diagnosis; the findings that say *why* it is slow carry the points,
//!   and counting both would count one cause twice. Points are summed per
//!   candidate, the worst candidate counts, and findings deduct at most
//!   [`FINDINGS_CAP`] (60) points together — so the score describes the
//!   worst candidate, not the sum of the same problem seen in each.
//! * **regressions** — per comparison that is `primary` (see
//!   [`PrimaryMetrics`](crate::PrimaryMetrics)), judged against a
//!   **baseline** ([`Reference::Baseline`]: a saved baseline, another
//!   session or file) and `regressed` (so statistically significant): low
//!   5, medium 10, high 20, critical 35 points for whole-run metrics, half
//!   that (rounded up) for a stage, which mostly repeats what the whole-run
//!   metric already says. A comparison of the variants of one session
//!   ([`Reference::Variant`]) is a deliberate comparison of alternatives,
//!   not a regression of either, and costs nothing.
//! * **failures** — `ceil(50 × rate)` where `rate` is the share of
//!   non-warm-up runs that failed or timed out — or, for a service, the
//!   share of due requests not served (its error rate), when that is
//!   larger — in the worst variant: any failure costs at least a point,
//!   all failing costs 50, and so does a variant of which nothing was
//!   measured because the session failed first (a failed hook, a service
//!   that never became ready).
//!
//! Every term only grows with more or bigger problems, so the score never
//! rises when a problem is added (a property test checks this). A session
//! with no findings with a saving, no regression and no failure scores 100.

use crate::findings::RuleKind;
use perfwatch_model::{
    Comparison, Finding, Iteration, Reference, SessionExport, SessionStatus, Severity, Verdict,
};
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
fn wall_of<'a>(its: impl IntoIterator<Item = &'a Iteration>) -> Option<f64> {
    let walls: Vec<f64> = its
        .into_iter()
        .filter(|it| it.counts())
        .map(|it| it.wall_s)
        .collect();
    median(&walls)
}

/// One deduction: what, points, why.
type Deduction = (String, i32, String);

/// How a finding shows in one variant: name (when it names one), saving,
/// confidence.
struct Shown<'a> {
    variant: Option<&'a str>,
    impact_s: f64,
    confidence: f64,
}

/// Every variant a finding shows in, with its figures.
fn shown(f: &Finding) -> Vec<Shown<'_>> {
    if f.variants.is_empty() {
        vec![Shown {
            variant: f.variant.as_deref(),
            impact_s: f.impact_s,
            confidence: f.confidence,
        }]
    } else {
        f.variants
            .iter()
            .map(|v| Shown {
                variant: Some(v.name.as_str()),
                impact_s: v.impact_s,
                confidence: v.confidence,
            })
            .collect()
    }
}

/// The candidates of a session (see the module documentation).
fn candidates(export: &SessionExport) -> Vec<&str> {
    let names: Vec<&str> = export.variants.iter().map(|v| v.name.as_str()).collect();
    if names.len() >= 2 {
        names[1..].to_vec()
    } else {
        names
    }
}

fn findings_deductions(export: &SessionExport, findings: &[Finding]) -> Vec<Deduction> {
    // Borrowed: the iterations carry every span.
    let all = export.variants.iter().flat_map(|v| &v.iterations);
    let session_wall = wall_of(all).unwrap_or(0.0);
    let wall_of_variant = |name: &str| {
        export
            .variants
            .iter()
            .find(|v| v.name == name)
            .and_then(|v| wall_of(&v.iterations))
            .unwrap_or(session_wall)
    };
    let candidates = candidates(export);
    let known = |name: &str| export.variants.iter().any(|v| v.name == name);
    let mut per_candidate: BTreeMap<Option<&str>, Vec<Deduction>> = BTreeMap::new();
    for f in findings
        .iter()
        .filter(|f| !RuleKind::Bottleneck.is(&f.kind))
    {
        for s in shown(f) {
            // The candidates this showing counts for, and the wall time
            // its saving is measured against.
            let (targets, wall): (Vec<Option<&str>>, f64) = match s.variant {
                Some(name) if known(name) => {
                    let target = candidates.iter().find(|c| **c == name).map(|c| Some(*c));
                    (target.into_iter().collect(), wall_of_variant(name))
                }
                _ if candidates.is_empty() => (vec![None], session_wall),
                _ => (candidates.iter().map(|c| Some(*c)).collect(), session_wall),
            };
            if targets.is_empty() {
                continue;
            }
            let Some((points, why)) = points_of(f, &s, wall) else {
                continue;
            };
            let mut what = format!("finding {}", f.kind);
            if let Some(stage) = &f.stage {
                what.push_str(&format!(" `{stage}`"));
            }
            if let Some(v) = s.variant {
                what.push_str(&format!(" [{v}]"));
            }
            for t in targets {
                per_candidate
                    .entry(t)
                    .or_default()
                    .push((what.clone(), points, why.clone()));
            }
        }
    }
    let Some(mut worst) = per_candidate
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

/// Points of a finding as shown in one variant whose median wall time is
/// `wall`, and why; `None` below one point.
fn points_of(f: &Finding, s: &Shown<'_>, wall: f64) -> Option<(i32, String)> {
    let confidence = if s.confidence.is_finite() {
        s.confidence.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let (points, why) = if RuleKind::MemoryGrowth.is(&f.kind) {
        let p = (MEMORY_GROWTH_POINTS * confidence).round();
        (p, format!("{} (confidence {confidence:.2})", f.title))
    } else {
        let impact = if s.impact_s.is_finite() {
            s.impact_s.max(0.0)
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
    (points >= 1.0).then_some((points as i32, why))
}

fn regression_deduction(c: &Comparison) -> Option<Deduction> {
    if c.verdict != Verdict::Regressed || !c.primary || c.reference != Reference::Baseline {
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

fn failure_deduction(export: &SessionExport) -> Option<Deduction> {
    // Per variant: the share of runs that failed, or — for a service —
    // of due requests not served, whichever is worse.
    let (rate, why) = export
        .variants
        .iter()
        .filter_map(|v| {
            let (failed, runs) = failures(&v.iterations);
            let runs_rate = (runs > 0 && failed > 0).then(|| {
                let why = format!(
                    "{failed} of {runs} runs failed or timed out in `{}`",
                    v.name
                );
                (failed as f64 / runs as f64, why)
            });
            // A run that failed before this variant ran once (a hook that
            // failed, a service that never became ready …) measured none
            // of it: as bad as every run failing.
            let stopped =
                (runs == 0 && export.session.status == SessionStatus::Failed).then(|| {
                    let why = format!("the session failed before any run of `{}`", v.name);
                    (1.0, why)
                });
            let requests_rate = v
                .service
                .as_ref()
                .and_then(|s| Some((s.error_rate.filter(|&r| r > 0.0)?, s)))
                .map(|(r, s)| {
                    let why = format!(
                        "{} of {} requests due were not served in `{}`",
                        s.unserved(),
                        s.due(),
                        v.name
                    );
                    (r, why)
                });
            [runs_rate, requests_rate, stopped]
                .into_iter()
                .flatten()
                .max_by(|a, b| a.0.total_cmp(&b.0))
        })
        .max_by(|a, b| a.0.total_cmp(&b.0))?;
    let points = (FAILURE_POINTS * rate).ceil() as i32;
    Some(("failures".into(), points, why))
}

#[cfg(test)]
mod tests;
