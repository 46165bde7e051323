//! Candidate vs baseline for one metric: ratio of medians with its
//! bootstrap interval, the Mann-Whitney test, a verdict and a severity.
//!
//! Methods: the percentile bootstrap of the ratio of medians
//! ([`perfwatch_stats::bootstrap`], Efron & Tibshirani 1993) and the
//! two-sided Mann-Whitney U test ([`mann_whitney`](mod@perfwatch_stats::mann_whitney), Mann &
//! Whitney 1947); the decision rule is in [`crate::verdict`]. Medians rather
//! than means because run times are skewed and have outliers: one stalled
//! run must not decide a comparison.
//!
//! Metrics are costs (≥ 0; lower is better). Non-finite values are dropped
//! before anything is computed. Every field of the result is finite, so it
//! survives JSON: a ratio over a zero baseline median, which is unbounded,
//! is reported as `f64::MAX` (and so is its change in %); when a side has no
//! value at all, ratio and interval are 1 and the p-value 1, and the verdict
//! is `Inconclusive`.

use crate::stages::compare_stages;
use crate::summarize::metric_values;
use crate::verdict::{decide, Evidence};
use crate::CompareOptions;
use perfwatch_model::metric::Direction;
use perfwatch_model::{Comparison, Metric, Reference, Severity, VariantExport, Verdict};
use perfwatch_stats::{finite, mann_whitney, median, ratio, ratio_of_medians_ci, CiOptions};

/// Compares the candidate sample `cand` with the baseline sample `base` for
/// one metric (of one stage, when `stage` is given).
///
/// Below `opts.min_samples` finite values on either side the verdict is
/// `Inconclusive` with the note "need ≥ N runs on each side …"; the figures
/// are still computed from whatever there is.
pub fn compare_samples(
    metric: &str,
    stage: Option<&str>,
    baseline_name: &str,
    candidate_name: &str,
    base: &[f64],
    cand: &[f64],
    opts: &CompareOptions,
) -> Comparison {
    let base = finite(base);
    let cand = finite(cand);
    let ci_opts = CiOptions {
        confidence: opts.level(),
        ..opts.ci
    };
    let base_median = median(&base);
    let cand_median = median(&cand);
    let point = match (base_median, cand_median) {
        (Some(b), Some(c)) => ratio(c, b),
        _ => 1.0,
    };
    let ci = ratio_of_medians_ci(&base, &cand, &ci_opts);
    let p_value = mann_whitney(&base, &cand).map_or(1.0, |t| t.p_value);
    let (ci_low, ci_high) = ci.map_or((1.0, 1.0), |ci| (ci.low, ci.high));

    let (verdict, note) = if base.len() < opts.min_samples || cand.len() < opts.min_samples {
        let need = opts.min_samples;
        let note = format!(
            "need ≥ {need} runs on each side; baseline has {}, candidate has {}",
            base.len(),
            cand.len()
        );
        (Verdict::Inconclusive, Some(note))
    } else {
        let evidence = Evidence {
            p_value,
            ci_low,
            ci_high,
            deterministic: is_constant(&base) && is_constant(&cand) && base_median != cand_median,
        };
        decide(&evidence, opts)
    };
    // A metric whose rise is the improvement (throughput): the same
    // rules, read the other way round; its severity is that of the cost
    // per request, `1 / ratio` (half the throughput: +100 %).
    let higher_is_better = stage.is_none()
        && metric
            .parse::<Metric>()
            .is_ok_and(|m| m.direction() == Direction::HigherIsBetter);
    let verdict = match verdict {
        Verdict::Regressed if higher_is_better => Verdict::Improved,
        Verdict::Improved if higher_is_better => Verdict::Regressed,
        v => v,
    };
    let primary = opts.primary.is_primary(metric, stage);
    let cost_change = if higher_is_better {
        1.0 / point - 1.0
    } else {
        point - 1.0
    };
    let severity = match verdict {
        Verdict::Regressed if primary => opts.severity.classify(cost_change),
        _ => Severity::None,
    };
    Comparison {
        metric: metric.to_string(),
        stage: stage.map(str::to_string),
        baseline: baseline_name.to_string(),
        candidate: candidate_name.to_string(),
        baseline_median: base_median.unwrap_or(0.0),
        candidate_median: cand_median.unwrap_or(0.0),
        baseline_n: base.len(),
        candidate_n: cand.len(),
        ratio: json_safe(point),
        ci_low: json_safe(ci_low),
        ci_high: json_safe(ci_high),
        p_value,
        change_pct: json_safe((point - 1.0) * 100.0),
        severity,
        verdict,
        note,
        confidence: opts.level(),
        primary,
        reference: Reference::Variant,
    }
}

/// One comparison per whole-process metric summarised on both sides (that
/// is, measured in every counted iteration of both), in [`Metric::ALL`]
/// order, from the counted iterations' values; then one per stage that ran
/// in at least `min_samples` counted iterations of both, in the baseline's
/// share order (see [`compare_stages`]).
pub fn compare_variants(
    base: &VariantExport,
    cand: &VariantExport,
    opts: &CompareOptions,
) -> Vec<Comparison> {
    let service = base
        .iterations
        .iter()
        .chain(&cand.iterations)
        .any(|it| it.service.is_some());
    let service_opts;
    let opts = if service {
        service_opts = CompareOptions {
            primary: opts.primary.without(Metric::WallS),
            ..*opts
        };
        &service_opts
    } else {
        opts
    };
    Metric::ALL
        .into_iter()
        .filter(|m| base.summary.contains_key(m.key()) && cand.summary.contains_key(m.key()))
        .filter_map(|m| {
            let b = metric_values(&base.iterations, m)?;
            let c = metric_values(&cand.iterations, m)?;
            Some(compare_samples(
                m.key(),
                None,
                &base.name,
                &cand.name,
                &b,
                &c,
                opts,
            ))
        })
        .chain(compare_stages(base, cand, opts))
        .collect()
}

/// Whether a non-empty sample has a single value.
fn is_constant(xs: &[f64]) -> bool {
    xs.windows(2).all(|w| w[0] == w[1]) && !xs.is_empty()
}

/// `±∞` as `±f64::MAX`, since JSON has no infinity; NaN (which the
/// computation never produces from finite input) as 1, the neutral ratio.
fn json_safe(x: f64) -> f64 {
    if x.is_nan() {
        1.0
    } else {
        x.clamp(f64::MIN, f64::MAX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use perfwatch_model::Iteration;
    use perfwatch_stats::CiOptions;
    use proptest::prelude::*;

    fn cmp(base: &[f64], cand: &[f64]) -> Comparison {
        compare_samples(
            "wall_s",
            None,
            "a",
            "b",
            base,
            cand,
            &CompareOptions::default(),
        )
    }

    /// 20 values spread ±2.5 % around `center`, in a scrambled order.
    fn spread(center: f64) -> Vec<f64> {
        (0..20)
            .map(|i| center * (1.0 + 0.05 * (((i * 7) % 20) as f64 / 19.0 - 0.5)))
            .collect()
    }

    #[test]
    fn clear_regression_and_improvement() {
        let c = cmp(&spread(1.0), &spread(1.3));
        assert_eq!(
            (c.verdict, c.severity),
            (Verdict::Regressed, Severity::Medium)
        );
        assert!((c.ratio - 1.3).abs() < 1e-9 && (c.change_pct - 30.0).abs() < 1e-6);
        assert!(c.ci_low > 1.2 && c.ci_high < 1.4 && c.p_value < 1e-6);
        assert_eq!((c.baseline_n, c.candidate_n), (20, 20));
        assert_eq!(c.note, None);

        let c = cmp(&spread(1.0), &spread(0.7));
        assert_eq!((c.verdict, c.severity), (Verdict::Improved, Severity::None));
    }

    #[test]
    fn severity_follows_the_thresholds() {
        let cases = [
            (1.05, Severity::None),
            (1.15, Severity::Low),
            (1.35, Severity::Medium),
            (1.70, Severity::High),
            (2.50, Severity::Critical),
        ];
        for (factor, want) in cases {
            let c = cmp(&spread(1.0), &spread(factor));
            assert_eq!(c.verdict, Verdict::Regressed, "×{factor}");
            assert_eq!(c.severity, want, "×{factor}");
        }
    }

    #[test]
    fn a_throughput_fall_is_the_regression_and_its_severity_is_the_cost_per_request() {
        let o = CompareOptions::default();
        let fell = compare_samples(
            "throughput_rps",
            None,
            "a",
            "b",
            &spread(200.0),
            &spread(100.0),
            &o,
        );
        assert_eq!(fell.verdict, Verdict::Regressed);
        assert!((fell.ratio - 0.5).abs() < 0.01, "{fell:?}");
        assert_eq!(
            fell.severity,
            Severity::Critical,
            "half the throughput: +100 %"
        );
        let rose = compare_samples(
            "throughput_rps",
            None,
            "a",
            "b",
            &spread(100.0),
            &spread(130.0),
            &o,
        );
        assert_eq!(
            (rose.verdict, rose.severity),
            (Verdict::Improved, Severity::None)
        );
        // A stage's time is a cost, whatever it is called.
        let stage = compare_samples(
            "throughput_rps",
            Some("x"),
            "a",
            "b",
            &spread(100.0),
            &spread(130.0),
            &o,
        );
        assert_eq!(stage.verdict, Verdict::Regressed);
    }

    #[test]
    fn identical_samples_are_unchanged() {
        let c = cmp(&spread(1.0), &spread(1.0));
        assert_eq!(c.verdict, Verdict::Unchanged);
        assert_eq!(c.ratio, 1.0);
    }

    #[test]
    fn too_few_runs_is_inconclusive_with_a_note() {
        let c = cmp(&[1.0, 1.1, 0.9], &[2.0, 2.1, 1.9, 2.0, 2.2]);
        assert_eq!(c.verdict, Verdict::Inconclusive);
        assert_eq!(
            c.note.as_deref(),
            Some("need ≥ 5 runs on each side; baseline has 3, candidate has 5")
        );
        assert!(
            (c.ratio - 2.0 / 1.0).abs() < 1e-9,
            "figures are still computed"
        );
        assert_eq!(c.severity, Severity::None);
    }

    #[test]
    fn bad_input_never_panics_and_stays_finite() {
        let nan = f64::NAN;
        let cases: [(&[f64], &[f64], Verdict); 9] = [
            (&[], &[], Verdict::Inconclusive),
            (&[], &[1.0; 6], Verdict::Inconclusive),
            (&[1.0], &[2.0], Verdict::Inconclusive),
            (&[nan; 6], &[1.0; 6], Verdict::Inconclusive),
            // Identical constants: no change.
            (&[2.0; 6], &[2.0; 6], Verdict::Unchanged),
            // Different constants: a deterministic difference.
            (&[2.0; 6], &[3.0; 6], Verdict::Regressed),
            (&[3.0; 6], &[2.0; 6], Verdict::Improved),
            // Zero baseline median: unbounded ratio.
            (&[0.0; 6], &[5.0; 6], Verdict::Regressed),
            (&[0.0; 6], &[0.0; 6], Verdict::Unchanged),
        ];
        for (base, cand, want) in cases {
            let c = cmp(base, cand);
            assert_eq!(c.verdict, want, "{base:?} vs {cand:?}");
            for x in [c.ratio, c.ci_low, c.ci_high, c.p_value, c.change_pct] {
                assert!(x.is_finite(), "{base:?} vs {cand:?}: {c:?}");
            }
        }
        let c = cmp(&[0.0; 6], &[5.0; 6]);
        assert_eq!((c.ratio, c.severity), (f64::MAX, Severity::Critical));
        let c = cmp(&[1.0, nan, 1.0, 1.0, 1.0, 1.0], &[1.0; 5]);
        assert_eq!((c.baseline_n, c.verdict), (5, Verdict::Unchanged));
    }

    #[test]
    fn constants_differing_within_the_noise_band_are_unchanged() {
        let c = cmp(&[1.00; 8], &[1.01; 8]);
        assert_eq!(c.verdict, Verdict::Unchanged);
        // A deterministic difference is significant even when the test,
        // with few runs, is not.
        let opts = CompareOptions {
            min_samples: 2,
            ..CompareOptions::default()
        };
        let c = compare_samples("wall_s", None, "a", "b", &[1.0; 2], &[1.5; 2], &opts);
        assert!(c.p_value > 0.05);
        assert_eq!(c.verdict, Verdict::Regressed);
    }

    #[test]
    fn stage_and_names_are_carried() {
        let c = compare_samples(
            "total_s",
            Some("job/download"),
            "main",
            "pr-42",
            &spread(1.0),
            &spread(1.0),
            &CompareOptions::default(),
        );
        assert_eq!(c.metric, "total_s");
        assert_eq!(c.stage.as_deref(), Some("job/download"));
        assert_eq!(
            (c.baseline.as_str(), c.candidate.as_str()),
            ("main", "pr-42")
        );
    }

    fn variant(name: &str, walls: &[f64], user: Option<f64>) -> VariantExport {
        let iterations: Vec<Iteration> = walls
            .iter()
            .enumerate()
            .map(|(i, &w)| Iteration {
                index: i as u32,
                variant: name.to_string(),
                exit_code: Some(0),
                wall_s: w,
                user_s: user.map(|u| u * w),
                ..Iteration::default()
            })
            .collect();
        crate::summarize_variant(name, None, iterations, &CiOptions::default())
    }

    #[test]
    fn compare_variants_covers_metrics_on_both_sides_only() {
        let base = variant("a", &spread(1.0), Some(0.5));
        let cand = variant("b", &spread(1.3), None);
        let cs = compare_variants(&base, &cand, &CompareOptions::default());
        assert_eq!(cs.len(), 1, "user_s is missing on one side");
        assert_eq!(
            (cs[0].metric.as_str(), cs[0].verdict),
            ("wall_s", Verdict::Regressed)
        );

        let cand = variant("b", &spread(1.3), Some(0.5));
        let metrics: Vec<String> = compare_variants(&base, &cand, &CompareOptions::default())
            .into_iter()
            .map(|c| c.metric)
            .collect();
        assert_eq!(metrics, ["wall_s", "user_s"]);

        let empty = variant("c", &[], None);
        assert!(compare_variants(&base, &empty, &CompareOptions::default()).is_empty());
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]

        #[test]
        fn any_input_gives_finite_figures(
            base in prop::collection::vec(prop_oneof![0.0f64..10.0, Just(0.0), Just(f64::NAN)], 0..12),
            cand in prop::collection::vec(prop_oneof![0.0f64..10.0, Just(0.0), Just(f64::NAN)], 0..12),
        ) {
            let opts = CompareOptions {
                ci: CiOptions { resamples: 200, ..CiOptions::default() },
                ..CompareOptions::default()
            };
            let c = compare_samples("wall_s", None, "a", "b", &base, &cand, &opts);
            for x in [c.ratio, c.ci_low, c.ci_high, c.p_value, c.change_pct] {
                prop_assert!(x.is_finite());
            }
            prop_assert!((0.0..=1.0).contains(&c.p_value));
            prop_assert!(c.severity == Severity::None || c.verdict == Verdict::Regressed);
        }
    }
}
