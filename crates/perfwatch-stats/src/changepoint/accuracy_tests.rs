//! Accuracy of [`detect`] at its defaults on generated histories.
//!
//! A detection counts as finding a planted step when it lies within
//! ±[`TOLERANCE`] indices of it; each step and each detection is matched at
//! most once. Rates are printed (`cargo test -- --nocapture` shows them).

use super::generate::{generate, GenOptions};
use super::{detect, DetectOptions};

/// How far (in indices) a detection may be from the planted step it finds.
const TOLERANCE: usize = 2;

#[derive(Debug, Default)]
struct Tally {
    series: usize,
    planted: usize,
    detected: usize,
    matched: usize,
    series_with_detections: usize,
}

impl Tally {
    fn recall(&self) -> f64 {
        self.matched as f64 / self.planted.max(1) as f64
    }
    fn precision(&self) -> f64 {
        self.matched as f64 / self.detected.max(1) as f64
    }
    fn alarm_rate(&self) -> f64 {
        self.series_with_detections as f64 / self.series.max(1) as f64
    }
}

/// Runs `detect` over series generated from `base` with seeds `0..count`,
/// cycling the noise level through `cvs`.
fn run_suite(base: &GenOptions, cvs: &[f64], count: u64) -> Tally {
    let mut tally = Tally::default();
    for seed in 0..count {
        let options = GenOptions {
            seed,
            noise_cv: cvs[seed as usize % cvs.len()],
            ..base.clone()
        };
        let generated = generate(&options).expect("valid generator options");
        let found = detect(&generated.values, &DetectOptions::default()).expect("long enough");
        let mut used = vec![false; found.len()];
        for &step in &generated.steps {
            let hit = found
                .iter()
                .enumerate()
                .find(|(i, cp)| !used[*i] && cp.index.abs_diff(step) <= TOLERANCE);
            if let Some((i, _)) = hit {
                used[i] = true;
                tally.matched += 1;
            }
        }
        tally.series += 1;
        tally.planted += generated.steps.len();
        tally.detected += found.len();
        tally.series_with_detections += usize::from(!found.is_empty());
    }
    tally
}

/// Steps of 10–50 % under 1–3 % noise with 1 % outliers (×1.5–3): the shifts
/// a performance history should never miss.
#[test]
fn detectable_steps_are_found() {
    let base = GenOptions {
        len: 500,
        steps: 4,
        step_min: 0.10,
        step_max: 0.50,
        min_gap: 30,
        outlier_rate: 0.01,
        outlier_min: 1.5,
        outlier_max: 3.0,
        ..GenOptions::default()
    };
    let tally = run_suite(&base, &[0.01, 0.02, 0.03], 150);
    println!(
        "detectable (150 × 500 points, 4 steps of 10–50 %, CV 1–3 %, 1 % outliers ×1.5–3, ±{TOLERANCE}): \
         recall {:.1} % ({}/{}), precision {:.1} % ({}/{})",
        100.0 * tally.recall(),
        tally.matched,
        tally.planted,
        100.0 * tally.precision(),
        tally.matched,
        tally.detected,
    );
    assert!(tally.recall() >= 0.95, "{tally:?}");
    assert!(tally.precision() >= 0.90, "{tally:?}");
}

/// Pure noise (1–5 % CV) with 1 % outliers: almost never a change point.
#[test]
fn pure_noise_rarely_raises_an_alarm() {
    let base = GenOptions {
        len: 500,
        steps: 0,
        outlier_rate: 0.01,
        outlier_min: 1.5,
        outlier_max: 3.0,
        ..GenOptions::default()
    };
    let tally = run_suite(&base, &[0.01, 0.02, 0.03, 0.04, 0.05], 1000);
    println!(
        "pure noise (1000 × 500 points, CV 1–5 %, 1 % outliers ×1.5–3): {} series with a change point \
         ({:.2} %), {} change points in all",
        tally.series_with_detections,
        100.0 * tally.alarm_rate(),
        tally.detected,
    );
    assert!(tally.alarm_rate() <= 0.01, "{tally:?}");
}

/// Steps of 5–10 %, close to the 5 % minimum magnitude: reported, not held to
/// a threshold.
#[test]
fn small_steps_are_reported() {
    let base = GenOptions {
        len: 500,
        steps: 4,
        step_min: 0.05,
        step_max: 0.10,
        min_gap: 30,
        ..GenOptions::default()
    };
    let tally = run_suite(&base, &[0.01, 0.02, 0.03], 60);
    println!(
        "small steps (60 × 500 points, 4 steps of 5–10 %, CV 1–3 %, 1 % outliers): recall {:.1} %, precision {:.1} %",
        100.0 * tally.recall(),
        100.0 * tally.precision(),
    );
    assert!(tally.planted == 240);
}
