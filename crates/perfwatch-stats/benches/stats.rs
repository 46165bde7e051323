//! Speed of the statistics behind one comparison: a ratio-of-medians
//! bootstrap interval and a Mann-Whitney test on 2×30 values, and a summary.

// `criterion_group!` generates undocumented public functions.
#![allow(missing_docs)]

use criterion::{criterion_group, criterion_main, Criterion};
use perfwatch_stats::{mann_whitney, ratio_of_medians_ci, summarize, CiOptions};
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
    let opts = CiOptions::default();
    c.bench_function("ratio_of_medians_ci 2x30, 2000 resamples", |b| {
        b.iter(|| ratio_of_medians_ci(black_box(&base), black_box(&cand), &opts))
    });
    c.bench_function("mann_whitney 2x30", |b| {
        b.iter(|| mann_whitney(black_box(&base), black_box(&cand)))
    });
    c.bench_function("summarize 30, 2000 resamples", |b| {
        b.iter(|| summarize(black_box(&base), &opts))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
