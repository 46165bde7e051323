//! Adaptive rounds for a factorial design: every round runs each row once;
//! each round gives, per setting, one estimate of its main effect (the
//! mean log value of the rows with the candidate's value minus that of
//! the rows with the baseline's), independent from round to round. The
//! anytime-valid t-test of [`perfwatch_stats::sequential`] watches each
//! setting's estimates at `α / k` (Bonferroni over the k settings), and the
//! rounds stop once every setting is decided — an effect, or none within
//! the noise band — after at least `min_rounds`.

use crate::adaptive::metric_value;
use crate::history::SeriesMetric;
use perfwatch_model::Iteration;
use perfwatch_runner::StopRule;
use perfwatch_stats::factorial::Design;
use perfwatch_stats::sequential::SafeTTest;

/// The [`StopRule`] of an adaptive factorial run (variants in row order).
#[derive(Debug)]
pub struct FactorialRule {
    rows: Vec<Vec<bool>>,
    test: SafeTTest,
    band: f64,
    min_rounds: u32,
    rounds: u32,
    round: Vec<Option<f64>>,
    contrasts: Vec<Vec<f64>>,
}

impl FactorialRule {
    /// A rule for `design` with false-alarm probability `alpha` over all
    /// settings and looks, noise band `band` (a fraction).
    pub fn new(design: &Design, alpha: f64, band: f64, min_rounds: u32) -> FactorialRule {
        let k = design.factors.max(1);
        FactorialRule {
            rows: design.rows.clone(),
            test: SafeTTest {
                alpha: alpha / k as f64,
                ..SafeTTest::default()
            },
            band: (1.0 + band.max(0.0)).ln(),
            min_rounds: min_rounds.max(2),
            rounds: 0,
            round: vec![None; design.rows.len()],
            contrasts: vec![Vec::new(); design.factors],
        }
    }

    /// Complete rounds so far.
    pub fn rounds(&self) -> u32 {
        self.rounds
    }

    /// Whether every setting is decided.
    pub fn all_decided(&self) -> bool {
        self.contrasts
            .iter()
            .all(|c| self.test.decide(c, self.band).decision.is_decided())
    }

    /// Add one complete round's wall times, in row order.
    pub fn push_round(&mut self, values: &[Option<f64>]) {
        self.rounds += 1;
        let logs: Option<Vec<f64>> = values
            .iter()
            .map(|v| v.filter(|v| *v > 0.0).map(f64::ln))
            .collect();
        let Some(logs) = logs else {
            return;
        };
        for (j, contrast) in self.contrasts.iter_mut().enumerate() {
            let (mut hi, mut lo, mut n_hi, mut n_lo) = (0.0, 0.0, 0usize, 0usize);
            for (row, value) in self.rows.iter().zip(&logs) {
                if row[j] {
                    hi += value;
                    n_hi += 1;
                } else {
                    lo += value;
                    n_lo += 1;
                }
            }
            if n_hi > 0 && n_lo > 0 {
                contrast.push(hi / n_hi as f64 - lo / n_lo as f64);
            }
        }
    }
}

impl StopRule for FactorialRule {
    fn observe(&mut self, variant: usize, iteration: &Iteration) {
        let wall = SeriesMetric::Metric(perfwatch_model::Metric::WallS);
        if let Some(slot) = self.round.get_mut(variant) {
            *slot = metric_value(iteration, &wall);
        }
    }

    fn decided(&mut self) -> bool {
        let round = std::mem::replace(&mut self.round, vec![None; self.rows.len()]);
        self.push_round(&round);
        self.rounds >= self.min_rounds && self.all_decided()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use perfwatch_stats::factorial::full_factorial;

    #[test]
    fn rounds_stop_once_every_setting_is_decided() {
        // Factor 0: +30 %; factor 1: nothing, very quiet.
        let design = full_factorial(2).unwrap();
        let mut rule = FactorialRule::new(&design, 0.01, 0.02, 3);
        let mut stopped = None;
        for round in 1..=60u32 {
            let wobble = 1.0 + 0.001 * f64::from(round % 3);
            let values: Vec<Option<f64>> = design
                .rows
                .iter()
                .map(|row| Some(if row[0] { 1.3 } else { 1.0 } * wobble))
                .collect();
            rule.push_round(&values);
            if rule.rounds() >= 3 && rule.all_decided() {
                stopped = Some(round);
                break;
            }
        }
        let n = stopped.expect("decided");
        assert!(n <= 20, "{n} rounds");
    }

    #[test]
    fn a_round_with_a_failed_row_adds_no_estimate() {
        let design = full_factorial(1).unwrap();
        let mut rule = FactorialRule::new(&design, 0.01, 0.02, 2);
        rule.push_round(&[Some(1.0), None]);
        assert_eq!(rule.rounds(), 1);
        assert!(rule.contrasts[0].is_empty());
        assert!(!rule.all_decided());
    }
}
