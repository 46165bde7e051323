//! The team server's cost per monitored span, stage by stage: OTLP
//! protobuf decoding, mapping, gathering into runs, and storing the runs
//! in SQLite — the path `POST /v1/traces` and the store task take.
//!
//! Each batch is what `python/bench/ingest_cost.py` sends: 512 spans, 64
//! traces of a root and 7 children, two or three attributes each. Divide
//! a batch's time by 512 for the cost per span.

// `criterion_group!` generates undocumented public functions.
#![allow(missing_docs)]

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use perfwatch_app::monitor::{store_runs, Assembler, MonitoredSessions};
use perfwatch_otlp::decode::{decode_request, Encoding};
use perfwatch_otlp::traced::map_traced;
use perfwatch_otlp::MapOptions;
use perfwatch_store::SqliteStore;
use std::hint::black_box;

#[path = "support/otlp_batch.rs"]
mod otlp_batch;
use otlp_batch::{request, SPANS};

fn bench(c: &mut Criterion) {
    let body = request(0);
    let opts = MapOptions::default();
    let mut g = c.benchmark_group("monitor ingest, batch of 512 spans");
    g.throughput(Throughput::Elements(SPANS));
    g.bench_function("decode protobuf", |b| {
        b.iter(|| decode_request(black_box(&body), Encoding::Protobuf).unwrap())
    });
    let req = decode_request(&body, Encoding::Protobuf).unwrap();
    g.bench_function("map", |b| b.iter(|| map_traced(black_box(&req), &opts)));
    g.bench_function("gather into runs", |b| {
        b.iter_batched(
            || map_traced(&req, &opts).spans,
            |spans| {
                let mut a = Assembler::new(0);
                a.add(spans, 1);
                a.due(u64::MAX)
            },
            BatchSize::SmallInput,
        )
    });
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&dir.path().join("history.db")).unwrap();
    let mut sessions = MonitoredSessions::default();
    let mut batch = 0;
    g.bench_function("store runs", |b| {
        b.iter_batched(
            || {
                batch += 1;
                let req = decode_request(&request(batch), Encoding::Protobuf).unwrap();
                let mut a = Assembler::new(0);
                a.add(map_traced(&req, &opts).spans, 1);
                a.due(u64::MAX)
            },
            |runs| store_runs(&store, &mut sessions, runs),
            BatchSize::SmallInput,
        )
    });
    let bodies: Vec<Vec<u8>> = (1_000_000..1_000_400).map(request).collect();
    let mut next = bodies.iter().cycle();
    g.bench_function("whole path", |b| {
        b.iter(|| {
            // Trace ids repeat after 400 batches: a fresh assembler has
            // not seen them.
            let mut a = Assembler::new(0);
            let req = decode_request(next.next().unwrap(), Encoding::Protobuf).unwrap();
            a.add(map_traced(&req, &opts).spans, 1);
            store_runs(&store, &mut sessions, a.due(u64::MAX))
        })
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30);
    targets = bench
}
criterion_main!(benches);
