//! Calibration of the anytime-valid t-test used by `--until-confident`
//! (run by `scripts/calibrate-adaptive`; prints, asserts nothing).
//!
//! For per-run noise levels from 2 % to 11 % (log-normal), it simulates:
//! * A/A: two identical variants, looked at after every round up to the
//!   budget: the false-alarm rate (goal ≤ 1 %);
//! * a +10 % change: how many rounds the test needs (median, p90) and how
//!   often it decides "slower" (its power);
//! * the fixed design it replaces: 30 runs per side, Welch's t-test on the
//!   logs, at α = 0.05 and at the sequential test's α = 0.01: its power.
//!
//! The rounds needed are compared with the fixed design's 30 at the noise
//! levels where the two have the same power.

use perfwatch_stats::sequential::{Decision, SafeTTest};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use statrs::distribution::{ContinuousCDF, StudentsT};

fn normal(rng: &mut ChaCha8Rng) -> f64 {
    let u1: f64 = rng.random::<f64>().max(f64::MIN_POSITIVE);
    let u2: f64 = rng.random();
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

/// One adaptive comparison: decision and rounds.
fn adaptive(rng: &mut ChaCha8Rng, effect: f64, noise: f64, budget: usize) -> (Decision, usize) {
    let test = SafeTTest::default();
    let band = 1.02f64.ln();
    let mut diffs = Vec::with_capacity(budget);
    for n in 1..=budget {
        let a = noise * normal(rng);
        let b = (1.0 + effect).ln() + noise * normal(rng);
        diffs.push(b - a);
        let state = test.decide(&diffs, band);
        if state.decision.is_decided() {
            return (state.decision, n);
        }
    }
    (Decision::Continue, budget)
}

/// Power of the fixed design: 30 per side, Welch's t on the logs.
fn fixed_power(rng: &mut ChaCha8Rng, effect: f64, noise: f64, alpha: f64, trials: usize) -> f64 {
    let n = 30;
    let t = StudentsT::new(0.0, 1.0, (2 * n - 2) as f64).unwrap();
    let q = t.inverse_cdf(1.0 - alpha / 2.0);
    let mut hits = 0;
    for _ in 0..trials {
        let a: Vec<f64> = (0..n).map(|_| noise * normal(rng)).collect();
        let b: Vec<f64> = (0..n)
            .map(|_| (1.0 + effect).ln() + noise * normal(rng))
            .collect();
        let mean = |x: &[f64]| x.iter().sum::<f64>() / x.len() as f64;
        let var = |x: &[f64], m: f64| {
            x.iter().map(|v| (v - m).powi(2)).sum::<f64>() / (x.len() - 1) as f64
        };
        let (ma, mb) = (mean(&a), mean(&b));
        let se = ((var(&a, ma) + var(&b, mb)) / n as f64).sqrt();
        if (mb - ma) / se > q {
            hits += 1;
        }
    }
    hits as f64 / trials as f64
}

fn main() {
    let trials: usize = std::env::var("TRIALS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(4000);
    let budget = 60;
    let mut rng = ChaCha8Rng::seed_from_u64(2026);
    println!("anytime-valid t-test (α = 0.01, band ±2 %, budget {budget} rounds), {trials} trials per row");
    println!(
        "{:>6}  {:>10}  {:>12}  {:>12}  {:>10}  {:>10}  {:>12}  {:>12}",
        "noise",
        "A/A alarm",
        "+10% power",
        "rounds med",
        "rounds p90",
        "vs 30",
        "fixed30 a.05",
        "fixed30 a.01"
    );
    for noise in [0.02, 0.03, 0.05, 0.07, 0.09, 0.11] {
        let alarms = (0..trials)
            .filter(|_| {
                matches!(
                    adaptive(&mut rng, 0.0, noise, budget).0,
                    Decision::Different { .. }
                )
            })
            .count();
        let mut rounds = Vec::with_capacity(trials);
        let mut power = 0;
        for _ in 0..trials {
            let (d, n) = adaptive(&mut rng, 0.10, noise, budget);
            if d == (Decision::Different { sign: 1 }) {
                power += 1;
            }
            rounds.push(n);
        }
        rounds.sort_unstable();
        let med = rounds[trials / 2];
        let p90 = rounds[trials * 9 / 10];
        let f05 = fixed_power(&mut rng, 0.10, noise, 0.05, trials);
        let f01 = fixed_power(&mut rng, 0.10, noise, 0.01, trials);
        println!(
            "{:>5.0}%  {:>9.2}%  {:>11.1}%  {:>12}  {:>10}  {:>9.2}×  {:>11.1}%  {:>11.1}%",
            noise * 100.0,
            100.0 * alarms as f64 / trials as f64,
            100.0 * power as f64 / trials as f64,
            med,
            p90,
            med as f64 / 30.0,
            100.0 * f05,
            100.0 * f01
        );
    }
}
