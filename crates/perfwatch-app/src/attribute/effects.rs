//! From the runs of a design to the attribution report.

use perfwatch_analysis::stage_tree;
use perfwatch_model::investigation::{
    AttributionReport, Factor, StageEffects, Term, ATTRIBUTION_SCHEMA_V1,
};
use perfwatch_model::Iteration;
use perfwatch_stats::factorial::{
    estimate_effects, Design, DesignKind, Effects, Observation, Scale,
};
use std::collections::BTreeMap;

/// Level of every interval.
const LEVEL: f64 = 0.95;

/// The runs of a design: which row each variant is, and the iterations.
#[derive(Debug, Clone, Copy)]
pub struct RowRuns<'a> {
    /// The design.
    pub design: &'a Design,
    /// Per row, the name of its variant.
    pub variants: &'a [String],
    /// The session's iterations (warm-ups and failed runs are left out).
    pub iterations: &'a [Iteration],
}

/// The attribution of the difference between `baseline` and `candidate`
/// of `benchmark` to `factors`, from the runs of one session. Wall-time
/// terms are changes in seconds, given as ratios to the fitted wall time
/// at the baseline's settings (1.38 = the setting adds 38 % of it); stage
/// terms are in seconds. `None` when
/// the runs are too few to fit the effects (every row needs runs, and
/// there must be more runs than terms).
pub fn attribution(
    benchmark: &str,
    baseline: &str,
    candidate: &str,
    factors: &[Factor],
    runs: RowRuns<'_>,
    session_id: &str,
    runs_per_row: u32,
) -> Option<AttributionReport> {
    let row_of: BTreeMap<&str, usize> = runs
        .variants
        .iter()
        .enumerate()
        .map(|(i, name)| (name.as_str(), i))
        .collect();
    let counted: Vec<(usize, &Iteration)> = runs
        .iterations
        .iter()
        .filter(|it| it.counts() && it.succeeded())
        .filter_map(|it| row_of.get(it.variant.as_str()).map(|&r| (r, it)))
        .collect();
    let interactions = runs.design.kind == DesignKind::Full;
    let wall: Vec<Observation> = counted
        .iter()
        .map(|(row, it)| Observation {
            row: *row,
            value: it.wall_s,
        })
        .collect();
    // Wall time is fitted in seconds: stages add up, so settings that
    // each remove a stage's time combine additively, and a log-scale fit
    // would report a spurious interaction between them. Effects are then
    // read as fractions of the fitted wall time at the baseline's settings.
    let wall_lin = estimate_effects(runs.design, &wall, Scale::Linear, interactions, LEVEL)?;
    let base_s = wall_lin.baseline;
    if !(base_s.is_finite() && base_s > 0.0) {
        return None;
    }
    let stages = stage_effects(runs.design, &counted, interactions);
    let names =
        |fs: &[usize]| -> Vec<String> { fs.iter().map(|&f| factors[f].name.clone()).collect() };
    let mut wall_terms: Vec<(Term, usize)> = wall_lin
        .terms
        .iter()
        .map(|lin| {
            let mut term = Term {
                factors: names(&lin.factors),
                estimate: 1.0 + lin.estimate / base_s,
                ci_low: 1.0 + lin.ci_low / base_s,
                ci_high: 1.0 + lin.ci_high / base_s,
                p_value: lin.p_value,
                seconds: Some(lin.estimate),
                stage: None,
                stage_share: None,
                significant: !(lin.ci_low <= 0.0 && 0.0 <= lin.ci_high),
            };
            if let Some((path, share)) = where_it_went(&lin.factors, lin.estimate, &stages) {
                term.stage = Some(path);
                term.stage_share = Some(share);
            }
            (term, lin.factors.len())
        })
        .collect();
    // Main effects first, each group largest first.
    wall_terms.sort_by(|(a, ka), (b, kb)| {
        ka.cmp(kb).then_with(|| {
            (b.estimate - 1.0)
                .abs()
                .total_cmp(&(a.estimate - 1.0).abs())
        })
    });
    let mut stage_list: Vec<StageEffects> = stages
        .into_iter()
        .map(|(path, (fit, _))| StageEffects {
            path,
            baseline_s: fit.baseline,
            terms: fit
                .terms
                .iter()
                .map(|e| Term {
                    factors: names(&e.factors),
                    estimate: e.estimate,
                    ci_low: e.ci_low,
                    ci_high: e.ci_high,
                    p_value: e.p_value,
                    seconds: None,
                    stage: None,
                    stage_share: None,
                    significant: !(e.ci_low <= 0.0 && 0.0 <= e.ci_high),
                })
                .collect(),
        })
        .collect();
    let largest = |s: &StageEffects| {
        s.terms
            .iter()
            .map(|t| t.estimate.abs())
            .fold(0.0f64, f64::max)
    };
    stage_list.sort_by(|a, b| largest(b).total_cmp(&largest(a)).then(a.path.cmp(&b.path)));
    Some(AttributionReport {
        schema: ATTRIBUTION_SCHEMA_V1.to_string(),
        benchmark: benchmark.to_string(),
        baseline: baseline.to_string(),
        candidate: candidate.to_string(),
        factors: factors.to_vec(),
        design: match runs.design.kind {
            DesignKind::Full => "full".to_string(),
            DesignKind::PlackettBurman => "plackett_burman".to_string(),
        },
        rows: runs.design.rows.clone(),
        runs_per_row,
        session_id: session_id.to_string(),
        baseline_s: base_s,
        candidate_s: wall_lin.candidate,
        wall: wall_terms.into_iter().map(|(t, _)| t).collect(),
        stages: stage_list,
        confirmation: None,
    })
}

/// Per stage path: the linear fit of its total per run (0 in runs that
/// lack the stage) and its depth.
fn stage_effects(
    design: &Design,
    counted: &[(usize, &Iteration)],
    interactions: bool,
) -> BTreeMap<String, (Effects, u32)> {
    let mut totals: BTreeMap<String, (Vec<f64>, u32)> = BTreeMap::new();
    for (i, (_, it)) in counted.iter().enumerate() {
        for node in stage_tree(it) {
            let entry = totals
                .entry(node.path.clone())
                .or_insert_with(|| (vec![0.0; counted.len()], node.depth));
            entry.0[i] += node.total_s;
        }
    }
    totals
        .into_iter()
        .filter_map(|(path, (values, depth))| {
            let obs: Vec<Observation> = counted
                .iter()
                .zip(values)
                .map(|((row, _), value)| Observation { row: *row, value })
                .collect();
            estimate_effects(design, &obs, Scale::Linear, interactions, LEVEL)
                .map(|fit| (path, (fit, depth)))
        })
        .collect()
}

/// The deepest stage whose significant effect of the same term, in the
/// same direction, holds at least half of `wall_s` (the term's effect on
/// wall time in seconds): its path and its share of `wall_s`.
fn where_it_went(
    term: &[usize],
    wall_s: f64,
    stages: &BTreeMap<String, (Effects, u32)>,
) -> Option<(String, f64)> {
    if wall_s == 0.0 || !wall_s.is_finite() {
        return None;
    }
    stages
        .iter()
        .filter_map(|(path, (fit, depth))| {
            let e = fit.terms.iter().find(|e| e.factors == term)?;
            let significant = !(e.ci_low <= 0.0 && 0.0 <= e.ci_high);
            let share = e.estimate / wall_s;
            (significant && share >= 0.5).then_some((path, *depth, share))
        })
        .max_by(|a, b| a.1.cmp(&b.1).then(a.2.total_cmp(&b.2)))
        .map(|(path, _, share)| (path.clone(), share))
}
