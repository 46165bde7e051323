//! `saturation_knee`: across a load scan, throughput stops rising while
//! latency climbs ("throughput flat beyond 4 concurrent; p99 ×10") — the
//! service's capacity, and the sign of something that serialises it.
//!
//! The variants of a scan over `concurrency` or `rate` (the parameter's
//! values parsed as numbers; the scan's other parameters, if any, held
//! equal) are ordered by the value, each with its median `throughput_rps`
//! and `latency_p99_s` over its counted runs; at least 3 are needed. The
//! **knee** is the smallest value after which throughput rises less than
//! `knee_flat_gain` (10 %) at every larger value; the rule fires when the
//! p99 latency at the largest value is at least `knee_p99_factor` (3×) the
//! p99 at the knee. A flat throughput alone is no finding (the load may be
//! light everywhere), nor a rising latency alone (the service may still
//! be scaling).
//!
//! The finding is the knee variant's, told once per scan. It states a
//! capacity, not a saving per run: `impact_s` is 0.

use super::super::context::VariantData;
use super::super::format::{number, secs};
use super::super::{finding, FindingOptions, RuleKind};
use super::median_metric;
use perfwatch_model::{Finding, Metric};

/// The scanned parameters whose values are load levels.
const LOAD_PARAMETERS: [&str; 2] = ["concurrency", "rate"];

/// Fewest variants in a scan.
const MIN_VARIANTS: usize = 3;

/// One variant of a scan.
#[derive(Debug, Clone, Copy)]
struct Point<'a> {
    variant: usize,
    value: f64,
    label: &'a str,
    throughput: f64,
    p99: f64,
}

pub(crate) fn find(all: &[VariantData], me: usize, opts: &FindingOptions) -> Vec<Finding> {
    LOAD_PARAMETERS
        .iter()
        .filter_map(|p| knee(all, me, p, opts))
        .collect()
}

/// The scan over `param` that variant `me` belongs to, ordered by value;
/// `None` when it is not in one of at least [`MIN_VARIANTS`] measured
/// variants.
fn scan<'a>(all: &'a [VariantData], me: usize, param: &str) -> Option<Vec<Point<'a>>> {
    let others = |ps: &'a [(String, String)]| ps.iter().filter(move |(k, _)| k != param);
    let mine: Vec<_> = others(all[me].parameters).collect();
    all[me].parameters.iter().find(|(k, _)| k == param)?;
    let mut points: Vec<Point> = all
        .iter()
        .enumerate()
        .filter(|(_, w)| others(w.parameters).eq(mine.iter().copied()))
        .filter_map(|(i, w)| {
            let (_, label) = w.parameters.iter().find(|(k, _)| k == param)?;
            let value: f64 = label.trim().parse().ok().filter(|x: &f64| x.is_finite())?;
            Some(Point {
                variant: i,
                value,
                label,
                throughput: median_metric(w, Metric::ThroughputRps)?,
                p99: median_metric(w, Metric::LatencyP99S)?,
            })
        })
        .collect();
    points.sort_by(|a, b| a.value.total_cmp(&b.value).then(a.variant.cmp(&b.variant)));
    points.dedup_by(|b, a| a.value == b.value);
    (points.len() >= MIN_VARIANTS).then_some(points)
}

fn knee(all: &[VariantData], me: usize, param: &str, opts: &FindingOptions) -> Option<Finding> {
    let o = &opts.service;
    let points = scan(all, me, param)?;
    let k = (0..points.len() - 1).find(|&k| {
        let base = points[k].throughput;
        let best_after = points[k + 1..]
            .iter()
            .map(|p| p.throughput)
            .fold(f64::NEG_INFINITY, f64::max);
        base > 0.0 && best_after < base * (1.0 + o.knee_flat_gain)
    })?;
    let (at, top) = (points[k], points[points.len() - 1]);
    if at.variant != me || at.p99 <= 0.0 || top.p99 < o.knee_p99_factor * at.p99 {
        return None;
    }
    let factor = top.p99 / at.p99;
    let gain = top.throughput / at.throughput - 1.0;
    let unit = |label: &str| match param {
        "concurrency" => format!("{label} concurrent"),
        _ => format!("{label} req/s offered"),
    };
    let mut f = finding(RuleKind::SaturationKnee, &all[me], None);
    f.title = format!(
        "Throughput flat beyond {} (≈{} req/s); p99 ×{} at {}",
        unit(at.label),
        number(at.throughput),
        number(factor),
        top.label
    );
    let e = &mut f.evidence;
    e.insert("knee_value".into(), at.value);
    e.insert("knee_throughput_rps".into(), at.throughput);
    e.insert("knee_p99_s".into(), at.p99);
    e.insert("max_value".into(), top.value);
    e.insert("max_throughput_rps".into(), top.throughput);
    e.insert("max_p99_s".into(), top.p99);
    e.insert("throughput_gain".into(), gain);
    e.insert("p99_factor".into(), factor);
    e.insert("scan_variants".into(), points.len() as f64);
    let beyond = points.len() - 1 - k;
    f.confidence = if beyond >= 2 { 0.8 } else { 0.6 };
    let limit = match param {
        "concurrency" => format!("lets about {} requests through at a time", at.label),
        _ => format!("caps it near {} req/s", number(at.throughput)),
    };
    f.recommendation = format!(
        "Beyond {} the service serves no more ({} → {} req/s at {}) while requests queue: \
         the p99 rises from {} to {}. Something {limit} — a blocking handler on a fixed \
         number of workers, a connection pool or a lock of that size. Size the pool or the \
         workers to the load, or make the handler asynchronous so that a waiting request \
         does not hold a worker. This is the service's capacity, not a cost per run.",
        unit(at.label),
        number(at.throughput),
        number(top.throughput),
        top.label,
        secs(at.p99),
        secs(top.p99)
    );
    f.effort = Some("medium".into());
    Some(f)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::findings::testkit::{apply_rule_to_all, load, run, scan, variant};
    use perfwatch_model::{SessionExport, VariantExport};

    /// A variant of four runs with the given throughput and p99.
    fn level(name: &str, rps: f64, p99: f64) -> VariantExport {
        let its = (0..4)
            .map(|i| {
                let mut r = run(i).service(0.2, 0.05, Some(load(rps, p99 / 3.0, p99)));
                r.advance(2.0, true);
                r.finish()
            })
            .collect();
        variant(name, its)
    }

    /// A scan over `param`: `(value, throughput, p99)` per variant.
    fn sweep(param: &str, levels: &[(&'static str, f64, f64)]) -> SessionExport {
        scan(
            param,
            levels
                .iter()
                .map(|&(v, rps, p99)| (v, level(&format!("{param}={v}"), rps, p99)))
                .collect(),
        )
    }

    fn rule(s: &SessionExport) -> Vec<Finding> {
        apply_rule_to_all(find, s, &FindingOptions::default())
    }

    #[test]
    fn a_pool_of_four_flattens_throughput_beyond_four_concurrent() {
        let s = sweep(
            "concurrency",
            &[
                ("1", 100.0, 0.012),
                ("2", 198.0, 0.012),
                ("4", 390.0, 0.013),
                ("8", 400.0, 0.030),
                ("16", 405.0, 0.060),
                ("32", 402.0, 0.130),
            ],
        );
        let fs = rule(&s);
        assert_eq!(fs.len(), 1, "{fs:#?}");
        let f = &fs[0];
        assert_eq!(f.variant.as_deref(), Some("concurrency=4"));
        assert!(
            f.title
                .starts_with("Throughput flat beyond 4 concurrent (≈390 req/s); p99 ×10 at 32"),
            "{}",
            f.title
        );
        assert_eq!(f.evidence["knee_value"], 4.0);
        assert_eq!(f.evidence["max_value"], 32.0);
        assert!((f.evidence["p99_factor"] - 10.0).abs() < 1e-9);
        assert_eq!(f.impact_s, 0.0);
        assert!(f
            .recommendation
            .contains("about 4 requests through at a time"));
    }

    #[test]
    fn values_are_ordered_as_numbers_and_rate_scans_count_too() {
        // Given out of order; "100" < "1000" < "200" as text.
        let s = sweep(
            "rate",
            &[
                ("1000", 310.0, 0.900),
                ("100", 100.0, 0.010),
                ("200", 199.0, 0.011),
                ("400", 300.0, 0.080),
                ("800", 305.0, 0.600),
            ],
        );
        let fs = rule(&s);
        assert_eq!(fs.len(), 1, "{fs:#?}");
        assert_eq!(fs[0].evidence["knee_value"], 400.0);
        assert!(fs[0].title.contains("400 req/s offered"), "{}", fs[0].title);
    }

    #[test]
    fn scaling_throughput_or_a_flat_p99_is_no_knee() {
        let scaling = sweep(
            "concurrency",
            &[("1", 100.0, 0.01), ("2", 200.0, 0.02), ("4", 400.0, 0.05)],
        );
        assert!(rule(&scaling).is_empty());
        // Light load everywhere: flat throughput, latency unchanged.
        let light = sweep(
            "rate",
            &[
                ("10", 10.0, 0.01),
                ("10.5", 10.5, 0.011),
                ("11", 10.9, 0.012),
            ],
        );
        assert!(rule(&light).is_empty());
    }

    #[test]
    fn two_variants_or_other_parameters_are_no_scan() {
        let two = sweep("concurrency", &[("1", 100.0, 0.01), ("8", 100.0, 0.08)]);
        assert!(rule(&two).is_empty());
        let other = sweep(
            "payload",
            &[("1", 100.0, 0.01), ("2", 100.0, 0.05), ("4", 100.0, 0.09)],
        );
        assert!(rule(&other).is_empty());
    }
}
