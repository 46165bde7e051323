//! One answer per variant against the first: "`b` ran 1.98 ± 0.02 times
//! faster than `a` (p < 0.001, improved)".
//!
//! The variant is always the subject, so that the verdict after it (which
//! judges the variant against the first) reads right; the factor is at
//! least 1 and the word says which way (`faster`/`slower` for times,
//! `lower`/`higher` for other metrics), so that the sentence is true
//! whichever side is quicker. The factor is the analysis's ratio of
//! medians (inverted when the variant is the quicker one); its uncertainty
//! is the ratio's confidence interval, inverted the same way, written as
//! `± E` when the interval is about symmetric (neither side more than twice
//! the other), `E` being the larger half so that `R ± E` covers the whole
//! interval, and as `R [lo, hi]` otherwise.

use super::{comparison_of, relative_metric};
use crate::format::verdict_cell;
use crate::units::{format_factor, format_p, is_unbounded, unit_for_key};
use perfwatch_model::metric::Unit;
use perfwatch_model::{Comparison, Metric, SessionExport};

/// The variants of a session against the first, for one metric.
#[derive(Debug, Clone, PartialEq)]
pub struct RelativeSummary<'a> {
    /// The first variant's name, which the others are compared with.
    pub reference: &'a str,
    /// The metric key (`wall_s` unless wall time is not primary; see
    /// [`relative_metric`](super::relative_metric)).
    pub metric: &'a str,
    /// One line per variant after the first, in plan order.
    pub lines: Vec<RelativeLine<'a>>,
}

/// One variant's answer.
#[derive(Debug, Clone, PartialEq)]
pub struct RelativeLine<'a> {
    /// The variant's name: the command it runs when it runs its own, the
    /// user's name for it otherwise.
    pub variant: &'a str,
    /// How it compares; `None` when the analysis could not compare it on
    /// the metric (no counted run on one side).
    pub relation: Option<Relation<'a>>,
}

/// Which way a variant differs from the reference.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Its median is at most the reference's: faster, or a lower figure.
    Lower,
    /// Its median is above the reference's: slower, or a higher figure.
    Higher,
}

impl Direction {
    /// `faster`/`slower` for a time metric, `lower`/`higher` otherwise.
    pub fn word(self, metric: &str) -> &'static str {
        let time = unit_for_key(metric) == Unit::Seconds;
        match (self, time) {
            (Direction::Lower, true) => "faster",
            (Direction::Higher, true) => "slower",
            (Direction::Lower, false) => "lower",
            (Direction::Higher, false) => "higher",
        }
    }
}

/// A variant against the reference: the factor by which it differs, at
/// least 1, with its interval, and the comparison it was read from.
#[derive(Debug, Clone, PartialEq)]
pub struct Relation<'a> {
    /// Which way it differs.
    pub direction: Direction,
    /// How many times faster (slower, lower, higher): the ratio of medians,
    /// or its inverse when the variant is the lower one. At least 1;
    /// infinite when one median is zero.
    pub factor: f64,
    /// The lower bound of the factor's confidence interval.
    pub factor_low: f64,
    /// The upper bound of the factor's confidence interval (infinite when
    /// unbounded).
    pub factor_high: f64,
    /// The comparison (variant vs reference): p-value, verdict, severity,
    /// confidence level.
    pub comparison: &'a Comparison,
}

impl<'a> RelativeSummary<'a> {
    /// The summary of a session with at least two variants whose variants
    /// were compared with the first; `None` otherwise.
    pub fn of(export: &'a SessionExport) -> Option<Self> {
        let (first, rest) = export.variants.split_first()?;
        if rest.is_empty() {
            return None;
        }
        let metric = relative_metric(export)?;
        let lines = rest
            .iter()
            .map(|v| RelativeLine {
                variant: &v.name,
                relation: comparison_of(export, &v.name, metric).map(Relation::of),
            })
            .collect();
        Some(RelativeSummary {
            reference: &first.name,
            metric,
            lines,
        })
    }

    /// The line about `line`'s variant as a sentence, names quoted by
    /// `quote` (each renderer quotes and escapes in its own way):
    /// `` `b` ran 1.98 ± 0.02 times faster than `a` (p < 0.001, improved)``;
    /// for a time metric other than wall time `… than `a` in user_s (…)`;
    /// for other metrics `` `b` had 1.20 [1.10, 1.50] times higher
    /// max_rss_bytes than `a` (…)``.
    pub fn sentence(&self, line: &RelativeLine<'_>, quote: impl Fn(&str) -> String) -> String {
        match self.sentence_parts(line, quote) {
            (claim, Some(why)) => format!("{claim} {why}"),
            (claim, None) => claim,
        }
    }

    /// [`RelativeSummary::sentence`] in two parts: the claim, and the
    /// evidence in parentheses (`(p < 0.001, improved)`; `None` for a
    /// variant that was not compared), so that a renderer short of room
    /// can put the evidence on a line of its own.
    pub fn sentence_parts(
        &self,
        line: &RelativeLine<'_>,
        quote: impl Fn(&str) -> String,
    ) -> (String, Option<String>) {
        let (variant, reference) = (quote(line.variant), quote(self.reference));
        let Some(r) = &line.relation else {
            let claim = format!(
                "{variant} was not compared with {reference} on {} (no counted run on one side)",
                self.metric
            );
            return (claim, None);
        };
        let word = r.direction.word(self.metric);
        let c = r.comparison;
        let why = format!("(p {}, {})", p_phrase(c.p_value), verdict_cell(c));
        if !r.factor.is_finite() {
            // One median is 0 (a shell command as quick as the subtracted
            // shell start-up, a metric that read 0): "ran unbounded times
            // faster" would be no answer.
            let claim = match r.direction {
                Direction::Lower => format!(
                    "{variant}'s median {} is 0: no finite factor relates it to {reference}",
                    self.metric
                ),
                Direction::Higher => format!(
                    "{reference}'s median {} is 0: no finite factor relates {variant} to it",
                    self.metric
                ),
            };
            return (claim, Some(why));
        }
        let factor = r.factor_text();
        let claim = if self.metric == Metric::WallS.key() {
            format!("{variant} ran {factor} times {word} than {reference}")
        } else if unit_for_key(self.metric) == Unit::Seconds {
            format!(
                "{variant} ran {factor} times {word} than {reference} in {}",
                self.metric
            )
        } else {
            format!(
                "{variant} had {factor} times {word} {} than {reference}",
                self.metric
            )
        };
        (claim, Some(why))
    }
}

/// `= 0.008` or `< 0.001`.
fn p_phrase(p: f64) -> String {
    let text = format_p(p);
    if text.starts_with('<') {
        text
    } else {
        format!("= {text}")
    }
}

impl<'a> Relation<'a> {
    /// The relation that `c` (variant vs reference) states.
    pub fn of(c: &'a Comparison) -> Self {
        let bound = |x: f64| if is_unbounded(x) { f64::INFINITY } else { x };
        let (ratio, low, high) = (bound(c.ratio), bound(c.ci_low), bound(c.ci_high));
        if ratio <= 1.0 {
            Relation {
                direction: Direction::Lower,
                factor: 1.0 / ratio,
                factor_low: 1.0 / high,
                factor_high: 1.0 / low,
                comparison: c,
            }
        } else {
            Relation {
                direction: Direction::Higher,
                factor: ratio,
                factor_low: low,
                factor_high: high,
                comparison: c,
            }
        }
    }

    /// `E` of `factor ± E`: the larger half of the interval, when neither
    /// half is more than twice the other (or both are below the last digit
    /// shown) and `factor − E` stays above 1 — a factor's spread that
    /// reaches down to "no difference" or below is shown as its interval;
    /// `None` when the interval is lopsided, that wide, unbounded or does
    /// not hold the factor.
    pub fn plus_minus(&self) -> Option<f64> {
        let below = self.factor - self.factor_low;
        let above = self.factor_high - self.factor;
        if !(below.is_finite() && above.is_finite()) || below < 0.0 || above < 0.0 {
            return None;
        }
        let (small, large) = (below.min(above), below.max(above));
        let tiny = large < 0.005;
        let symmetric = large <= 2.0 * small && self.factor - large > 1.0;
        (tiny || symmetric).then_some(large)
    }

    /// `1.98 ± 0.02`, or `2.98 [2.66, 3.30]` when the interval is lopsided.
    pub fn factor_text(&self) -> String {
        match self.plus_minus() {
            Some(e) => format!("{} ± {}", format_factor(self.factor), format_factor(e)),
            None => format!(
                "{} [{}, {}]",
                format_factor(self.factor),
                format_factor(self.factor_low),
                format_factor(self.factor_high)
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use perfwatch_model::{Reference, Severity, Verdict};

    fn comparison(ratio: f64, low: f64, high: f64) -> Comparison {
        Comparison {
            metric: "wall_s".into(),
            stage: None,
            baseline: "a".into(),
            candidate: "b".into(),
            baseline_median: 1.0,
            candidate_median: ratio,
            baseline_n: 10,
            candidate_n: 10,
            ratio,
            ci_low: low,
            ci_high: high,
            p_value: 0.0001,
            change_pct: (ratio - 1.0) * 100.0,
            severity: Severity::None,
            verdict: Verdict::Improved,
            note: None,
            confidence: 0.95,
            primary: true,
            reference: Reference::Variant,
        }
    }

    #[test]
    fn a_quicker_variant_is_faster_by_the_inverse_ratio() {
        let c = comparison(0.5, 0.49, 0.51);
        let r = Relation::of(&c);
        assert_eq!(r.direction, Direction::Lower);
        assert_eq!(r.factor, 2.0);
        assert_eq!(r.factor_text(), "2.00 ± 0.04");
        assert_eq!(r.direction.word("wall_s"), "faster");
        assert_eq!(r.direction.word("max_rss_bytes"), "lower");
    }

    #[test]
    fn a_slower_variant_keeps_the_ratio() {
        let c = comparison(1.5, 1.45, 1.56);
        let r = Relation::of(&c);
        assert_eq!(r.direction, Direction::Higher);
        assert_eq!(r.factor_text(), "1.50 ± 0.06");
    }

    #[test]
    fn lopsided_or_unbounded_intervals_are_written_out() {
        let c = comparison(2.0, 1.9, 2.6);
        assert_eq!(Relation::of(&c).factor_text(), "2.00 [1.90, 2.60]");
        let c = comparison(2.0, 1.5, f64::MAX);
        assert_eq!(Relation::of(&c).factor_text(), "2.00 [1.50, unbounded]");
        // A bootstrap interval that misses the point estimate.
        let c = comparison(2.0, 2.1, 2.2);
        assert_eq!(Relation::of(&c).factor_text(), "2.00 [2.10, 2.20]");
    }

    #[test]
    fn a_spread_reaching_no_difference_is_shown_as_an_interval() {
        // Seen in a scan: "1.75 ± 2.04 times faster" read as possibly
        // negative. The ratio 0.57 [0.26, 1.50] is 1.75 [0.67, 3.85] faster.
        let c = comparison(1.0 / 1.75, 0.26, 1.0 / 0.67);
        let text = Relation::of(&c).factor_text();
        assert!(text.starts_with("1.75 [0.67, "), "{text}");
    }

    #[test]
    fn equal_medians_read_as_faster_by_one() {
        let c = comparison(1.0, 0.998, 1.002);
        assert_eq!(Relation::of(&c).factor_text(), "1.00 ± 0.00");
    }
}
