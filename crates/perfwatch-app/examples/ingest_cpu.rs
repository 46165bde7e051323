//! A fixed amount of work through the team server's monitor-ingest path
//! (decode, map, gather into runs, store in SQLite) for `perf stat`: the
//! criterion bench (`benches/monitor_ingest.rs`) times the same path per
//! batch; this runs N batches (400 unless given) once, so that two builds
//! can be compared by the CPU time each takes, alternated:
//!
//! ```text
//! cargo build --release -p perfwatch-app --example ingest_cpu
//! perf stat -e task-clock target/release/examples/ingest_cpu 1000
//! ```
//!
//! It prints the wall time per span; the CPU per span is `perf stat`'s
//! task-clock over N × 512 (building the N bodies first is included: a
//! few percent, the same in every build).

#[path = "../benches/support/otlp_batch.rs"]
mod otlp_batch;

use otlp_batch::{request, SPANS};
use perfwatch_app::monitor::{store_runs, Assembler, MonitoredSessions};
use perfwatch_otlp::decode::{decode_request, Encoding};
use perfwatch_otlp::traced::map_traced;
use perfwatch_otlp::MapOptions;
use perfwatch_store::SqliteStore;
use std::hint::black_box;

fn main() {
    let n: u64 = match std::env::args().nth(1).map(|a| a.parse()) {
        None => 400,
        Some(Ok(n)) if n > 0 => n,
        Some(_) => {
            eprintln!("usage: ingest_cpu [BATCHES]  (a positive number, 400 unless given)");
            std::process::exit(2);
        }
    };
    let opts = MapOptions::default();
    let dir = tempfile::tempdir().expect("a temporary directory");
    let store = SqliteStore::open(&dir.path().join("history.db")).expect("a new history");
    let mut sessions = MonitoredSessions::default();
    let bodies: Vec<Vec<u8>> = (1_000_000..1_000_000 + n).map(request).collect();
    let started = std::time::Instant::now();
    for body in &bodies {
        let mut assembler = Assembler::new(0);
        let req = decode_request(black_box(body), Encoding::Protobuf).expect("a valid batch");
        assembler.add(map_traced(&req, &opts).spans, 1);
        black_box(store_runs(&store, &mut sessions, assembler.due(u64::MAX)));
    }
    let per_span = started.elapsed().as_secs_f64() * 1e6 / (n * SPANS) as f64;
    eprintln!("{per_span:.3} µs/span wall ({n} batches of {SPANS} spans)");
}
