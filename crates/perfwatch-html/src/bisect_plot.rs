//! The steps of a bisection on a commit axis, as inline SVG: x is the
//! commit's position in the range (the good endpoint left, the bad one
//! right), y the metric's median over the commit's runs; each measured
//! commit is one point, shaped and coloured by its verdict, with a
//! `<title>` that names it. Reference lines mark the endpoints' medians
//! and a vertical line the first bad commit.

use crate::labels::short_commit;
use maud::{html, Markup};
use perfwatch_model::investigation::{BisectReport, StepVerdict};
use perfwatch_model::metric::Unit;
use perfwatch_report::investigation::metric_unit;
use perfwatch_report::printable::printable;
use perfwatch_report::units::{format_opt, format_tick, format_value};

/// The drawing's size and margins, in CSS pixels.
const W: f64 = 960.0;
const H: f64 = 340.0;
const LEFT: f64 = 72.0;
const RIGHT: f64 = 120.0;
const TOP: f64 = 34.0;
const BOTTOM: f64 = 58.0;
/// Half the size of a point's mark.
const R: f64 = 6.0;
/// Horizontal grid lines (and y labels).
const Y_TICKS: usize = 4;
/// The most position labels on the x axis.
const X_LABELS: usize = 12;
/// The least vertical room between the two reference lines' labels.
const LABEL_GAP: f64 = 14.0;

/// Where each figure goes.
struct Frame {
    /// Commits in the range.
    len: usize,
    /// The y axis' range.
    lo: f64,
    hi: f64,
}

impl Frame {
    fn new(r: &BisectReport) -> Frame {
        let values: Vec<f64> = [r.good_median, r.bad_median]
            .into_iter()
            .chain(r.steps.iter().map(|s| s.median))
            .flatten()
            .filter(|v| v.is_finite())
            .collect();
        let lo = values.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let (lo, hi) = if values.is_empty() {
            (0.0, 1.0)
        } else {
            (lo, hi)
        };
        let pad = if hi > lo {
            (hi - lo) * 0.15
        } else {
            (hi.abs() * 0.05).max(1e-9)
        };
        Frame {
            len: r.commits.len(),
            lo: lo - pad,
            hi: hi + pad,
        }
    }

    fn x(&self, position: usize) -> f64 {
        let width = W - LEFT - RIGHT;
        let x = if self.len <= 1 {
            LEFT + width / 2.0
        } else {
            LEFT + position.min(self.len - 1) as f64 / (self.len - 1) as f64 * width
        };
        round(x)
    }

    fn y(&self, v: f64) -> f64 {
        let t = ((v - self.lo) / (self.hi - self.lo)).clamp(0.0, 1.0);
        round(TOP + (1.0 - t) * (H - TOP - BOTTOM))
    }

    /// The x axis' height: where commits without a median are drawn.
    fn axis(&self) -> f64 {
        H - BOTTOM
    }
}

fn round(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

/// The plot; `None` for a range without commits.
pub(crate) fn commit_axis_plot(r: &BisectReport) -> Option<Markup> {
    if r.commits.is_empty() {
        return None;
    }
    let f = Frame::new(r);
    let unit = metric_unit(&r.metric);
    let label = format!(
        "{} steps of the bisection on a commit axis, {} commits",
        r.steps.len(),
        r.commits.len()
    );
    Some(html! {
        svg.bisect-plot viewBox=(format!("0 0 {W} {H}")) role="img" aria-label=(label) {
            (grid(&f, unit))
            (x_axis(r, &f))
            (references(r, &f, unit))
            (first_bad(r, &f))
            (endpoints(r, &f, unit))
            @for (i, step) in r.steps.iter().enumerate() {
                (step_point(i, step, &f, unit))
            }
        }
    })
}

fn grid(f: &Frame, unit: Unit) -> Markup {
    html! {
        @for k in 0..=Y_TICKS {
            @let v = f.lo + (f.hi - f.lo) * k as f64 / Y_TICKS as f64;
            @let y = f.y(v);
            line.grid x1=(LEFT) y1=(y) x2=(W - RIGHT) y2=(y) {}
            text.tick x=(LEFT - 8.0) y=(y + 4.0) text-anchor="end" { (format_tick(unit, v)) }
        }
    }
}

/// The axis line, position labels and which end is which.
fn x_axis(r: &BisectReport, f: &Frame) -> Markup {
    let last = f.len - 1;
    let every = f.len.div_ceil(X_LABELS).max(1);
    let y = f.axis();
    let (good, bad) = (&r.commits[0], &r.commits[last]);
    html! {
        line.axis x1=(LEFT) y1=(y) x2=(W - RIGHT) y2=(y) {}
        // Every `every`-th position, and the last, unless one falls too close to it.
        @for p in (0..f.len).filter(|p| *p == last || (p % every == 0 && 2 * (last - p) >= every.max(2))) {
            line.axis x1=(f.x(p)) y1=(y) x2=(f.x(p)) y2=(y + 4.0) {}
            text.tick x=(f.x(p)) y=(y + 17.0) text-anchor="middle" { (p) }
        }
        text.end-label x=(f.x(0)) y=(y + 36.0) text-anchor="start" {
            "good " (short_commit(&good.id))
        }
        text.end-label x=(f.x(last)) y=(y + 36.0) text-anchor="end" {
            "bad " (short_commit(&bad.id))
        }
        text.axis-title x=(f.x(0) + (f.x(last) - f.x(0)) / 2.0) y=(y + 36.0) text-anchor="middle" {
            "commit position"
        }
    }
}

/// Dashed lines at the good and bad medians, labelled on the right; the
/// labels are moved apart when the lines are close.
fn references(r: &BisectReport, f: &Frame, unit: Unit) -> Markup {
    let lines: Vec<(&str, f64)> = [("good", r.good_median), ("bad", r.bad_median)]
        .into_iter()
        .filter_map(|(name, v)| v.filter(|v| v.is_finite()).map(|v| (name, v)))
        .collect();
    let mut label_y: Vec<f64> = lines.iter().map(|(_, v)| f.y(*v) + 4.0).collect();
    if let [a, b] = label_y.as_mut_slice() {
        let gap = (*a - *b).abs();
        if gap < LABEL_GAP {
            let shift = (LABEL_GAP - gap) / 2.0;
            let up = if *a <= *b { -shift } else { shift };
            *a += up;
            *b -= up;
        }
    }
    html! {
        @for ((name, v), ly) in lines.iter().zip(&label_y) {
            line class=(format!("ref ref-{name}")) x1=(LEFT) y1=(f.y(*v)) x2=(W - RIGHT) y2=(f.y(*v)) {}
            // Clear of the ringed endpoint at the line's end.
            text class=(format!("ref-label ref-{name}")) x=(W - RIGHT + R + 10.0) y=(*ly) {
                (name) " " (format_value(unit, *v))
            }
        }
    }
}

/// A vertical line at the first bad commit, labelled above the plot.
fn first_bad(r: &BisectReport, f: &Frame) -> Markup {
    let Some(c) = &r.first_bad else {
        return html! {};
    };
    let Some(p) = r.commits.iter().position(|k| k.id == c.id) else {
        return html! {};
    };
    let x = f.x(p);
    // Near the right edge the label ends at the line instead of starting.
    let anchor = if x > W - RIGHT - 120.0 {
        "end"
    } else {
        "start"
    };
    let dx = if anchor == "end" { -6.0 } else { 6.0 };
    html! {
        line.first-bad x1=(x) y1=(TOP - 10.0) x2=(x) y2=(f.axis()) {}
        text.first-bad-label x=(x + dx) y=(TOP - 14.0) text-anchor=(anchor) {
            "first bad: " (short_commit(&c.id))
        }
    }
}

/// The endpoints: ringed points at their medians.
fn endpoints(r: &BisectReport, f: &Frame, unit: Unit) -> Markup {
    let last = f.len - 1;
    let ends = [("good", 0, r.good_median), ("bad", last, r.bad_median)];
    html! {
        @for (verdict, p, median) in ends {
            @if let Some(m) = median.filter(|m| m.is_finite()) {
                @let c = &r.commits[p];
                g class=(format!("point endpoint verdict-{verdict}")) data-position=(p) {
                    title {
                        (verdict) " endpoint · " (short_commit(&c.id)) " · " (printable(&c.subject))
                        " · median " (format_value(unit, m))
                    }
                    circle.mark cx=(f.x(p)) cy=(f.y(m)) r=(R + 1.0) {}
                }
            }
        }
    }
}

/// One step: good a circle, bad a square, ambiguous a diamond, skipped
/// (or without a median) a cross on the axis; its number above.
fn step_point(
    i: usize,
    s: &perfwatch_model::investigation::BisectStep,
    f: &Frame,
    unit: Unit,
) -> Markup {
    let x = f.x(s.position);
    let median = s.median.filter(|m| m.is_finite());
    let y = match (s.verdict, median) {
        (StepVerdict::Skipped, _) | (_, None) => f.axis(),
        (_, Some(m)) => f.y(m),
    };
    let verdict = s.verdict.label();
    let runs = format!("{} run{}", s.runs, if s.runs == 1 { "" } else { "s" });
    html! {
        g class=(format!("point step verdict-{verdict}")) data-step=(i + 1) data-position=(s.position) {
            title {
                "step " (i + 1) " · " (short_commit(&s.commit.id)) " · " (printable(&s.commit.subject))
                " · " (runs) " · median " (format_opt(unit, median)) " · " (verdict)
                @if let Some(reason) = &s.reason { " (" (printable(reason)) ")" }
            }
            @match (s.verdict, median) {
                (StepVerdict::Skipped, _) | (_, None) => {
                    path.mark d=(format!("M{} {}L{} {}M{} {}L{} {}", x - R, y - R, x + R, y + R, x - R, y + R, x + R, y - R)) {}
                }
                (StepVerdict::Bad, _) => {
                    rect.mark x=(x - R) y=(y - R) width=(2.0 * R) height=(2.0 * R) {}
                }
                (StepVerdict::Ambiguous, _) => {
                    polygon.mark points=(format!("{x},{} {},{y} {x},{} {},{y}", y - R - 1.5, x + R + 1.5, y + R + 1.5, x - R - 1.5)) {}
                }
                (StepVerdict::Good, _) => {
                    circle.mark cx=(x) cy=(y) r=(R) {}
                }
            }
            text.step-number x=(x) y=(y - R - 5.0) text-anchor="middle" { (i + 1) }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_axis_runs_from_the_good_end_to_the_bad_end() {
        let f = Frame {
            len: 5,
            lo: 1.0,
            hi: 2.0,
        };
        assert_eq!(f.x(0), LEFT);
        assert_eq!(f.x(4), W - RIGHT);
        assert!(f.y(2.0) < f.y(1.0), "larger medians are higher");
        assert_eq!(f.y(1.0), f.axis());
        let one = Frame {
            len: 1,
            lo: 0.0,
            hi: 1.0,
        };
        assert!(one.x(0).is_finite());
    }
}
