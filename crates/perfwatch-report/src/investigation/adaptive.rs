//! An adaptive comparison's answer in one sentence.

use super::{metric_name, metric_unit, plural};
use crate::printable::printable;
use crate::relative::Direction;
use crate::units::{format_count, format_ratio, format_ratio_ci, format_share, is_unbounded};
use perfwatch_model::investigation::{AdaptiveDecision, AdaptiveVerdict, StopReason};

/// What an interval that is not bounded yet reads as.
const STILL_UNBOUNDED: &str = "interval still unbounded";

/// The verdict in one line, names in backticks (shown [`printable`]):
///
/// - `` `after` is 1.100× [1.070×, 1.130×] slower than `before` on wall
///   time: decided after 12 rounds (anytime-valid t-test, α = 0.01)``; a
///   faster candidate is `N× faster`, `N` being how many times (the
///   ratio inverted, as the relative summary does), and a metric that is
///   not a time is `higher` or `lower`;
/// - `` `after` and `before` are equivalent within ±2.0% on wall time:
///   1.003× [0.990×, 1.010×], decided after 40 rounds (…)``;
/// - `` no answer after 60 rounds (the run budget): `after` / `before` =
///   1.010× [0.970×, 1.050×] on wall time (…)``, and likewise for the
///   time budget and a stopped comparison.
///
/// An interval that is not bounded yet reads `interval still unbounded`;
/// a metric `stage:PATH` is named `stage PATH`.
pub fn adaptive_line(v: &AdaptiveVerdict) -> String {
    adaptive_sentence(v, &|name| format!("`{}`", printable(name)), &|text| {
        text.to_string()
    })
}

/// [`adaptive_line`] with names quoted by `quote` and the other words
/// taken from the data (the metric, the method) passed through `text`:
/// each format quotes and escapes in its own way (Markdown code spans; a
/// page shows the names as they are, escaped by its template).
pub fn adaptive_sentence(
    v: &AdaptiveVerdict,
    quote: &dyn Fn(&str) -> String,
    text: &dyn Fn(&str) -> String,
) -> String {
    let (candidate, baseline) = (quote(&v.candidate), quote(&v.baseline));
    let metric = text(&metric_name(&v.metric));
    let how = format!(
        "({}, α = {})",
        text(&printable(&v.method)),
        format_count(v.alpha)
    );
    let rounds = plural(v.rounds as usize, "round", "rounds");
    let when = match v.stopped {
        StopReason::Decided => format!("decided after {rounds}"),
        StopReason::RunBudget => format!("at the run budget, after {rounds}"),
        StopReason::TimeBudget => format!("at the time budget, after {rounds}"),
        StopReason::Stopped => format!("stopped after {rounds}"),
    };
    let bounds = v.ci_low.zip(v.ci_high);
    let ratio = with_interval(v.ratio, bounds);
    match v.decision {
        AdaptiveDecision::Slower | AdaptiveDecision::Faster => {
            let (factor, bounds, direction) = if v.decision == AdaptiveDecision::Slower {
                (v.ratio, bounds, Direction::Higher)
            } else {
                let inverted = bounds.map(|(lo, hi)| (invert(hi), invert(lo)));
                (invert(v.ratio), inverted, Direction::Lower)
            };
            let word = direction.word(unit_key(&v.metric));
            format!(
                "{candidate} is {} {word} than {baseline} on {metric}: {when} {how}",
                with_interval(factor, bounds)
            )
        }
        AdaptiveDecision::Equivalent => format!(
            "{candidate} and {baseline} are equivalent within ±{} on {metric}: {ratio}, {when} {how}",
            format_share(v.band)
        ),
        AdaptiveDecision::Undecided => {
            let why = match v.stopped {
                StopReason::Decided => format!("no answer after {rounds}"),
                StopReason::RunBudget => format!("no answer after {rounds} (the run budget)"),
                StopReason::TimeBudget => format!("no answer after {rounds} (the time budget)"),
                StopReason::Stopped => format!("no answer: stopped after {rounds}"),
            };
            format!("{why}: {candidate} / {baseline} = {ratio} on {metric} {how}")
        }
    }
}

/// `1.100× [1.070×, 1.130×]`, or `1.010×, interval still unbounded`.
fn with_interval(ratio: f64, bounds: Option<(f64, f64)>) -> String {
    match bounds {
        Some((lo, hi)) => format!("{} {}", format_ratio(ratio), format_ratio_ci(lo, hi)),
        None => format!("{}, {STILL_UNBOUNDED}", format_ratio(ratio)),
    }
}

/// `1 / x`, an unbounded `x` giving 0 (and 0 giving an infinity, which
/// prints as unbounded).
fn invert(x: f64) -> f64 {
    if is_unbounded(x) {
        0.0
    } else {
        1.0 / x
    }
}

/// A key [`Direction::word`] understands: a stage's time is a time.
fn unit_key(metric: &str) -> &str {
    if metric_unit(metric) == perfwatch_model::metric::Unit::Seconds {
        "wall_s"
    } else {
        metric
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn verdict(decision: AdaptiveDecision, stopped: StopReason) -> AdaptiveVerdict {
        AdaptiveVerdict {
            metric: "wall_s".into(),
            baseline: "before".into(),
            candidate: "after".into(),
            decision,
            stopped,
            rounds: 12,
            ratio: 1.1,
            ci_low: Some(1.07),
            ci_high: Some(1.13),
            e_value: 140.0,
            alpha: 0.01,
            band: 0.02,
            method: "anytime-valid t-test".into(),
        }
    }

    #[test]
    fn a_slower_candidate_reads_as_a_factor_with_its_interval() {
        let v = verdict(AdaptiveDecision::Slower, StopReason::Decided);
        assert_eq!(
            adaptive_line(&v),
            "`after` is 1.100× [1.070×, 1.130×] slower than `before` on wall time: \
             decided after 12 rounds (anytime-valid t-test, α = 0.01)"
        );
    }

    #[test]
    fn a_faster_candidate_reads_as_how_many_times_faster() {
        let mut v = verdict(AdaptiveDecision::Faster, StopReason::Decided);
        (v.ratio, v.ci_low, v.ci_high) = (0.8, Some(0.5), Some(f64::MAX));
        v.metric = "stage:job/fetch".into();
        assert_eq!(
            adaptive_line(&v),
            "`after` is 1.250× [0.000×, 2.000×] faster than `before` on stage job/fetch: \
             decided after 12 rounds (anytime-valid t-test, α = 0.01)"
        );
    }

    #[test]
    fn equivalence_names_the_band() {
        let mut v = verdict(AdaptiveDecision::Equivalent, StopReason::Decided);
        (v.ratio, v.ci_low, v.ci_high, v.rounds) = (1.003, Some(0.99), Some(1.01), 40);
        assert_eq!(
            adaptive_line(&v),
            "`after` and `before` are equivalent within ±2.0% on wall time: \
             1.003× [0.990×, 1.010×], decided after 40 rounds (anytime-valid t-test, α = 0.01)"
        );
    }

    #[test]
    fn no_answer_says_which_budget_ran_out_and_an_open_interval() {
        let mut v = verdict(AdaptiveDecision::Undecided, StopReason::RunBudget);
        (v.ratio, v.ci_low, v.ci_high, v.rounds) = (1.01, Some(0.97), Some(1.05), 60);
        assert_eq!(
            adaptive_line(&v),
            "no answer after 60 rounds (the run budget): `after` / `before` = \
             1.010× [0.970×, 1.050×] on wall time (anytime-valid t-test, α = 0.01)"
        );
        v.stopped = StopReason::TimeBudget;
        assert!(adaptive_line(&v).starts_with("no answer after 60 rounds (the time budget): "));
        (v.stopped, v.ci_low, v.rounds) = (StopReason::Stopped, None, 1);
        assert_eq!(
            adaptive_line(&v),
            "no answer: stopped after 1 round: `after` / `before` = 1.010×, interval still \
             unbounded on wall time (anytime-valid t-test, α = 0.01)"
        );
    }
}
