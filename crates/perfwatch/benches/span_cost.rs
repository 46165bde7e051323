//! What one span costs, side by side in one run: this probe recording (a
//! hot loop, folded after 1,000 calls), this probe recording every call
//! individually, this probe off (paused), `puffin` with profiling on, and a
//! `tracing` registry with a minimal timing layer; and, for scale, two
//! `Instant::now()` calls.
//!
//! `cargo bench -p perfwatch --bench span_cost -- --warm-up-time 1 --measurement-time 3`

// `criterion_group!` makes an undocumented `pub fn`.
#![allow(missing_docs)]

use criterion::{criterion_group, criterion_main, Criterion};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};
use tracing_subscriber::registry::LookupSpan;

/// The smallest useful `tracing` timing layer: `Instant::now` on enter and
/// exit, the duration summed.
struct TimingLayer {
    total_ns: AtomicU64,
}

struct Entered(Instant);

impl<S: tracing::Subscriber + for<'a> LookupSpan<'a>> Layer<S> for TimingLayer {
    fn on_enter(&self, id: &tracing::span::Id, ctx: Context<'_, S>) {
        if let Some(span) = ctx.span(id) {
            span.extensions_mut().replace(Entered(Instant::now()));
        }
    }

    fn on_exit(&self, id: &tracing::span::Id, ctx: Context<'_, S>) {
        if let Some(span) = ctx.span(id) {
            if let Some(Entered(at)) = span.extensions_mut().remove::<Entered>() {
                self.total_ns
                    .fetch_add(at.elapsed().as_nanos() as u64, Ordering::Relaxed);
            }
        }
    }
}

/// Inner spans per outer scope / puffin frame.
const BATCH: u64 = 1_000;

fn span_cost(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temporary directory");
    perfwatch::init(perfwatch::Config::default().spans_path(dir.path().join("spans.jsonl")))
        .expect("the probe starts");
    let mut group = c.benchmark_group("span_cost");

    // For scale: the two reads of the standard clock that a span timed
    // with `Instant` would need (the probe reads the time-stamp counter
    // instead where the kernel trusts it).
    group.bench_function("two_instant_now", |b| {
        b.iter(|| {
            std::hint::black_box(Instant::now());
            std::hint::black_box(Instant::now());
        })
    });

    group.bench_function("perfwatch_on", |b| {
        b.iter(|| {
            let _s = perfwatch::span!("bench");
        })
    });

    group.bench_function("perfwatch_on_every_call_written", |b| {
        perfwatch::set_max_calls_per_stage(u32::MAX);
        b.iter(|| {
            let _s = perfwatch::span!("bench_unfolded");
        });
        perfwatch::set_max_calls_per_stage(perfwatch::DEFAULT_MAX_CALLS);
    });

    group.bench_function("perfwatch_off", |b| {
        perfwatch::set_recording(false);
        b.iter(|| {
            let _s = perfwatch::span!("bench_off");
        });
        perfwatch::set_recording(true);
    });

    group.bench_function("puffin", |b| {
        puffin::set_scopes_on(true);
        // Scopes inside a frame scope, one frame per BATCH, as a game
        // would: puffin hands a thread's scopes over when its outermost
        // scope ends and packs them at `new_frame`.
        b.iter_custom(|iters| {
            let start = Instant::now();
            let mut left = iters;
            while left > 0 {
                let n = left.min(BATCH);
                {
                    puffin::profile_scope!("frame");
                    for _ in 0..n {
                        puffin::profile_scope!("bench");
                    }
                }
                puffin::GlobalProfiler::lock().new_frame();
                left -= n;
            }
            start.elapsed()
        });
        puffin::set_scopes_on(false);
    });

    group.bench_function("tracing_timing_layer", |b| {
        let layer = TimingLayer {
            total_ns: AtomicU64::new(0),
        };
        let subscriber = tracing_subscriber::registry().with(layer);
        tracing::subscriber::with_default(subscriber, || {
            b.iter(|| {
                let _s = tracing::info_span!("bench").entered();
            })
        });
    });

    group.finish();
    perfwatch::flush();
    let stats = perfwatch::stats();
    eprintln!(
        "probe: {} lines written, {} dropped, {} write errors",
        stats.lines_written, stats.lines_dropped, stats.write_errors
    );
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    targets = span_cost
}
criterion_main!(benches);
