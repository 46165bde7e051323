//! The search itself (see the module documentation).

use super::{BisectOptions, Probe, ProbeError, Prober, MAX_STEP_ROUNDS, MIN_STEP_ROUNDS};
use crate::adaptive::AdaptiveRule;
use crate::AppError;
use perfwatch_model::investigation::{
    AdaptiveDecision, BisectOutcome, BisectReport, BisectStep, Commit, EffectEstimate, StepVerdict,
    StopReason, BISECT_SCHEMA_V1,
};
use perfwatch_stats::log_ratio::{log_ratio_interval, sd_upper_bound};
use perfwatch_stats::median;
use perfwatch_stats::sequential::{classify, Classification};
use std::collections::{BTreeMap, BTreeSet};

/// What the steps' contrasts are classified against: like good, the
/// contrast's mean is `−delta/2`; like bad, `+delta/2`.
struct References {
    delta: f64,
    sd: f64,
}

/// Bisect `commits` (oldest — the good endpoint — first, the bad endpoint
/// last) on `benchmark` through `prober`.
///
/// # Errors
///
/// Fewer than two commits; an endpoint that cannot be measured; a fatal
/// prober error. An interrupt is not an error: the report ends
/// [`BisectOutcome::Interrupted`] with the steps so far.
pub fn bisect(
    benchmark: &str,
    commits: Vec<Commit>,
    prober: &mut dyn Prober,
    opts: &BisectOptions,
) -> Result<BisectReport, AppError> {
    let mut counting = Counting {
        inner: prober,
        runs: 0,
    };
    let mut report = search(benchmark, commits, &mut counting, opts)?;
    report.total_runs = Some(counting.runs);
    Ok(report)
}

/// A prober that counts the runs it reports.
struct Counting<'a> {
    inner: &'a mut dyn Prober,
    runs: u64,
}

impl Prober for Counting<'_> {
    fn run(
        &mut self,
        positions: &[usize],
        more: &mut dyn FnMut(&[Option<f64>]) -> bool,
        max_rounds: u32,
    ) -> Result<Probe, ProbeError> {
        let probe = self.inner.run(positions, more, max_rounds)?;
        self.runs += probe.values.iter().map(|v| v.len() as u64).sum::<u64>();
        Ok(probe)
    }

    fn planned(&mut self, expected: f64, budget: u32) {
        self.inner.planned(expected, budget);
    }

    fn step_done(&mut self, step: &BisectStep) {
        self.inner.step_done(step);
    }
}

fn search(
    benchmark: &str,
    commits: Vec<Commit>,
    prober: &mut dyn Prober,
    opts: &BisectOptions,
) -> Result<BisectReport, AppError> {
    if commits.len() < 2 {
        return Err(AppError::bad_request(
            "bisect needs two different commits: the good one and the bad one",
        ));
    }
    let last = commits.len() - 1;
    let mut report = BisectReport {
        schema: BISECT_SCHEMA_V1.to_string(),
        benchmark: benchmark.to_string(),
        metric: opts.metric.key(),
        commits,
        endpoints: None,
        good_median: None,
        bad_median: None,
        steps: Vec::new(),
        outcome: BisectOutcome::Interrupted,
        first_bad: None,
        suspects: Vec::new(),
        effect: None,
        step_error: opts.step_error,
        total_runs: None,
        step_budget: None,
        expected_step_rounds: None,
    };
    let mut samples: BTreeMap<usize, Vec<f64>> = BTreeMap::new();

    // 1. The endpoints.
    let mut rule = AdaptiveRule::new(opts.endpoint.clone());
    let mut rounds = 0u32;
    let min_rounds = opts.endpoint_min_rounds.max(2);
    let mut more = |round: &[Option<f64>]| {
        rounds += 1;
        let decided = rule.push_round(round[0], round[1]);
        !(decided && rounds >= min_rounds)
    };
    let probe = match prober.run(
        &[0, last],
        &mut more,
        opts.endpoint_max_rounds.max(min_rounds),
    ) {
        Ok(p) => p,
        Err(ProbeError::Interrupted) => return Ok(report),
        Err(ProbeError::Skip(why)) => {
            return Err(AppError::bad_request(format!(
                "the endpoints cannot be measured: {why}"
            )))
        }
        Err(ProbeError::Fatal(why)) => return Err(AppError::bad_request(why)),
    };
    let verdict = rule.verdict(
        &report.commits[0].id,
        &report.commits[last].id,
        StopReason::RunBudget,
    );
    let decision = verdict.decision;
    report.endpoints = Some(verdict);
    let mut values = probe.values.into_iter();
    let good = values.next().unwrap_or_default();
    let bad = values.next().unwrap_or_default();
    report.good_median = median(&good);
    report.bad_median = median(&bad);
    if !matches!(
        decision,
        AdaptiveDecision::Slower | AdaptiveDecision::Faster
    ) {
        report.outcome = BisectOutcome::NoDifference;
        return Ok(report);
    }
    let Some(refs) = references(rule.differences()) else {
        report.outcome = BisectOutcome::NoDifference;
        return Ok(report);
    };
    samples.insert(0, good);
    samples.insert(last, bad);
    // Wald's approximation of the rounds a step needs: the threshold over
    // the information a round brings, Δ²/(2·sd²).
    let threshold = ((1.0 - opts.step_error) / opts.step_error).ln();
    let expected = threshold / (refs.delta * refs.delta / (2.0 * refs.sd * refs.sd));
    report.expected_step_rounds = Some(expected);
    let budget = opts.step_max_runs.unwrap_or_else(|| {
        ((3.0 * expected).ceil() as u32).clamp(MIN_STEP_ROUNDS, MAX_STEP_ROUNDS)
    });
    report.step_budget = Some(budget);
    prober.planned(expected, budget);

    // 2. The steps: the commit runs interleaved with both endpoints, and
    // each round's `ln c − (ln good + ln bad)/2` is classified, so that a
    // machine drifting since the endpoints were measured moves all three
    // alike and cannot make a good commit look bad.
    let (mut lo, mut hi) = (0usize, last);
    let mut unusable: BTreeSet<usize> = BTreeSet::new();
    while let Some(position) = next_position(lo, hi, &unusable) {
        let mut contrasts: Vec<f64> = Vec::new();
        let mut values: Vec<f64> = Vec::new();
        let (e, half) = (opts.step_error, refs.delta / 2.0);
        let mut state = classify(&[], -half, half, refs.sd, e, e);
        let mut more = |round: &[Option<f64>]| {
            values.extend(round[0].filter(|v| *v > 0.0));
            let logs: Option<Vec<f64>> = round
                .iter()
                .map(|v| v.filter(|v| *v > 0.0).map(f64::ln))
                .collect();
            if let Some(l) = logs {
                contrasts.push(l[0] - (l[1] + l[2]) / 2.0);
            }
            state = classify(&contrasts, -half, half, refs.sd, e, e);
            state.classification == Classification::Continue
        };
        let result = prober.run(&[position, 0, last], &mut more, budget.max(1));
        let commit = report.commits[position].clone();
        let step = match result {
            Err(ProbeError::Interrupted) => return Ok(report),
            Err(ProbeError::Fatal(why)) => return Err(AppError::bad_request(why)),
            Err(ProbeError::Skip(why)) => BisectStep {
                commit,
                position,
                verdict: StepVerdict::Skipped,
                runs: 0,
                median: None,
                llr: 0.0,
                session_id: None,
                reason: Some(why),
            },
            Ok(probe) => {
                let verdict = match state.classification {
                    _ if contrasts.is_empty() => StepVerdict::Skipped,
                    Classification::LikeGood => StepVerdict::Good,
                    Classification::LikeBad => StepVerdict::Bad,
                    Classification::Continue => StepVerdict::Ambiguous,
                };
                let step = BisectStep {
                    commit,
                    position,
                    verdict,
                    runs: values.len() as u32,
                    median: median(&values),
                    llr: state.llr,
                    session_id: probe.session_id,
                    reason: contrasts
                        .is_empty()
                        .then(|| "no round gave the metric of all three commits".to_string()),
                };
                samples.insert(position, values);
                step
            }
        };
        match step.verdict {
            StepVerdict::Good => lo = position,
            StepVerdict::Bad => hi = position,
            StepVerdict::Ambiguous | StepVerdict::Skipped => {
                unusable.insert(position);
            }
        }
        prober.step_done(&step);
        report.steps.push(step);
    }

    // 3. The answer.
    if hi == lo + 1 {
        report.outcome = BisectOutcome::FirstBad;
        report.first_bad = Some(report.commits[hi].clone());
        // The effect is measured again with the two commits interleaved,
        // so that it does not rest on the one or two runs a clear step
        // needed.
        let extra = opts.endpoint_min_rounds.max(2);
        let mut left = extra;
        let mut more = |_: &[Option<f64>]| {
            left -= 1;
            left > 0
        };
        match prober.run(&[lo, hi], &mut more, extra) {
            Ok(probe) => {
                for (position, values) in [lo, hi].into_iter().zip(probe.values) {
                    samples.entry(position).or_default().extend(values);
                }
            }
            Err(ProbeError::Fatal(why)) => return Err(AppError::bad_request(why)),
            Err(_) => {}
        }
        let before = samples.get(&lo).map(Vec::as_slice).unwrap_or_default();
        let after = samples.get(&hi).map(Vec::as_slice).unwrap_or_default();
        report.effect = log_ratio_interval(before, after, 0.95).map(|(ratio, ci_low, ci_high)| {
            EffectEstimate {
                ratio,
                ci_low,
                ci_high,
            }
        });
    } else {
        report.outcome = BisectOutcome::Ambiguous;
        report.suspects = report.commits[lo + 1..=hi].to_vec();
    }
    Ok(report)
}

/// The references of the steps from the endpoints' paired log
/// differences `d = ln bad − ln good`: their mean `Δ`, and the standard
/// deviation of a step's contrast `ln c − (ln good + ln bad)/2`. With the
/// per-run sd `σ`, `sd(d) = √2·σ` and the contrast's sd is `√1.5·σ =
/// sd(d)·√0.75`; `sd(d)` is first raised to its one-sided 95 % upper
/// confidence bound, so that endpoints measured with few rounds do not
/// make the steps overconfident.
fn references(diffs: &[f64]) -> Option<References> {
    let d: Vec<f64> = diffs.iter().copied().filter(|x| x.is_finite()).collect();
    if d.len() < 2 {
        return None;
    }
    let n = d.len() as f64;
    let mean = d.iter().sum::<f64>() / n;
    let var = d.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
    let upper = sd_upper_bound(var.sqrt(), d.len() - 1, 0.95)?;
    let sd = (upper * 0.75f64.sqrt()).max(mean.abs() * 1e-3);
    (mean != 0.0).then_some(References { delta: mean, sd })
}

/// The untested position nearest the middle of `(lo, hi)`, avoiding the
/// unusable ones; `None` when none is left.
fn next_position(lo: usize, hi: usize, unusable: &BTreeSet<usize>) -> Option<usize> {
    let mid = lo + (hi - lo) / 2;
    let candidates = (lo + 1..hi).filter(|p| !unusable.contains(p));
    candidates.min_by_key(|&p| (p.abs_diff(mid), p))
}
