//! The wall-time effects of an attribution as inline SVG: one horizontal
//! bar per term, the change in percent (a ratio of 1.38 is +38 %) from a
//! zero line, whiskers for its 95 % interval, terms that are not
//! significant muted.
//!
//! The axis holds zero and every estimate, and reaches at most twice the
//! largest estimate beyond it: an interval bound outside is drawn as an
//! arrow at the edge, so that one wide interval cannot squeeze every other
//! bar into a sliver (as the ratio plot does on its log scale).

use maud::{html, Markup};
use perfwatch_model::investigation::Term;
use perfwatch_report::investigation::{effect_pct, term_name, term_where};
use perfwatch_report::units::{format_change_pct, is_unbounded};

/// The drawing's width and the columns inside it, in CSS pixels.
const W: f64 = 960.0;
/// The setting names end here (right-aligned).
const LABEL_END: f64 = 230.0;
/// The plot area.
const PLOT_LEFT: f64 = 244.0;
const PLOT_RIGHT: f64 = 700.0;
/// The figures start here.
const VALUE_X: f64 = 716.0;
/// Height of a row, of a bar, and of the tick labels above the rows.
const ROW: f64 = 30.0;
const BAR: f64 = 14.0;
const TOP: f64 = 26.0;
/// The most characters of a setting's name shown (whole in its title).
const NAME_CHARS: usize = 30;
/// How far beyond the largest estimate the axis may reach, as a factor.
const REACH: f64 = 2.0;
/// Length of an arrow head.
const ARROW: f64 = 6.0;

/// A term's change and interval, in percent.
fn pct(ratio: f64) -> f64 {
    (ratio - 1.0) * 100.0
}

/// Whether a bound can be placed (not unbounded, not NaN).
fn placeable(v: f64) -> bool {
    v.is_finite() && !is_unbounded(v)
}

/// A linear percent axis shared by the bars of one chart.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct PctScale {
    pub(crate) lo: f64,
    pub(crate) hi: f64,
}

impl PctScale {
    /// Zero, every estimate, and the bounds within [`REACH`] of the
    /// largest estimate, padded by 6 %.
    pub(crate) fn fit(terms: &[Term]) -> PctScale {
        let estimates = terms
            .iter()
            .map(|t| pct(t.estimate))
            .filter(|v| placeable(*v));
        let (e_lo, e_hi) = estimates.fold((0.0f64, 0.0f64), |(l, h), v| (l.min(v), h.max(v)));
        let reach = e_lo.abs().max(e_hi.abs()).max(1.0) * REACH;
        let (mut lo, mut hi) = (e_lo, e_hi);
        for v in terms.iter().flat_map(|t| [pct(t.ci_low), pct(t.ci_high)]) {
            if placeable(v) {
                lo = lo.min(v.max(-reach));
                hi = hi.max(v.min(reach));
            }
        }
        let pad = ((hi - lo) * 0.06).max(0.5);
        PctScale {
            lo: lo - pad,
            hi: hi + pad,
        }
    }

    /// Position of `v` percent, clamped to the plot area.
    pub(crate) fn x(self, v: f64) -> f64 {
        let v = if v.is_nan() { 0.0 } else { v };
        let t = ((v - self.lo) / (self.hi - self.lo)).clamp(0.0, 1.0);
        ((PLOT_LEFT + t * (PLOT_RIGHT - PLOT_LEFT)) * 10.0).round() / 10.0
    }

    /// Whether `v` lies on the axis.
    fn holds(self, v: f64) -> bool {
        placeable(v) && v >= self.lo && v <= self.hi
    }

    /// Round tick values: steps of 1, 2 or 5 times a power of ten, about
    /// five of them.
    fn ticks(self) -> Vec<f64> {
        let raw = (self.hi - self.lo) / 5.0;
        let magnitude = 10f64.powf(raw.log10().floor());
        let step = [1.0, 2.0, 5.0, 10.0]
            .into_iter()
            .map(|m| m * magnitude)
            .find(|s| *s >= raw)
            .unwrap_or(10.0 * magnitude);
        let first = (self.lo / step).ceil() as i64;
        let last = (self.hi / step).floor() as i64;
        (first..=last).map(|k| k as f64 * step).collect()
    }
}

/// A tick's label: `+20%`, `0%`, `-10%`; finer steps as the units print.
fn tick_label(v: f64) -> String {
    if v.abs() < 1e-9 {
        "0%".to_string()
    } else if (v - v.round()).abs() < 1e-9 {
        format!("{:+}%", v.round() as i64)
    } else {
        format_change_pct(v)
    }
}

/// A name cut to [`NAME_CHARS`] characters with `…`.
fn short_name(name: &str) -> String {
    if name.chars().count() <= NAME_CHARS {
        return name.to_string();
    }
    let kept: String = name.chars().take(NAME_CHARS - 1).collect();
    format!("{kept}…")
}

/// The chart of `terms`, in their order; `None` without terms.
pub(crate) fn effect_bars(terms: &[Term]) -> Option<Markup> {
    if terms.is_empty() {
        return None;
    }
    let scale = PctScale::fit(terms);
    let height = TOP + ROW * terms.len() as f64 + 8.0;
    let zero = scale.x(0.0);
    let label = format!(
        "{} effects on wall time with their 95% intervals",
        terms.len()
    );
    Some(html! {
        svg.effect-bars viewBox=(format!("0 0 {W} {height}")) role="img" aria-label=(label) {
            @for v in scale.ticks() {
                line.grid x1=(scale.x(v)) y1=(TOP - 6.0) x2=(scale.x(v)) y2=(height - 4.0) {}
                text.tick x=(scale.x(v)) y=(TOP - 10.0) text-anchor="middle" { (tick_label(v)) }
            }
            line.zero x1=(zero) y1=(TOP - 6.0) x2=(zero) y2=(height - 4.0) {}
            @for (i, t) in terms.iter().enumerate() {
                (bar_row(t, TOP + ROW * i as f64 + ROW / 2.0, scale))
            }
        }
    })
}

fn bar_row(t: &Term, mid: f64, scale: PctScale) -> Markup {
    let name = term_name(t);
    let est = pct(t.estimate);
    let (lo, hi) = (pct(t.ci_low), pct(t.ci_high));
    let (x0, x1) = (scale.x(0.0), scale.x(est));
    let direction = if est > 0.0 { "up" } else { "down" };
    let muted = if t.significant { "" } else { " muted" };
    let defined = !(lo.is_nan() || hi.is_nan());
    let (xl, xh) = (scale.x(lo), scale.x(hi));
    let where_ = term_where(t);
    html! {
        g class=(format!("bar-row{muted}")) {
            title {
                (name) ": " (effect_pct(t))
                @if !where_.is_empty() { ", " (where_) }
            }
            text.name x=(LABEL_END) y=(mid + 4.0) text-anchor="end" { (short_name(&name)) }
            rect class=(format!("bar {direction}{muted}")) x=(x0.min(x1)) y=(mid - BAR / 2.0)
                width=(((x1 - x0).abs()).max(1.0)) height=(BAR) {}
            @if defined {
                line.whisker x1=(xl) y1=(mid) x2=(xh) y2=(mid) {}
                @if scale.holds(lo) {
                    line.whisker x1=(xl) y1=(mid - 5.0) x2=(xl) y2=(mid + 5.0) {}
                } @else {
                    polygon.arrow points=(arrow(xl, mid, -1.0)) {}
                }
                @if scale.holds(hi) {
                    line.whisker x1=(xh) y1=(mid - 5.0) x2=(xh) y2=(mid + 5.0) {}
                } @else {
                    polygon.arrow points=(arrow(xh, mid, 1.0)) {}
                }
            }
            text.value x=(VALUE_X) y=(mid + 4.0) { (effect_pct(t)) }
        }
    }
}

/// An arrow head with its tip at (`x`, `y`), pointing left (−1) or right.
fn arrow(x: f64, y: f64, dir: f64) -> String {
    let base = x - dir * ARROW;
    format!("{x},{y} {base},{} {base},{}", y - 4.0, y + 4.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn term(estimate: f64, lo: f64, hi: f64) -> Term {
        perfwatch_testkit::investigation::wall_term(&["A"], estimate, lo, hi, true)
    }

    #[test]
    fn the_axis_holds_zero_and_every_estimate() {
        let s = PctScale::fit(&[term(1.38, 1.34, 1.42), term(0.9, 0.85, 0.95)]);
        assert!(s.lo < -15.0 && s.hi > 42.0, "{s:?}");
        assert!(s.x(0.0) > PLOT_LEFT && s.x(0.0) < PLOT_RIGHT);
        assert!(s.ticks().contains(&0.0), "{:?}", s.ticks());
        assert_eq!(tick_label(20.0), "+20%");
        assert_eq!(tick_label(-10.0), "-10%");
    }

    #[test]
    fn a_wide_interval_ends_in_an_arrow_instead_of_stretching_the_axis() {
        let terms = [term(1.1, 1.05, 1.15), term(1.01, 0.2, f64::MAX)];
        let s = PctScale::fit(&terms);
        assert!(s.hi < 25.0 && s.lo > -25.0, "{s:?}");
        let bars = effect_bars(&terms).unwrap().into_string();
        assert_eq!(bars.matches("class=\"arrow\"").count(), 2, "{bars}");
    }
}
