//! Adaptive runs (`--until-confident`): two variants run in interleaved
//! rounds until the anytime-valid t-test of
//! [`perfwatch_stats::sequential`] decides — a difference, or equivalence
//! within the noise band — or the run or time budget is spent.
//!
//! Each complete round gives one paired difference `ln(candidate) −
//! ln(baseline)` of the chosen metric; a round where either run failed,
//! timed out or lacked the metric gives none. The test may look after
//! every round without inflating false alarms (its error bound holds over
//! every look), so stopping as soon as it decides is honest.

use crate::history::SeriesMetric;
use perfwatch_analysis::stage_tree;
use perfwatch_model::investigation::{AdaptiveDecision, AdaptiveSpec, AdaptiveVerdict, StopReason};
use perfwatch_model::{Iteration, Session, SessionStatus};
use perfwatch_runner::StopRule;
use perfwatch_stats::sequential::{Decision, SafeTTest};
use std::time::{Duration, Instant};

/// The method named in verdicts (Lai 1976; Pérez-Ortiz et al. 2024: see
/// [`perfwatch_stats::sequential`]).
pub const METHOD: &str = "anytime-valid t-test";

/// Level of the reported interval (its error over every look).
const INTERVAL_ALPHA: f64 = 0.05;

/// Settings of an adaptive comparison.
#[derive(Debug, Clone, PartialEq)]
pub struct AdaptiveOptions {
    /// The metric compared.
    pub metric: SeriesMetric,
    /// The test (its `alpha` bounds false alarms over every look).
    pub test: SafeTTest,
    /// The noise band, a fraction: equivalent when the interval lies
    /// within `±band`.
    pub band: f64,
    /// Stop after this long even when undecided.
    pub max_time: Option<Duration>,
}

impl Default for AdaptiveOptions {
    fn default() -> Self {
        AdaptiveOptions {
            metric: SeriesMetric::Metric(perfwatch_model::Metric::WallS),
            test: SafeTTest::default(),
            band: 0.02,
            max_time: None,
        }
    }
}

impl AdaptiveOptions {
    /// What is stored with a session run with these options and at most
    /// `max_rounds` rounds.
    pub fn spec(&self, max_rounds: u32) -> AdaptiveSpec {
        AdaptiveSpec {
            metric: self.metric.key(),
            alpha: self.test.alpha,
            band: self.band,
            max_rounds,
            max_time_s: self.max_time.map(|t| t.as_secs_f64()),
        }
    }
}

/// The adaptive verdict of a session run with `--until-confident`,
/// recomputed from its iterations — what the run printed when it stopped,
/// the same for every command that analyses the session later. `None`
/// for a session not run adaptively (or not of two variants).
///
/// The rounds are replayed in execution order: each pairs the two
/// variants' measured runs as the schedule ran them, and a round cut
/// short by an interrupt gives nothing, as it gave nothing to the run.
pub fn verdict_of(session: &Session, iterations: &[Iteration]) -> Option<AdaptiveVerdict> {
    let spec = session.adaptive.as_ref()?;
    let [base, cand] = session.variants.as_slice() else {
        return None;
    };
    let metric = SeriesMetric::parse(&spec.metric).ok()?;
    let mut rule = AdaptiveRule::new(AdaptiveOptions {
        metric,
        test: SafeTTest {
            alpha: spec.alpha,
            ..SafeTTest::default()
        },
        band: spec.band,
        max_time: None,
    });
    let mut measured: Vec<&Iteration> = iterations.iter().filter(|it| !it.warmup).collect();
    measured.sort_by_key(|it| it.index);
    let mut seen = [false, false];
    for it in measured {
        let v = if it.variant == base.name {
            0
        } else if it.variant == cand.name {
            1
        } else {
            continue;
        };
        if seen[v] {
            // Never in a schedule's rounds; start afresh rather than pair
            // runs of different rounds.
            seen = [false, false];
            rule.round = [None, None];
        }
        seen[v] = true;
        rule.observe(v, it);
        if seen == [true, true] {
            rule.decided();
            seen = [false, false];
        }
    }
    let ended = match session.status {
        SessionStatus::Interrupted | SessionStatus::Failed | SessionStatus::Abandoned => {
            StopReason::Stopped
        }
        _ if rule.rounds >= spec.max_rounds => StopReason::RunBudget,
        _ if spec.max_time_s.is_some() => StopReason::TimeBudget,
        _ => StopReason::RunBudget,
    };
    Some(rule.verdict(&base.name, &cand.name, ended))
}

/// The value of `metric` in a counted iteration: a whole-process figure,
/// the total time of a stage path, or an application metric; `None` when the iteration does not
/// count (failed, timed out, a warm-up) or lacks it.
pub fn metric_value(it: &Iteration, metric: &SeriesMetric) -> Option<f64> {
    if !(it.counts() && it.succeeded()) {
        return None;
    }
    match metric {
        SeriesMetric::Metric(m) => it.metric(*m),
        SeriesMetric::Stage(path) => stage_tree(it)
            .into_iter()
            .find(|n| &n.path == path)
            .map(|n| n.total_s),
        SeriesMetric::App(name) => it.app_metric(name).map(|(_, v)| v),
    }
}

/// The [`StopRule`] of an adaptive comparison of variant 0 (baseline)
/// with variant 1 (candidate).
#[derive(Debug)]
pub struct AdaptiveRule {
    options: AdaptiveOptions,
    started: Instant,
    round: [Option<f64>; 2],
    rounds: u32,
    diffs: Vec<f64>,
    reason: Option<StopReason>,
}

impl AdaptiveRule {
    /// A rule starting its clock now.
    pub fn new(options: AdaptiveOptions) -> AdaptiveRule {
        AdaptiveRule {
            options,
            started: Instant::now(),
            round: [None, None],
            rounds: 0,
            diffs: Vec::new(),
            reason: None,
        }
    }

    /// Add one complete round's values directly (for callers that run the
    /// rounds themselves); returns whether the test has decided.
    pub fn push_round(&mut self, baseline: Option<f64>, candidate: Option<f64>) -> bool {
        self.round = [baseline, candidate];
        self.decided()
    }

    /// The paired log differences so far.
    pub fn differences(&self) -> &[f64] {
        &self.diffs
    }

    /// The verdict so far, naming the two sides. `stopped` says why the
    /// run ended when the rule itself did not stop it (the run budget, an
    /// interrupt).
    pub fn verdict(&self, baseline: &str, candidate: &str, ended: StopReason) -> AdaptiveVerdict {
        let state = self.options.test.decide(&self.diffs, self.band_ln());
        let decision = match state.decision {
            Decision::Different { sign } if sign > 0 => AdaptiveDecision::Slower,
            Decision::Different { .. } => AdaptiveDecision::Faster,
            Decision::Equivalent => AdaptiveDecision::Equivalent,
            Decision::Continue => AdaptiveDecision::Undecided,
        };
        let stopped = match (decision, self.reason) {
            (AdaptiveDecision::Undecided, Some(r)) => r,
            (AdaptiveDecision::Undecided, None) => ended,
            _ => StopReason::Decided,
        };
        let interval = self.options.test.interval(&self.diffs, INTERVAL_ALPHA);
        AdaptiveVerdict {
            metric: self.options.metric.key(),
            baseline: baseline.to_string(),
            candidate: candidate.to_string(),
            decision,
            stopped,
            rounds: self.rounds,
            ratio: state.mean.exp(),
            ci_low: interval.map(|(lo, _)| lo.exp()),
            ci_high: interval.map(|(_, hi)| hi.exp()),
            e_value: state.e_value,
            alpha: self.options.test.alpha,
            band: self.options.band,
            method: METHOD.to_string(),
        }
    }

    fn band_ln(&self) -> f64 {
        (1.0 + self.options.band.max(0.0)).ln()
    }
}

impl StopRule for AdaptiveRule {
    fn observe(&mut self, variant: usize, iteration: &Iteration) {
        if let Some(slot) = self.round.get_mut(variant) {
            *slot = metric_value(iteration, &self.options.metric).filter(|v| *v > 0.0);
        }
    }

    fn decided(&mut self) -> bool {
        self.rounds += 1;
        if let [Some(a), Some(b)] = self.round {
            self.diffs.push(b.ln() - a.ln());
        }
        self.round = [None, None];
        if self
            .options
            .test
            .decide(&self.diffs, self.band_ln())
            .decision
            .is_decided()
        {
            return true;
        }
        if self
            .options
            .max_time
            .is_some_and(|limit| self.started.elapsed() >= limit)
        {
            self.reason = Some(StopReason::TimeBudget);
            return true;
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run_of(wall_s: f64) -> Iteration {
        Iteration {
            exit_code: Some(0),
            wall_s,
            ..Iteration::default()
        }
    }

    #[test]
    fn rounds_become_paired_log_differences_and_a_clear_change_stops_the_run() {
        let mut rule = AdaptiveRule::new(AdaptiveOptions::default());
        let mut stopped_at = None;
        for round in 1..=30u32 {
            let jitter = 1.0 + 0.003 * f64::from(round % 3);
            rule.observe(0, &run_of(1.0 * jitter));
            rule.observe(1, &run_of(1.2 * jitter));
            if rule.decided() {
                stopped_at = Some(round);
                break;
            }
        }
        let rounds = stopped_at.expect("a 20 % change is decided");
        assert!(rounds < 10, "{rounds} rounds");
        let v = rule.verdict("before", "after", StopReason::RunBudget);
        assert_eq!(v.decision, AdaptiveDecision::Slower);
        assert_eq!(v.stopped, StopReason::Decided);
        assert!((v.ratio - 1.2).abs() < 1e-9, "{}", v.ratio);
        assert!(v.ci_low.unwrap() <= 1.2 && 1.2 <= v.ci_high.unwrap());
    }

    #[test]
    fn a_failed_run_gives_no_difference_for_its_round() {
        let mut rule = AdaptiveRule::new(AdaptiveOptions::default());
        rule.observe(0, &run_of(1.0));
        rule.observe(
            1,
            &Iteration {
                exit_code: Some(1),
                wall_s: 1.0,
                ..Iteration::default()
            },
        );
        assert!(!rule.decided());
        assert!(rule.differences().is_empty());
        let v = rule.verdict("a", "b", StopReason::RunBudget);
        assert_eq!(v.decision, AdaptiveDecision::Undecided);
        assert_eq!(v.stopped, StopReason::RunBudget);
        assert_eq!(v.rounds, 1);
    }

    #[test]
    fn the_time_budget_stops_an_undecided_run() {
        let mut rule = AdaptiveRule::new(AdaptiveOptions {
            max_time: Some(Duration::ZERO),
            ..AdaptiveOptions::default()
        });
        assert!(rule.push_round(Some(1.0), Some(1.0)));
        let v = rule.verdict("a", "b", StopReason::RunBudget);
        assert_eq!(v.stopped, StopReason::TimeBudget);
    }
}
