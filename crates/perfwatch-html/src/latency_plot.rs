//! The latency percentiles of every service variant as one small inline
//! SVG: p50, p90, p99, p99.9 and the maximum from left to right, latency
//! on a log scale, a line per variant. Drawn on the server, so that it
//! needs no script and shows in a page saved without one.

use maud::{html, Markup};
use perfwatch_model::service::Percentiles;
use perfwatch_report::service::ServiceTable;
use perfwatch_report::units::{format_duration, format_tick};

/// Width and height of the plot in CSS pixels.
const W: f64 = 520.0;
const H: f64 = 190.0;
/// Room for the axis labels: left and bottom.
const LEFT: f64 = 64.0;
const BOTTOM: f64 = 26.0;
/// Room above the top and right of the last point.
const TOP: f64 = 10.0;
const RIGHT: f64 = 24.0;
/// Colours of the series in the page's palette (`--c1` … `--c8`).
const SERIES: usize = 8;

/// The points from left to right.
const POINTS: [&str; 5] = ["p50", "p90", "p99", "p99.9", "max"];

fn values(p: &Percentiles) -> [f64; 5] {
    [p.p50, p.p90, p.p99, p.p999, p.max]
}

/// The plot of `table`'s variants that have latencies; nothing when none
/// has (no load, or nothing completed).
pub(crate) fn latency_plot(table: &ServiceTable<'_>) -> Markup {
    let series: Vec<(&str, [f64; 5])> = table
        .rows
        .iter()
        .filter_map(|r| Some((r.variant.name.as_str(), values(&r.service.latency_s?))))
        .filter(|(_, v)| v.iter().all(|x| x.is_finite() && *x > 0.0))
        .collect();
    if series.is_empty() {
        return html! {};
    }
    let all = series.iter().flat_map(|(_, v)| v.iter().copied());
    let (lo, hi) = all.fold((f64::INFINITY, 0.0f64), |(l, h), v| (l.min(v), h.max(v)));
    // Whole decades around the figures, so that every tick is a power of ten.
    let (d_lo, d_hi) = (
        lo.log10().floor(),
        hi.log10().ceil().max(lo.log10().floor() + 1.0),
    );
    let y = |v: f64| TOP + (d_hi - v.log10()) / (d_hi - d_lo) * (H - TOP - BOTTOM);
    let step = (W - LEFT - RIGHT) / (POINTS.len() - 1) as f64;
    let x = |i: usize| LEFT + i as f64 * step;
    let decades: Vec<f64> = (d_lo as i32..=d_hi as i32).map(|d| 10f64.powi(d)).collect();
    html! {
        figure.latency-plot {
            svg viewBox=(format!("0 0 {W} {H}")) width=(W) height=(H) role="img" aria-label="Latency percentiles per variant, log scale" {
                @for d in &decades {
                    line.grid x1=(LEFT) x2=(W - RIGHT) y1=(y(*d)) y2=(y(*d)) {}
                    text.tick x=(LEFT - 6.0) y=(y(*d) + 4.0) text-anchor="end" { (format_tick(perfwatch_model::metric::Unit::Seconds, *d)) }
                }
                @for (i, name) in POINTS.iter().enumerate() {
                    text.tick x=(x(i)) y=(H - 8.0) text-anchor="middle" { (name) }
                }
                @for (k, (name, v)) in series.iter().enumerate() {
                    @let class = format!("series series-{}", k % SERIES + 1);
                    g class=(class) {
                        polyline points=(v.iter().enumerate().map(|(i, v)| format!("{:.1},{:.1}", x(i), y(*v))).collect::<Vec<_>>().join(" ")) {}
                        @for (i, v) in v.iter().enumerate() {
                            circle cx=(format!("{:.1}", x(i))) cy=(format!("{:.1}", y(*v))) r="3" {
                                title { (name) " · " (POINTS[i]) " " (format_duration(*v)) }
                            }
                        }
                    }
                }
            }
            figcaption.legend {
                @for (k, (name, _)) in series.iter().enumerate() {
                    span class=(format!("swatch series-{}", k % SERIES + 1)) {}
                    " " (name) " "
                }
            }
        }
    }
}
