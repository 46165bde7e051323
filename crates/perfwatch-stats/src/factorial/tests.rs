//! Tests of the designs and of the effect estimates, including the planted
//! effects that `perfwatch attribute` must recover.

use super::*;
use proptest::prelude::*;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::HashSet;

/// ±1 coding of a design column.
fn coded(design: &Design, j: usize) -> Vec<i32> {
    design
        .rows
        .iter()
        .map(|row| if row[j] { 1 } else { -1 })
        .collect()
}

/// A standard normal draw (Box–Muller).
fn normal(rng: &mut ChaCha8Rng) -> f64 {
    let u1 = 1.0 - rng.random::<f64>(); // in (0, 1]: ln is finite
    let u2 = rng.random::<f64>();
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

/// Observations of `response(levels)` for every row, `replicates` times,
/// each times exp(N(0, sd²)) noise.
fn simulate(
    design: &Design,
    replicates: usize,
    sd: f64,
    rng: &mut ChaCha8Rng,
    response: impl Fn(&[bool]) -> f64,
) -> Vec<Observation> {
    let mut obs = Vec::new();
    for _ in 0..replicates {
        for (row, levels) in design.rows.iter().enumerate() {
            let value = response(levels) * (sd * normal(rng)).exp();
            obs.push(Observation { row, value });
        }
    }
    obs
}

fn term<'a>(effects: &'a Effects, factors: &[usize]) -> &'a Effect {
    effects
        .terms
        .iter()
        .find(|t| t.factors == factors)
        .expect("term fitted")
}

fn factor(levels: &[bool], j: usize, ratio: f64) -> f64 {
    if levels[j] {
        ratio
    } else {
        1.0
    }
}

// ---- designs -------------------------------------------------------------

#[test]
fn full_factorial_has_2_pow_k_distinct_rows_from_all_base_to_all_candidate() {
    for k in 1..=MAX_FULL_FACTORS {
        let d = full_factorial(k).unwrap();
        assert_eq!((d.factors, d.kind), (k, DesignKind::Full));
        assert_eq!(d.rows.len(), 1 << k);
        assert!(d.rows.iter().all(|r| r.len() == k));
        let distinct: HashSet<&Vec<bool>> = d.rows.iter().collect();
        assert_eq!(distinct.len(), 1 << k);
        assert!(d.rows[0].iter().all(|&c| !c), "row 0 is all-base");
        assert!(d.rows.last().unwrap().iter().all(|&c| c));
    }
    assert_eq!(full_factorial(0), None);
    assert_eq!(full_factorial(MAX_FULL_FACTORS + 1), None);
}

#[test]
fn plackett_burman_designs_are_balanced_and_pairwise_orthogonal() {
    for k in 1..=MAX_PB_FACTORS {
        let d = plackett_burman(k).unwrap();
        let n = d.rows.len();
        let expected_n = [8, 12, 16, 20, 24].into_iter().find(|&n| n > k).unwrap();
        assert_eq!(
            (n, d.factors, d.kind),
            (expected_n, k, DesignKind::PlackettBurman)
        );
        assert!(d.rows.iter().all(|r| r.len() == k));
        assert!(d.rows.last().unwrap().iter().all(|&c| !c), "all-base row");
        for a in 0..k {
            let ca = coded(&d, a);
            assert_eq!(ca.iter().sum::<i32>(), 0, "k={k}: column {a} unbalanced");
            for b in a + 1..k {
                let dot: i32 = ca.iter().zip(coded(&d, b)).map(|(x, y)| x * y).sum();
                assert_eq!(dot, 0, "k={k}: columns {a} and {b} not orthogonal");
            }
        }
    }
    assert_eq!(plackett_burman(0), None);
    assert_eq!(plackett_burman(MAX_PB_FACTORS + 1), None);
}

#[test]
fn plackett_burman_uses_every_column_of_the_full_generator() {
    // k = N − 1 uses all columns: the whole N×N ±1 matrix with an intercept
    // column is a Hadamard matrix, so every column is distinct.
    for k in [7, 11, 15, 19, 23] {
        let d = plackett_burman(k).unwrap();
        let columns: HashSet<Vec<i32>> = (0..k).map(|j| coded(&d, j)).collect();
        assert_eq!(columns.len(), k);
    }
}

#[test]
fn screening_design_is_full_up_to_4_factors_and_plackett_burman_from_5() {
    for k in 1..=4 {
        let d = screening_design(k).unwrap();
        assert_eq!((d.kind, d.rows.len()), (DesignKind::Full, 1 << k));
    }
    let d = screening_design(5).unwrap();
    assert_eq!((d.kind, d.rows.len()), (DesignKind::PlackettBurman, 8));
    assert_eq!(screening_design(23).unwrap().rows.len(), 24);
    assert_eq!(screening_design(0), None);
    assert_eq!(screening_design(24), None);
}

#[test]
fn design_kind_and_scale_serialise_in_lower_case() {
    /// The name a unit variant serialises to (through TOML: serde_json is
    /// not a dependency of this crate).
    fn name<T: serde::Serialize>(v: &T) -> String {
        #[derive(serde::Serialize)]
        struct Wrap<'a, T> {
            v: &'a T,
        }
        let value = toml::Value::try_from(Wrap { v }).unwrap();
        value["v"].as_str().unwrap().to_owned()
    }
    assert_eq!(name(&DesignKind::Full), "full");
    assert_eq!(name(&DesignKind::PlackettBurman), "plackettburman");
    assert_eq!(name(&Scale::Log), "log");
    assert_eq!(name(&Scale::Linear), "linear");
}

// ---- exact fits ----------------------------------------------------------

#[test]
fn noise_free_log_model_recovers_ratios_baseline_and_candidate_exactly() {
    // y = 2 · 1.3^x₀ · 1.05^x₁, x ∈ {0, 1}; factor 2 does nothing.
    let design = full_factorial(3).unwrap();
    let obs = simulate(&design, 2, 0.0, &mut ChaCha8Rng::seed_from_u64(0), |l| {
        2.0 * factor(l, 0, 1.3) * factor(l, 1, 1.05)
    });
    for interactions in [false, true] {
        let fit = estimate_effects(&design, &obs, Scale::Log, interactions, 0.95).unwrap();
        assert_eq!(fit.n, 16);
        assert_eq!(fit.df, if interactions { 16 - 7 } else { 16 - 4 });
        for (j, ratio) in [1.3, 1.05, 1.0].into_iter().enumerate() {
            assert_eq!(fit.terms[j].factors, vec![j]);
            assert!(
                (fit.terms[j].estimate - ratio).abs() < 1e-9,
                "{:?}",
                fit.terms[j]
            );
        }
        for t in &fit.terms[3..] {
            assert_eq!(t.factors.len(), 2);
            assert!((t.estimate - 1.0).abs() < 1e-9);
        }
        assert_eq!(fit.terms.len(), if interactions { 6 } else { 3 });
        assert!((fit.baseline - 2.0).abs() < 1e-9);
        assert!((fit.candidate - 2.73).abs() < 1e-9);
        assert!(fit.residual_sd < 1e-9);
        assert_eq!(rank_main_effects(&fit), vec![0, 1, 2]);
    }
}

#[test]
fn unbalanced_replicates_are_fitted_by_least_squares_not_marginal_means() {
    // Marginal means would mix factor 1's effect into factor 0's here,
    // because factor 1 is at candidate in 7 of factor 0's 8 candidate runs.
    let design = full_factorial(2).unwrap();
    let replicates = [3, 1, 2, 7]; // rows (−,−), (+,−), (−,+), (+,+)
    let mut obs = Vec::new();
    for (row, &count) in replicates.iter().enumerate() {
        let l = &design.rows[row];
        let value = 5.0 + if l[0] { 2.0 } else { 0.0 } + if l[1] { 0.5 } else { 0.0 };
        obs.extend((0..count).map(|_| Observation { row, value }));
    }
    let fit = estimate_effects(&design, &obs, Scale::Linear, false, 0.95).unwrap();
    assert!((fit.terms[0].estimate - 2.0).abs() < 1e-9);
    assert!((fit.terms[1].estimate - 0.5).abs() < 1e-9);
    assert!((fit.baseline - 5.0).abs() < 1e-9 && (fit.candidate - 7.5).abs() < 1e-9);
}

#[test]
fn one_factor_linear_interval_is_the_pooled_two_sample_t_interval() {
    // Base 1, 2, 3 and candidate 4, …, 8: difference 4, pooled variance
    // (2 + 10)/6 = 2, SE √(2·(1/3 + 1/5)), t(6, 0.975) = 2.446911851,
    // two-sided p = 0.00823735. Unequal group sizes make XᵀX non-diagonal,
    // so this pins the whole of (XᵀX)⁻¹'s diagonal, not just 1/n.
    let design = full_factorial(1).unwrap();
    let obs: Vec<Observation> = [(0, 1.0), (0, 2.0), (0, 3.0)]
        .into_iter()
        .chain((4..=8).map(|v| (1, f64::from(v))))
        .map(|(row, value)| Observation { row, value })
        .collect();
    let fit = estimate_effects(&design, &obs, Scale::Linear, true, 0.95).unwrap();
    let half = 2.446_911_851_144_969 * (2.0f64 * (1.0 / 3.0 + 1.0 / 5.0)).sqrt();
    let e = &fit.terms[0];
    assert!((e.estimate - 4.0).abs() < 1e-12);
    assert!((e.ci_low - (4.0 - half)).abs() < 1e-6, "{e:?}");
    assert!((e.ci_high - (4.0 + half)).abs() < 1e-6, "{e:?}");
    assert!((e.p_value - 0.008_237_354).abs() < 1e-6, "{e:?}");
    assert_eq!((fit.n, fit.df), (8, 6));
    assert!((fit.residual_sd - 2.0f64.sqrt()).abs() < 1e-12);
    assert!((fit.baseline - 2.0).abs() < 1e-12 && (fit.candidate - 6.0).abs() < 1e-12);
}

#[test]
fn interactions_are_fitted_only_for_full_designs() {
    let pb = plackett_burman(5).unwrap();
    let obs = simulate(&pb, 3, 0.03, &mut ChaCha8Rng::seed_from_u64(1), |_| 1.0);
    let fit = estimate_effects(&pb, &obs, Scale::Log, true, 0.95).unwrap();
    assert_eq!(fit.terms.len(), 5);
    assert_eq!(fit.df, 24 - 6);
}

// ---- planted effects with noise --------------------------------------------

/// The planted model of the acceptance criterion, on factors A, B, C, D (and
/// a null factor E when the design has 5): A +30 %, B +5 %, and +20 % when C
/// and D are both at candidate. Noise ×exp(N(0, 0.03²)).
fn planted(levels: &[bool]) -> f64 {
    let cd = if levels[2] && levels[3] { 1.2 } else { 1.0 };
    1.5 * factor(levels, 0, 1.3) * factor(levels, 1, 1.05) * cd
}

/// The planted effect of every term, as a ratio, in ±1 coding.
///
/// In log space ln y = ln 1.5 + x_A·ln 1.3 + x_B·ln 1.05 + x_C·x_D·ln 1.2
/// with x ∈ {0, 1}. Substituting x = (z + 1)/2 (z = ±1):
/// x_A·ln 1.3 = ln 1.3/2 + z_A·ln 1.3/2, so β_A = ln 1.3/2 and the effect
/// 2β_A = ln 1.3: a ratio of 1.30 (likewise 1.05 for B). And
/// x_C·x_D = (z_C·z_D + z_C + z_D + 1)/4, so β_C = β_D = β_CD = ln 1.2/4 and
/// each of the three effects is 2β = ln 1.2/2: a ratio of √1.2 ≈ 1.095.
/// (Check: all-candidate minus all-base in log space is 2β_A + 2β_B +
/// 2β_C + 2β_D = ln 1.3 + ln 1.05 + ln 1.2, the planted total, since the
/// interaction column is +1 in both.) Every other term is 1.
fn planted_effect(factors: &[usize]) -> f64 {
    match factors {
        [0] => 1.3,
        [1] => 1.05,
        [2] | [3] | [2, 3] => 1.2f64.sqrt(),
        _ => 1.0,
    }
}

/// Runs `sims` seeded simulations of the planted model on the full design
/// with `k` factors, 4 replicates; returns, per term, how many 95 %
/// intervals covered the planted value, and checks `each` on every fit.
fn planted_coverage(k: usize, sims: u64, each: impl Fn(&Effects)) -> Vec<(Vec<usize>, usize)> {
    let design = full_factorial(k).unwrap();
    let mut covered: Vec<(Vec<usize>, usize)> = Vec::new();
    for seed in 0..sims {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let obs = simulate(&design, 4, 0.03, &mut rng, planted);
        let fit = estimate_effects(&design, &obs, Scale::Log, true, 0.95).unwrap();
        assert_eq!(fit.terms.len(), k + k * (k - 1) / 2);
        each(&fit);
        if covered.is_empty() {
            covered = fit.terms.iter().map(|t| (t.factors.clone(), 0)).collect();
        }
        for (t, (_, count)) in fit.terms.iter().zip(&mut covered) {
            let planted = planted_effect(&t.factors);
            *count += usize::from(t.ci_low <= planted && planted <= t.ci_high);
        }
    }
    covered
}

#[test]
fn planted_effects_are_ranked_and_covered_by_95_percent_intervals() {
    const SIMS: u64 = 200;
    let covered = planted_coverage(4, SIMS, |fit| {
        let a = &fit.terms[0];
        assert!(a.ci_low > 1.0, "A's interval includes 1: {a:?}");
        assert!(a.p_value < 1e-6);
        let ranking = rank_main_effects(fit);
        assert_eq!(ranking[0], 0, "A first: {ranking:?}");
        // B (+5 %) is the smallest planted main effect, below C's and D's
        // √1.2 that come from their interaction.
        assert_eq!(ranking[3], 1, "{ranking:?}");
    });
    let total: usize = covered.iter().map(|(_, c)| c).sum();
    for (factors, count) in &covered {
        // Each term's coverage should be ≈ 95 %; ≥ 90 % of 200 is ~3 binomial
        // standard deviations below.
        assert!(
            *count * 10 >= SIMS as usize * 9,
            "{factors:?}: {count}/{SIMS}"
        );
    }
    let mean = total as f64 / (covered.len() as f64 * SIMS as f64);
    assert!((0.93..=0.97).contains(&mean), "mean coverage {mean}");
}

#[test]
fn planted_small_effect_ranks_above_a_null_factor() {
    const SIMS: u64 = 200;
    let covered = planted_coverage(5, SIMS, |fit| {
        let ranking = rank_main_effects(fit);
        assert_eq!(ranking[0], 0, "{ranking:?}");
        assert_eq!(ranking[4], 4, "null factor E last: {ranking:?}");
        let pos = |j| ranking.iter().position(|&f| f == j).unwrap();
        assert!(pos(1) < pos(4), "B above E: {ranking:?}");
        assert!(fit.terms[0].ci_low > 1.0);
    });
    for (factors, count) in &covered {
        assert!(
            *count * 10 >= SIMS as usize * 9,
            "{factors:?}: {count}/{SIMS}"
        );
    }
}

#[test]
fn plackett_burman_screening_finds_the_two_real_effects_among_six() {
    // Factor 4 +30 %, factor 1 +10 %, four null factors; 8 runs × 3.
    let design = screening_design(6).unwrap();
    assert_eq!(design.kind, DesignKind::PlackettBurman);
    for seed in 0..50 {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let obs = simulate(&design, 3, 0.03, &mut rng, |l| {
            factor(l, 4, 1.3) * factor(l, 1, 1.1)
        });
        let fit = estimate_effects(&design, &obs, Scale::Log, true, 0.95).unwrap();
        assert_eq!(rank_main_effects(&fit)[..2], [4, 1], "seed {seed}");
        assert!(fit.terms[4].ci_low > 1.0 && fit.terms[1].ci_low > 1.0);
    }
}

// ---- awkward input ---------------------------------------------------------

#[test]
fn linear_scale_fits_a_stage_that_is_zero_in_half_the_rows() {
    // The stage exists only when factor 0 is at candidate: 0.5 s, plus
    // 0.1 s when factor 1 is too. In ±1 coding y = 0.5·x₀ + 0.1·x₀·x₁ gives
    // β₀ = 0.275, β₁ = 0.025, β₀₁ = 0.025: effects 0.55, 0.05 and 0.05.
    let design = full_factorial(2).unwrap();
    let mut obs = Vec::new();
    for rep in 0..3 {
        for (row, l) in design.rows.iter().enumerate() {
            let jitter = if l[0] {
                0.001 * (rep as f64 - 1.0)
            } else {
                0.0
            };
            let value = match (l[0], l[1]) {
                (false, _) => 0.0,
                (true, false) => 0.5,
                (true, true) => 0.6,
            };
            obs.push(Observation {
                row,
                value: value + jitter,
            });
        }
    }
    assert!(obs.iter().filter(|o| o.value == 0.0).count() == 6);
    let fit = estimate_effects(&design, &obs, Scale::Linear, true, 0.95).unwrap();
    assert_eq!(fit.scale, Scale::Linear);
    let expect = [(vec![0], 0.55), (vec![1], 0.05), (vec![0, 1], 0.05)];
    for (factors, value) in expect {
        let t = term(&fit, &factors);
        assert!((t.estimate - value).abs() < 1e-9, "{t:?}");
        assert!(t.ci_low < value && value < t.ci_high);
    }
    assert!(fit.baseline.abs() < 1e-9 && (fit.candidate - 0.6).abs() < 1e-9);
    // On the log scale the zero rows are ignored, and factor 0 can no
    // longer be estimated.
    assert_eq!(
        estimate_effects(&design, &obs, Scale::Log, false, 0.95),
        None
    );
}

#[test]
fn log_scale_ignores_non_positive_values_and_every_scale_ignores_non_finite() {
    let design = full_factorial(3).unwrap();
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let clean = simulate(&design, 3, 0.03, &mut rng, planted_three);
    let mut dirty = clean.clone();
    for (row, value) in [(0, 0.0), (3, -1.0), (5, f64::NAN), (6, f64::INFINITY)] {
        dirty.insert(row * 2, Observation { row, value });
    }
    dirty.push(Observation { row: 8, value: 1.0 }); // no such row
    dirty.push(Observation {
        row: usize::MAX,
        value: 1.0,
    });
    let fit = |obs: &[Observation], scale| estimate_effects(&design, obs, scale, true, 0.95);
    assert_eq!(fit(&dirty, Scale::Log), fit(&clean, Scale::Log));
    assert!(fit(&clean, Scale::Log).is_some());
    // Linear keeps 0 and −1 but drops NaN and ∞.
    let linear = fit(&dirty, Scale::Linear).unwrap();
    assert_eq!(linear.n, clean.len() + 2);
}

fn planted_three(levels: &[bool]) -> f64 {
    2.0 * factor(levels, 0, 1.3) * factor(levels, 2, 0.9)
}

#[test]
fn too_few_observations_or_a_missing_row_give_none() {
    let design = full_factorial(2).unwrap();
    let once: Vec<Observation> = (0..4)
        .map(|row| Observation {
            row,
            value: 1.0 + row as f64,
        })
        .collect();
    // 4 observations, 4 terms with the interaction: no residual df.
    assert_eq!(
        estimate_effects(&design, &once, Scale::Log, true, 0.95),
        None
    );
    // Without it, 1 df is left.
    let fit = estimate_effects(&design, &once, Scale::Log, false, 0.95).unwrap();
    assert_eq!((fit.n, fit.df), (4, 1));
    // Row 3 never measured: the interaction cannot be told apart.
    let mut missing: Vec<Observation> = Vec::new();
    for row in 0..3 {
        missing.extend((0..5).map(|i| Observation {
            row,
            value: 1.0 + 0.01 * i as f64,
        }));
    }
    assert_eq!(
        estimate_effects(&design, &missing, Scale::Log, true, 0.95),
        None
    );
    assert!(estimate_effects(&design, &missing, Scale::Log, false, 0.95).is_some());
}

#[test]
fn empty_or_malformed_input_gives_none_without_panicking() {
    let design = full_factorial(3).unwrap();
    for scale in [Scale::Log, Scale::Linear] {
        assert_eq!(estimate_effects(&design, &[], scale, true, 0.95), None);
    }
    let nan_only = vec![
        Observation {
            row: 0,
            value: f64::NAN
        };
        40
    ];
    assert_eq!(
        estimate_effects(&design, &nan_only, Scale::Linear, false, 0.95),
        None
    );
    let empty = Design {
        factors: 0,
        rows: vec![],
        kind: DesignKind::Full,
    };
    assert_eq!(estimate_effects(&empty, &[], Scale::Log, true, 0.95), None);
    let ragged = Design {
        factors: 2,
        rows: vec![vec![true], vec![false, true]],
        kind: DesignKind::Full,
    };
    let obs = vec![Observation { row: 1, value: 1.0 }; 10];
    assert_eq!(
        estimate_effects(&ragged, &obs, Scale::Log, true, 0.95),
        None
    );
    let huge = Design {
        factors: 300,
        rows: vec![vec![false; 300]],
        kind: DesignKind::PlackettBurman,
    };
    assert_eq!(estimate_effects(&huge, &obs, Scale::Log, false, 0.95), None);
    // No factors at all: only the intercept is fitted.
    let intercept_only = Design {
        factors: 0,
        rows: vec![vec![]],
        kind: DesignKind::Full,
    };
    let obs: Vec<Observation> = (0..5)
        .map(|i| Observation {
            row: 0,
            value: 1.0 + i as f64,
        })
        .collect();
    let no_terms = estimate_effects(&intercept_only, &obs, Scale::Linear, true, 0.95).unwrap();
    assert!((no_terms.baseline - 3.0).abs() < 1e-12 && no_terms.candidate == no_terms.baseline);
    assert!(no_terms.terms.is_empty() && rank_main_effects(&no_terms).is_empty());
}

#[test]
fn confidence_level_is_read_leniently() {
    let design = full_factorial(2).unwrap();
    let obs = simulate(&design, 3, 0.03, &mut ChaCha8Rng::seed_from_u64(3), |l| {
        factor(l, 0, 1.3)
    });
    let at = |level| estimate_effects(&design, &obs, Scale::Log, true, level).unwrap();
    assert_eq!(at(f64::NAN), at(0.95));
    let width = |e: &Effects| e.terms[0].ci_high / e.terms[0].ci_low;
    assert!(width(&at(0.99)) > width(&at(0.95)));
    let zero = at(-1.0);
    assert_eq!(zero.terms[0].ci_low, zero.terms[0].estimate);
    let all = at(2.0);
    assert_eq!(
        (all.terms[0].ci_low, all.terms[0].ci_high),
        (0.0, f64::INFINITY)
    );
}

proptest! {
    #[test]
    fn estimate_effects_never_panics_and_keeps_intervals_ordered(
        obs in proptest::collection::vec(
            (0usize..10, prop_oneof![
                -1e3f64..1e3,
                Just(0.0), Just(f64::NAN), Just(f64::INFINITY), Just(f64::MAX), Just(1e-300),
            ]),
            0..60,
        ),
        k in 1usize..=4,
        interactions: bool,
        log: bool,
        level in -0.5f64..1.5,
    ) {
        let obs: Vec<Observation> = obs.into_iter().map(|(row, value)| Observation { row, value }).collect();
        let scale = if log { Scale::Log } else { Scale::Linear };
        for design in [full_factorial(k).unwrap(), plackett_burman(k).unwrap()] {
            if let Some(fit) = estimate_effects(&design, &obs, scale, interactions, level) {
                prop_assert!(fit.df > 0 && fit.n > fit.df);
                for t in &fit.terms {
                    prop_assert!(t.ci_low <= t.estimate && t.estimate <= t.ci_high, "{:?}", t);
                    prop_assert!((0.0..=1.0).contains(&t.p_value), "{:?}", t);
                }
                prop_assert_eq!(rank_main_effects(&fit).len(), k);
            }
        }
    }
}
