//! [`DetectOptions::otava`] against answers of Apache Otava 0.8.0, pinned.
//!
//! The series are those `scripts/changepoint-vs-otava` generates (`gen --len
//! 1000 --steps 10 --seed S`); the indices are what Otava's
//! `compute_change_points(series, window_len=50, max_pvalue=0.001,
//! min_magnitude=0.0)` returned for them (the script prints both).

use super::generate::{generate, GenOptions};
use super::{detect, DetectOptions, Detector};

fn series(seed: u64) -> Vec<f64> {
    let options = GenOptions {
        len: 1000,
        steps: 10,
        seed,
        ..GenOptions::default()
    };
    generate(&options).expect("valid generator options").values
}

fn indices(series: &[f64], options: &DetectOptions) -> Vec<usize> {
    let found = detect(series, options).expect("long enough");
    found.iter().map(|c| c.index).collect()
}

/// Otava's answers, with the seed of each series.
const OTAVA_0_8_0: [(u64, &[usize]); 3] = [
    (1, &[83, 201, 237, 310, 409, 450, 578, 640, 828, 968, 969]),
    (2, &[51, 181, 219, 269, 304, 530, 577, 769, 845, 891]),
    (
        3,
        &[
            84, 116, 162, 209, 336, 548, 549, 607, 608, 638, 763, 806, 880, 881, 914,
        ],
    ),
];

#[test]
fn the_otava_preset_finds_what_otava_finds() {
    for (seed, want) in OTAVA_0_8_0 {
        assert_eq!(
            indices(&series(seed), &DetectOptions::otava()),
            want,
            "seed {seed}"
        );
    }
}

#[test]
fn without_otava_compat_seed_3_differs() {
    // Sample variances and fresh neighbours lose 209 and keep 433, 434, 480
    // and 481, which Otava drops.
    let textbook = DetectOptions {
        otava_compat: false,
        ..DetectOptions::otava()
    };
    let found = indices(&series(3), &textbook);
    let want = [
        84, 116, 162, 336, 433, 434, 480, 481, 548, 549, 607, 608, 638, 763, 806, 880, 881, 914,
    ];
    assert_eq!(found, want);
}

#[test]
fn the_detector_agrees_under_otava_compat() {
    let values = series(3);
    let mut detector = Detector::new(DetectOptions::otava()).expect("valid options");
    for chunk in values.chunks(37) {
        detector.extend(chunk).expect("finite values");
    }
    let found: Vec<usize> = detector
        .change_points()
        .expect("long enough")
        .iter()
        .map(|c| c.index)
        .collect();
    assert_eq!(found, OTAVA_0_8_0[2].1);
}
