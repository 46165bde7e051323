//! Synthetic performance histories with known change points, for tests,
//! benchmarks and comparisons with other tools.
//!
//! A series is piecewise constant: it starts at `base`, and at each planted
//! step its level is multiplied by `1 + s` or `1 − s` (direction by a coin
//! flip, `s` uniform in `[step_min, step_max]`). Each point is its level times
//! `1 + noise_cv·z` with z standard normal (Box–Muller), so `noise_cv` is the
//! coefficient of variation. A fraction `outlier_rate` of the points is then
//! multiplied by a factor uniform in `[outlier_min, outlier_max]`: outliers in
//! timings are slow runs (a busy machine, a cold cache).
//!
//! Steps are at least `min_gap` points apart and from either end. Everything
//! is drawn from ChaCha8 seeded with `seed`, so a seed names a series on every
//! platform.
//!
//! ```
//! use perfwatch_stats::changepoint::generate::{generate, GenOptions};
//! let g = generate(&GenOptions { len: 1000, steps: 5, seed: 7, ..GenOptions::default() }).unwrap();
//! assert_eq!(g.values.len(), 1000);
//! assert_eq!(g.steps.len(), 5);
//! ```

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// What to generate. `Default`: 500 points around 100 with 4 steps of 10–50 %,
/// at least 30 points apart, 2 % noise, 1 % outliers ×1.5–3, seed 0.
#[derive(Debug, Clone, PartialEq)]
pub struct GenOptions {
    /// Number of points.
    pub len: usize,
    /// Level of the first segment (> 0).
    pub base: f64,
    /// Number of planted steps.
    pub steps: usize,
    /// Smallest relative step size, in [0, 1).
    pub step_min: f64,
    /// Largest relative step size, in [step_min, 1).
    pub step_max: f64,
    /// Fewest points between two steps and between a step and either end.
    pub min_gap: usize,
    /// Coefficient of variation of the Gaussian noise (≥ 0).
    pub noise_cv: f64,
    /// Fraction of points that are outliers, in [0, 1].
    pub outlier_rate: f64,
    /// Smallest outlier factor (> 0).
    pub outlier_min: f64,
    /// Largest outlier factor (≥ outlier_min).
    pub outlier_max: f64,
    /// Seed of the ChaCha8 generator.
    pub seed: u64,
}

impl Default for GenOptions {
    fn default() -> Self {
        Self {
            len: 500,
            base: 100.0,
            steps: 4,
            step_min: 0.10,
            step_max: 0.50,
            min_gap: 30,
            noise_cv: 0.02,
            outlier_rate: 0.01,
            outlier_min: 1.5,
            outlier_max: 3.0,
            seed: 0,
        }
    }
}

/// A generated series and the truth about it.
#[derive(Debug, Clone, PartialEq)]
pub struct Generated {
    /// The series.
    pub values: Vec<f64>,
    /// Planted steps: the first index of each new level, increasing.
    pub steps: Vec<usize>,
    /// The level of each segment (`steps.len() + 1` of them).
    pub levels: Vec<f64>,
    /// Indices of the outliers, increasing.
    pub outliers: Vec<usize>,
}

/// Why a series could not be generated.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum GenError {
    /// `len` cannot hold `steps` steps `min_gap` apart.
    #[error("{steps} steps at least {min_gap} apart need ≥ {need} points, got {len}")]
    TooManySteps {
        /// Steps asked for.
        steps: usize,
        /// Gap asked for.
        min_gap: usize,
        /// Points needed.
        need: usize,
        /// Points asked for.
        len: usize,
    },
    /// An option is out of its documented range.
    #[error("invalid option {name}: {reason}")]
    InvalidOption {
        /// The option's field name.
        name: &'static str,
        /// What is wrong with it.
        reason: &'static str,
    },
}

impl GenOptions {
    fn validate(&self) -> Result<(), GenError> {
        let checks: [(bool, &'static str, &'static str); 7] = [
            (
                self.base > 0.0 && self.base.is_finite(),
                "base",
                "must be a finite number > 0",
            ),
            (self.step_min >= 0.0, "step_min", "must be ≥ 0"),
            (
                self.step_max >= self.step_min && self.step_max < 1.0,
                "step_max",
                "must be in [step_min, 1)",
            ),
            (self.min_gap >= 1, "min_gap", "must be at least 1"),
            (
                self.noise_cv >= 0.0 && self.noise_cv.is_finite(),
                "noise_cv",
                "must be a finite number ≥ 0",
            ),
            (
                (0.0..=1.0).contains(&self.outlier_rate),
                "outlier_rate",
                "must be in [0, 1]",
            ),
            (
                self.outlier_min > 0.0
                    && self.outlier_max >= self.outlier_min
                    && self.outlier_max.is_finite(),
                "outlier_min",
                "outlier factors must satisfy 0 < outlier_min ≤ outlier_max < ∞",
            ),
        ];
        if let Some(&(_, name, reason)) = checks.iter().find(|check| !check.0) {
            return Err(GenError::InvalidOption { name, reason });
        }
        let need = (self.steps + 1).saturating_mul(self.min_gap);
        if self.len < need {
            return Err(GenError::TooManySteps {
                steps: self.steps,
                min_gap: self.min_gap,
                need,
                len: self.len,
            });
        }
        Ok(())
    }
}

/// Generates a series as described in the [module documentation](self).
pub fn generate(options: &GenOptions) -> Result<Generated, GenError> {
    options.validate()?;
    let mut rng = ChaCha8Rng::seed_from_u64(options.seed);

    // Step i lands at (i+1)·min_gap plus a sorted share of the slack, which
    // keeps every gap ≥ min_gap.
    let slack = options.len - (options.steps + 1) * options.min_gap;
    let mut offsets: Vec<usize> = (0..options.steps)
        .map(|_| rng.random_range(0..=slack))
        .collect();
    offsets.sort_unstable();
    let steps: Vec<usize> = offsets
        .iter()
        .enumerate()
        .map(|(i, offset)| (i + 1) * options.min_gap + offset)
        .collect();

    let mut levels = vec![options.base];
    for _ in &steps {
        let size = rng.random_range(options.step_min..=options.step_max);
        let sign = if rng.random_bool(0.5) { 1.0 } else { -1.0 };
        let last = *levels.last().unwrap_or(&options.base);
        levels.push(last * (1.0 + sign * size));
    }

    let mut values = Vec::with_capacity(options.len);
    let mut outliers = Vec::new();
    let mut segment = 0;
    for i in 0..options.len {
        while segment < steps.len() && i >= steps[segment] {
            segment += 1;
        }
        let mut value = levels[segment] * (1.0 + options.noise_cv * standard_normal(&mut rng));
        if rng.random_bool(options.outlier_rate) {
            value *= rng.random_range(options.outlier_min..=options.outlier_max);
            outliers.push(i);
        }
        values.push(value);
    }
    Ok(Generated {
        values,
        steps,
        levels,
        outliers,
    })
}

/// A standard normal draw (Box–Muller, cosine branch).
fn standard_normal(rng: &mut ChaCha8Rng) -> f64 {
    let u1 = 1.0 - rng.random::<f64>(); // (0, 1]: ln stays finite
    let u2 = rng.random::<f64>();
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_series_other_seed_other_series() {
        let options = GenOptions::default();
        assert_eq!(generate(&options), generate(&options));
        let other = generate(&GenOptions {
            seed: 1,
            ..options.clone()
        })
        .unwrap();
        assert_ne!(generate(&options).unwrap().values, other.values);
    }

    #[test]
    fn steps_respect_the_gap_and_levels_the_sizes() {
        for seed in 0..50 {
            let options = GenOptions {
                len: 400,
                steps: 6,
                min_gap: 40,
                seed,
                ..GenOptions::default()
            };
            let g = generate(&options).unwrap();
            let mut bounds = vec![0];
            bounds.extend(&g.steps);
            bounds.push(400);
            assert!(
                bounds.windows(2).all(|w| w[1] - w[0] >= 40),
                "{:?}",
                g.steps
            );
            for pair in g.levels.windows(2) {
                let size = (pair[1] / pair[0] - 1.0).abs();
                assert!((0.10 - 1e-12..=0.50 + 1e-12).contains(&size), "{size}");
            }
        }
    }

    #[test]
    fn noise_and_outliers_have_the_asked_for_size() {
        let options = GenOptions {
            len: 100_000,
            steps: 0,
            noise_cv: 0.03,
            outlier_rate: 0.01,
            ..GenOptions::default()
        };
        let g = generate(&options).unwrap();
        let clean: Vec<f64> = g
            .values
            .iter()
            .enumerate()
            .filter(|(i, _)| g.outliers.binary_search(i).is_err())
            .map(|(_, v)| *v)
            .collect();
        let mean = clean.iter().sum::<f64>() / clean.len() as f64;
        let sd = (clean.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (clean.len() - 1) as f64)
            .sqrt();
        assert!((mean - 100.0).abs() < 0.1, "{mean}");
        assert!((sd / mean - 0.03).abs() < 0.001, "{}", sd / mean);
        let rate = g.outliers.len() as f64 / 100_000.0;
        assert!((rate - 0.01).abs() < 0.002, "{rate}");
        assert!(g.outliers.iter().all(|&i| g.values[i] > 100.0 * 1.2));
    }

    #[test]
    fn impossible_requests_are_refused() {
        let too_many = GenOptions {
            len: 100,
            steps: 4,
            min_gap: 30,
            ..GenOptions::default()
        };
        assert_eq!(
            generate(&too_many).unwrap_err().to_string(),
            "4 steps at least 30 apart need ≥ 150 points, got 100"
        );
        let cases = [
            (
                GenOptions {
                    base: 0.0,
                    ..GenOptions::default()
                },
                "base",
            ),
            (
                GenOptions {
                    step_max: 1.0,
                    ..GenOptions::default()
                },
                "step_max",
            ),
            (
                GenOptions {
                    noise_cv: -1.0,
                    ..GenOptions::default()
                },
                "noise_cv",
            ),
            (
                GenOptions {
                    outlier_rate: 2.0,
                    ..GenOptions::default()
                },
                "outlier_rate",
            ),
            (
                GenOptions {
                    min_gap: 0,
                    ..GenOptions::default()
                },
                "min_gap",
            ),
        ];
        for (options, want) in cases {
            assert!(
                matches!(generate(&options), Err(GenError::InvalidOption { name, .. }) if name == want)
            );
        }
    }
}
