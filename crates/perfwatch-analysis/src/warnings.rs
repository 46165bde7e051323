//! Warnings about a variant's sample, each a sentence with advice.
//!
//! * **Outliers** in wall time by the modified z-score (Iglewicz & Hoaglin
//!   1993, see [`perfwatch_stats::outliers`]), judged on samples of at least
//!   [`MIN_RUNS_FOR_OUTLIERS`] counted runs — and reported only when they
//!   matter: the median and its confidence interval are computed with and
//!   without the flagged runs, and the warning is given only when the
//!   outliers move the median, or widen the interval's half-width, by more
//!   than the noise band (±2 % by default, the comparisons'
//!   `noise_threshold`) of the median without them. A `sleep 0.3` whose runs
//!   take 301–303 ms has "outliers" by the z-score (its spread is tiny) but
//!   nothing a comparison could mistake for a change.
//! * **A slow first run**: the first counted run is slower than
//!   `median + 3·MAD` *and* `1.5 × median` of the other counted runs (at
//!   least [`MIN_RUNS_FOR_FIRST_RUN`] of them). Both conditions: the MAD test
//!   alone fires on tiny differences in very stable samples, the ratio alone
//!   ignores the spread. A cold cache, a JIT or a lazy initialisation is the
//!   usual cause; when the slow first run is the only outlier it is reported
//!   once, as a slow first run.
//! * **Timeouts** (excluded from the statistics) and **failed runs**
//!   (included, see [`crate::summarize`]).

use crate::options::CompareOptions;
use perfwatch_model::Iteration;
use perfwatch_stats::{mad, median, outlier_indices, summarize, CiOptions};

/// Fewest counted runs for which outliers are looked for.
pub const MIN_RUNS_FOR_OUTLIERS: usize = 5;
/// Fewest other counted runs for judging whether the first one is slow.
pub const MIN_RUNS_FOR_FIRST_RUN: usize = 3;

/// Warnings about the iterations of one variant (in execution order),
/// with the default noise band (`CompareOptions::default().noise_threshold`)
/// and confidence level.
pub fn sample_warnings(iterations: &[Iteration]) -> Vec<String> {
    sample_warnings_with(
        iterations,
        CompareOptions::default().noise_threshold,
        &CiOptions::default(),
    )
}

/// Warnings about the iterations of one variant (in execution order);
/// outliers are judged against `noise_band` (a fraction of the median) with
/// medians' intervals at the confidence level of `ci`.
pub fn sample_warnings_with(
    iterations: &[Iteration],
    noise_band: f64,
    ci: &CiOptions,
) -> Vec<String> {
    let mut warnings = Vec::new();
    let counted: Vec<&Iteration> = iterations.iter().filter(|it| it.counts()).collect();
    let walls: Vec<f64> = counted.iter().map(|it| it.wall_s).collect();
    let warmups = iterations.iter().filter(|it| it.warmup).count();

    let slow_first = slow_first_run(&walls);
    if let Some((first, rest_median)) = slow_first {
        warnings.push(slow_first_message(first, rest_median, warmups));
    }
    if let Some(w) = outlier_warning(&walls, slow_first.is_some(), noise_band, ci) {
        warnings.push(w);
    }
    let timed_out = iterations
        .iter()
        .filter(|it| !it.warmup && it.timed_out)
        .count();
    if timed_out > 0 {
        warnings.push(format!(
            "{} timed out and {} excluded from the statistics; raise --timeout if they were \
             merely slow",
            runs(timed_out),
            if timed_out == 1 { "is" } else { "are" }
        ));
    }
    if let Some(w) = dropped_spans_warning(iterations) {
        warnings.push(w);
    }
    let failed = counted.iter().filter(|it| !it.succeeded()).count();
    if failed > 0 {
        warnings.push(format!(
            "{} failed (non-zero exit or signal) and {} included in the statistics; \
             a failing run may take a different path than a successful one",
            runs(failed),
            if failed == 1 { "is" } else { "are" }
        ));
    }
    warnings
}

/// The outlier warning, when the flagged runs matter (see the module
/// documentation). The slow first run, reported on its own, is not counted
/// among the outliers but is left out of the sample without them too.
fn outlier_warning(
    walls: &[f64],
    slow_first: bool,
    noise_band: f64,
    ci: &CiOptions,
) -> Option<String> {
    if walls.len() < MIN_RUNS_FOR_OUTLIERS {
        return None;
    }
    let flagged = outlier_indices(walls);
    let outliers = flagged.iter().filter(|&&i| !(i == 0 && slow_first)).count();
    if outliers == 0 {
        return None;
    }
    let kept: Vec<f64> = walls
        .iter()
        .enumerate()
        .filter(|(i, _)| !flagged.contains(i))
        .map(|(_, w)| *w)
        .collect();
    let effect = OutlierEffect::of(walls, &kept, ci)?;
    let band = noise_band.max(0.0) * effect.median_without.abs();
    let moved = (effect.median_with - effect.median_without).abs();
    let widened = effect.half_width_with - effect.half_width_without;
    let what = if moved > band {
        format!(
            "move the median from {} to {}",
            seconds(effect.median_without),
            seconds(effect.median_with)
        )
    } else if widened > band {
        format!(
            "widen the median's confidence interval from ±{} to ±{}",
            seconds(effect.half_width_without),
            seconds(effect.half_width_with)
        )
    } else {
        return None;
    };
    Some(format!(
        "{outliers} of {} runs are statistical outliers (modified z-score > 3.5) and {what}, \
         beyond the ±{:.0} % noise band; close other programs, pin the CPU frequency, or use \
         more --warmup runs",
        walls.len(),
        noise_band * 100.0
    ))
}

/// The median and the half-width of its interval, with and without the
/// flagged runs.
struct OutlierEffect {
    median_with: f64,
    half_width_with: f64,
    median_without: f64,
    half_width_without: f64,
}

impl OutlierEffect {
    fn of(all: &[f64], kept: &[f64], ci: &CiOptions) -> Option<OutlierEffect> {
        let with = summarize(all, ci)?;
        let without = summarize(kept, ci)?;
        let half = |s: &perfwatch_model::Summary| ((s.ci_high - s.ci_low) / 2.0).max(0.0);
        Some(OutlierEffect {
            median_with: with.median,
            half_width_with: half(&with),
            median_without: without.median,
            half_width_without: half(&without),
        })
    }
}

/// `(first, median of the rest)` when the first counted run is slow.
fn slow_first_run(walls: &[f64]) -> Option<(f64, f64)> {
    let (&first, rest) = walls.split_first()?;
    if rest.len() < MIN_RUNS_FOR_FIRST_RUN {
        return None;
    }
    let m = median(rest)?;
    let spread = mad(rest)?;
    (first > m + 3.0 * spread && first > 1.5 * m).then_some((first, m))
}

fn slow_first_message(first: f64, rest_median: f64, warmups: usize) -> String {
    let factor = if rest_median > 0.0 {
        format!("{:.1}×", first / rest_median)
    } else {
        "far more than".to_string()
    };
    let advice = if warmups == 0 {
        "use --warmup 1 to discard it, or --prepare to clear caches before every run so that \
         all runs start alike"
            .to_string()
    } else {
        format!(
            "it followed {}, so use more --warmup runs, or --prepare to clear caches before \
             every run so that all runs start alike",
            plural(warmups, "warm-up", "warm-ups")
        )
    };
    format!(
        "the first run took {}, {factor} the median of the others ({}): caches were probably \
         cold; {advice}",
        seconds(first),
        seconds(rest_median)
    )
}

fn runs(n: usize) -> String {
    plural(n, "run", "runs")
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Seconds with a unit suited to the magnitude: `1.23 s`, `48.1 ms`, `950 µs`.
fn seconds(s: f64) -> String {
    if s >= 1.0 {
        format!("{s:.2} s")
    } else if s >= 1e-3 {
        format!("{:.1} ms", s * 1e3)
    } else {
        format!("{:.0} µs", s * 1e6)
    }
}

/// Span records that could not be used, summed over all iterations of the
/// variant (warm-ups too: a broken instrumentation shows there first), with
/// their reasons, most frequent first.
fn dropped_spans_warning(iterations: &[Iteration]) -> Option<String> {
    let mut reasons: std::collections::BTreeMap<&str, u64> = std::collections::BTreeMap::new();
    for it in iterations {
        for (reason, n) in &it.dropped_spans {
            *reasons.entry(reason.as_str()).or_default() += n;
        }
    }
    let total: u64 = reasons.values().sum();
    if total == 0 {
        return None;
    }
    let mut list: Vec<(&str, u64)> = reasons.into_iter().collect();
    list.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let detail = list
        .iter()
        .map(|(r, n)| format!("{r} ×{n}"))
        .collect::<Vec<_>>()
        .join(", ");
    Some(format!(
        "{total} span record{} could not be used and {} dropped ({detail}); the whole-process figures are unaffected",
        if total == 1 { "" } else { "s" },
        if total == 1 { "was" } else { "were" }
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn runs_of(walls: &[f64]) -> Vec<Iteration> {
        walls
            .iter()
            .enumerate()
            .map(|(i, &w)| Iteration {
                index: i as u32,
                exit_code: Some(0),
                wall_s: w,
                ..Iteration::default()
            })
            .collect()
    }

    const STEADY: [f64; 8] = [0.100, 0.101, 0.099, 0.100, 0.102, 0.098, 0.100, 0.101];

    #[test]
    fn a_steady_sample_has_no_warning() {
        assert!(sample_warnings(&runs_of(&STEADY)).is_empty());
        assert!(sample_warnings(&[]).is_empty());
    }

    #[test]
    fn outliers_that_widen_the_interval_are_reported() {
        let mut walls = STEADY.to_vec();
        walls[3] = 0.180;
        walls[6] = 0.250;
        let w = sample_warnings(&runs_of(&walls));
        assert_eq!(w.len(), 1, "{w:?}");
        assert!(
            w[0].starts_with(
                "2 of 8 runs are statistical outliers (modified z-score > 3.5) and widen the \
                 median's confidence interval from ±"
            ),
            "{w:?}"
        );
        assert!(
            w[0].ends_with(
                "beyond the ±2 % noise band; close other programs, pin the CPU frequency, or \
                 use more --warmup runs"
            ),
            "{w:?}"
        );
    }

    #[test]
    fn outliers_that_move_the_median_are_reported() {
        // Seven runs spread over 90–110 ms, four stalled at 300 ms: the
        // median moves from 103 ms to 108 ms, more than 2 %.
        let walls = [
            0.090, 0.300, 0.095, 0.100, 0.300, 0.103, 0.106, 0.300, 0.108, 0.110, 0.300,
        ];
        let w = sample_warnings(&runs_of(&walls));
        assert_eq!(
            w,
            [
                "4 of 11 runs are statistical outliers (modified z-score > 3.5) and move the \
                 median from 103.0 ms to 108.0 ms, beyond the ±2 % noise band; close other \
                 programs, pin the CPU frequency, or use more --warmup runs"
            ]
        );
    }

    #[test]
    fn outliers_within_the_noise_band_are_not_reported() {
        // `sleep 0.3`: runs of 301–303 ms. The z-score flags the slowest
        // (the spread is tiny), but neither the median nor its interval
        // moves by anything near 2 %.
        let walls = [
            0.3014, 0.3011, 0.3012, 0.3014, 0.3011, 0.3013, 0.3011, 0.3012, 0.3014, 0.3030,
        ];
        assert!(!outlier_indices(&walls).is_empty(), "the z-score flags it");
        assert!(sample_warnings(&runs_of(&walls)).is_empty());
        // Without a noise band, the slight widening would be reported.
        let w = sample_warnings_with(&runs_of(&walls), 0.0, &CiOptions::default());
        assert_eq!(w.len(), 1, "{w:?}");
    }

    #[test]
    fn a_slow_first_run_is_reported_once() {
        let mut walls = STEADY.to_vec();
        walls[0] = 0.400;
        let w = sample_warnings(&runs_of(&walls));
        assert_eq!(
            w,
            [
                "the first run took 400.0 ms, 4.0× the median of the others (100.0 ms): caches \
              were probably cold; use --warmup 1 to discard it, or --prepare to clear caches \
              before every run so that all runs start alike"
            ]
        );
        // After warm-ups the advice is to use more of them.
        let mut its = runs_of(&[0.1, 0.1].iter().chain(&walls).copied().collect::<Vec<_>>());
        its[0].warmup = true;
        its[1].warmup = true;
        let w = sample_warnings(&its);
        assert!(
            w[0].contains("it followed 2 warm-ups, so use more --warmup runs"),
            "{w:?}"
        );
    }

    #[test]
    fn a_first_run_slow_only_by_spread_or_only_by_ratio_is_fine() {
        // 30 % slower: beyond 3·MAD of a steady sample but below 1.5×.
        let mut walls = STEADY.to_vec();
        walls[0] = 0.130;
        assert!(!sample_warnings(&runs_of(&walls))
            .iter()
            .any(|w| w.contains("first run")));
        // Too few other runs to judge.
        assert!(sample_warnings(&runs_of(&[1.0, 0.1, 0.1])).is_empty());
    }

    #[test]
    fn timeouts_and_failures() {
        let mut its = runs_of(&STEADY);
        its[1].timed_out = true;
        its[2].timed_out = true;
        its[3].exit_code = Some(2);
        its[4].exit_code = None;
        its[4].signal = Some(9);
        let mut warm = its[0].clone();
        warm.warmup = true;
        warm.timed_out = true; // a warm-up's timeout is not reported
        its.insert(0, warm);
        let w = sample_warnings(&its);
        assert_eq!(
            w,
            [
                "2 runs timed out and are excluded from the statistics; raise --timeout if they \
                 were merely slow",
                "2 runs failed (non-zero exit or signal) and are included in the statistics; \
                 a failing run may take a different path than a successful one",
            ]
        );
    }

    #[test]
    fn seconds_pick_a_unit() {
        assert_eq!(seconds(1.234), "1.23 s");
        assert_eq!(seconds(0.0481), "48.1 ms");
        assert_eq!(seconds(0.00095), "950 µs");
    }

    #[test]
    fn dropped_span_records_are_reported_with_their_reasons() {
        let mut its: Vec<Iteration> = (0..3)
            .map(|i| Iteration {
                index: i,
                wall_s: 1.0,
                exit_code: Some(0),
                ..Default::default()
            })
            .collect();
        its[0].dropped_spans.insert("invalid JSON".into(), 2);
        its[2].dropped_spans.insert("invalid JSON".into(), 1);
        its[2].dropped_spans.insert("unknown tier".into(), 1);
        let w = sample_warnings(&its);
        assert!(
            w.iter().any(|w| w.starts_with("4 span records could not be used and were dropped (invalid JSON ×3, unknown tier ×1)")),
            "{w:?}"
        );
        its.iter_mut().for_each(|it| it.dropped_spans.clear());
        assert!(sample_warnings(&its)
            .iter()
            .all(|w| !w.contains("span record")));
    }
}
