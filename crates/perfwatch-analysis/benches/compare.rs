//! Speed of one comparison of 2×30 samples at the default options (2000
//! bootstrap resamples): the cost `perfwatch ab` pays per metric and stage.

// `criterion_group!` generates undocumented public functions.
#![allow(missing_docs)]

use criterion::{criterion_group, criterion_main, Criterion};
use perfwatch_analysis::{compare_samples, CompareOptions};
use std::hint::black_box;

fn sample(n: usize, scale: f64) -> Vec<f64> {
    // Deterministic, jittered values around `scale`.
    (0..n)
        .map(|i| scale * (1.0 + 0.02 * (((i * 7919) % 101) as f64 / 101.0 - 0.5)))
        .collect()
}

fn bench(c: &mut Criterion) {
    let base = sample(30, 0.050);
    let cand = sample(30, 0.055);
    let opts = CompareOptions::default();
    c.bench_function("compare_samples 2x30, 2000 resamples", |b| {
        b.iter(|| {
            compare_samples(
                "wall_s",
                None,
                "base",
                "cand",
                black_box(&base),
                black_box(&cand),
                &opts,
            )
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
