//! The ratio plot of the comparison view: each ratio of medians with its
//! confidence interval as an error bar on a log scale shared by one table.
//!
//! The axis is fitted to the ratios and to the bounds that are finite and
//! positive, and reaches at most ten times beyond the ratios: a bound
//! outside it — an unbounded one (stored as `f64::MAX`), a zero, or a very
//! wide one — is drawn as an arrow at the edge instead of squeezing every
//! other bar into a dot.

use maud::{html, Markup};
use perfwatch_model::Comparison;
use perfwatch_report::units::{format_ratio, format_ratio_ci, is_unbounded};

/// Width of an error bar in CSS pixels.
pub(crate) const BAR_W: f64 = 160.0;
/// Height of an error bar in CSS pixels.
const BAR_H: f64 = 18.0;
/// How far beyond the ratios (and 1) the axis may reach, as a factor.
const REACH: f64 = 10.0;
/// Length of an arrow head in CSS pixels.
const ARROW: f64 = 6.0;

/// A log scale shared by every error bar of one table.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct LogScale {
    pub(crate) lo: f64,
    pub(crate) hi: f64,
}

/// Whether `v` can be placed on a log axis.
fn placeable(v: f64) -> bool {
    v.is_finite() && v > 0.0 && !is_unbounded(v)
}

impl LogScale {
    /// The smallest range holding 1, every placeable ratio and every
    /// placeable bound within [`REACH`] of the ratios, padded by 8 % on
    /// each side.
    pub(crate) fn fit(cs: &[&Comparison]) -> LogScale {
        let points = cs.iter().map(|c| c.ratio).filter(|v| placeable(*v));
        let (p_lo, p_hi) = points.fold((1.0f64, 1.0f64), |(l, h), v| (l.min(v), h.max(v)));
        let (floor, ceiling) = (p_lo / REACH, p_hi * REACH);
        let (mut lo, mut hi) = (p_lo, p_hi);
        for v in cs.iter().flat_map(|c| [c.ci_low, c.ci_high]) {
            if placeable(v) {
                lo = lo.min(v.max(floor));
                hi = hi.max(v.min(ceiling));
            }
        }
        let (l, h) = (lo.ln(), hi.ln());
        let pad = ((h - l) * 0.08).max(0.05);
        LogScale {
            lo: (l - pad).exp(),
            hi: (h + pad).exp(),
        }
    }

    /// Whether `v` lies on the axis (not beyond it, not unbounded, not 0).
    pub(crate) fn holds(self, v: f64) -> bool {
        placeable(v) && v >= self.lo && v <= self.hi
    }

    /// Position of `v` in 0..=BAR_W; values outside or not positive are
    /// clamped to the edges.
    pub(crate) fn x(self, v: f64) -> f64 {
        if !placeable(v) {
            return if v.is_nan() || v <= 0.0 { 0.0 } else { BAR_W };
        }
        let t = (v.ln() - self.lo.ln()) / (self.hi.ln() - self.lo.ln());
        (t.clamp(0.0, 1.0) * BAR_W * 10.0).round() / 10.0
    }
}

/// The error bar of `c`: a whisker from bound to bound with a cap where
/// the bound lies on the axis and an arrow where it lies beyond (or is
/// unbounded), the ratio as a dot, the reference line at 1×; coloured by
/// verdict and severity for a primary comparison, muted for a secondary
/// one.
pub(crate) fn error_bar(c: &Comparison, scale: LogScale) -> Markup {
    let one = scale.x(1.0);
    let mid = BAR_H / 2.0;
    let defined = !(c.ci_low.is_nan() || c.ci_high.is_nan());
    let (l, h) = (scale.x(c.ci_low), scale.x(c.ci_high));
    let label = format!(
        "ratio {}, interval {}",
        format_ratio(c.ratio),
        format_ratio_ci(c.ci_low, c.ci_high)
    );
    // Secondary metrics are not judged: no verdict colours.
    let class = if c.primary {
        format!(
            "errbar sev-{} verdict-{}",
            c.severity.key(),
            c.verdict.key()
        )
    } else {
        "errbar info".to_string()
    };
    html! {
        svg class=(class)
            width=(BAR_W) height=(BAR_H) viewBox=(format!("0 0 {BAR_W} {BAR_H}"))
            role="img" aria-label=(label) {
            line.ref x1=(one) y1="0" x2=(one) y2=(BAR_H) {}
            @if defined {
                line.whisker x1=(l) y1=(mid) x2=(h) y2=(mid) {}
                @if scale.holds(c.ci_low) {
                    line.whisker x1=(l) y1=(mid - 4.0) x2=(l) y2=(mid + 4.0) {}
                } @else {
                    polygon.arrow data-side="low" points=(arrow(l, mid, -1.0)) {}
                }
                @if scale.holds(c.ci_high) {
                    line.whisker x1=(h) y1=(mid - 4.0) x2=(h) y2=(mid + 4.0) {}
                } @else {
                    polygon.arrow data-side="high" points=(arrow(h, mid, 1.0)) {}
                }
            }
            @if !c.ratio.is_nan() {
                circle.dot cx=(scale.x(c.ratio)) cy=(mid) r="4" {}
            }
        }
    }
}

/// An arrow head with its tip at (`x`, `y`), pointing left (`dir` −1) or
/// right (+1), kept inside the bar.
fn arrow(x: f64, y: f64, dir: f64) -> String {
    let tip = if dir < 0.0 { x.max(0.0) } else { x.min(BAR_W) };
    let base = tip - dir * ARROW;
    format!("{tip},{y} {base},{} {base},{}", y - 4.0, y + 4.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use perfwatch_model::{Reference, Severity, Verdict};

    pub(crate) fn cmp(ratio: f64, lo: f64, hi: f64) -> Comparison {
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
            ci_low: lo,
            ci_high: hi,
            p_value: 0.01,
            change_pct: (ratio - 1.0) * 100.0,
            severity: Severity::Low,
            verdict: Verdict::Regressed,
            note: None,
            confidence: 0.95,
            primary: true,
            reference: Reference::Variant,
        }
    }

    #[test]
    fn scale_holds_one_and_every_bound() {
        let (a, b) = (cmp(1.5, 1.2, 2.0), cmp(0.8, 0.7, 0.9));
        let s = LogScale::fit(&[&a, &b]);
        assert!(s.lo < 0.7 && s.hi > 2.0);
        assert!(s.x(1.0) > 0.0 && s.x(1.0) < BAR_W);
        assert!(s.x(0.7) < s.x(1.0) && s.x(1.0) < s.x(2.0));
    }

    #[test]
    fn unbounded_and_zero_bounds_do_not_stretch_the_axis() {
        let (a, b) = (cmp(0.985, 0.0, f64::MAX), cmp(0.56, 0.55, 0.59));
        let s = LogScale::fit(&[&a, &b]);
        assert!(s.hi < 2.0 && s.lo > 0.4, "{s:?}");
        // The bounded bar keeps a readable length.
        assert!(s.x(0.59) - s.x(0.55) > 5.0);
        assert!(!s.holds(f64::MAX) && !s.holds(0.0));
        let bar = error_bar(&a, s).into_string();
        assert_eq!(bar.matches("class=\"arrow\"").count(), 2, "{bar}");
        assert!(bar.contains("unbounded"), "{bar}");
        let bar = error_bar(&b, s).into_string();
        assert!(!bar.contains("arrow"), "{bar}");
    }

    #[test]
    fn very_wide_bounds_are_clipped_to_ten_times_the_ratios() {
        let a = cmp(2.7, 0.188, 9.833);
        let s = LogScale::fit(&[&a]);
        assert!(s.lo >= 0.1 * 0.9 && s.hi <= 27.0 * 1.3, "{s:?}");
        let (b, c) = (cmp(1.0, 1e-9, 1e12), cmp(1.2, 1.1, 1.3));
        let s = LogScale::fit(&[&b, &c]);
        assert!(s.lo > 0.05 && s.hi < 20.0, "{s:?}");
        assert!(error_bar(&b, s).into_string().contains("arrow"));
    }

    #[test]
    fn scale_survives_bad_numbers() {
        let a = cmp(f64::NAN, -1.0, f64::INFINITY);
        let s = LogScale::fit(&[&a]);
        assert!(s.lo < 1.0 && s.hi > 1.0);
        assert_eq!(s.x(f64::NAN), 0.0);
        assert_eq!(s.x(-2.0), 0.0);
        assert_eq!(s.x(f64::INFINITY), BAR_W);
        assert_eq!(s.x(1e9), BAR_W);
        let undefined = cmp(1.0, f64::NAN, f64::NAN);
        assert!(!error_bar(&undefined, s).into_string().contains("whisker"));
    }
}
