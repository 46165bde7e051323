//! Speed of change-point detection: batch over 1,000 and 10,000 points, and
//! one appended point on a detector already holding 10,000.

// `criterion_group!` generates undocumented public functions.
#![allow(missing_docs)]

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use perfwatch_stats::changepoint::generate::{generate, GenOptions};
use perfwatch_stats::changepoint::{detect, DetectOptions, Detector};
use std::hint::black_box;

fn series(len: usize) -> Vec<f64> {
    let options = GenOptions {
        len,
        steps: len / 100,
        seed: 42,
        ..GenOptions::default()
    };
    generate(&options).expect("valid generator options").values
}

fn bench(c: &mut Criterion) {
    let options = DetectOptions::default();
    for len in [1_000, 10_000] {
        let values = series(len);
        c.bench_function(&format!("detect {len} points"), |b| {
            b.iter(|| detect(black_box(&values), &options))
        });
    }
    let values = series(10_001);
    let (last, head) = values.split_last().expect("non-empty");
    let mut warm = Detector::new(options.clone()).expect("valid options");
    warm.extend(head).expect("finite values");
    c.bench_function("Detector::push onto 10000 points", |b| {
        b.iter_batched(
            || warm.clone(),
            |mut detector| detector.push(black_box(*last)).map(|()| detector),
            BatchSize::LargeInput,
        )
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
