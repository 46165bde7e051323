//! Store benchmark: the same history written to and read from SQLite and
//! PostgreSQL, side by side (run by `scripts/bench-store`; not a test).
//!
//! 1. Insert `SESSIONS` (default 1,000) sessions × 30 iterations × 20
//!    stages into each backend, one `insert_whole_session` each; prints
//!    sessions per second and the median per session.
//! 2. Fill each backend up to `TOTAL` (default 10,000) sessions, then time
//!    the reads a history page and a comparison make: a whole-run series,
//!    a stage series (last 100 sessions), listing the newest 50 sessions,
//!    and `analyze_stored` of one session against a baseline (what
//!    `perfwatch compare`/`report --baseline` run). Each read is repeated
//!    `REPEATS` (default 30) times, after `refresh_statistics` (what
//!    `db copy` runs after a bulk load); median and p90 printed.
//!
//! PostgreSQL is a private cluster started in a temporary directory
//! (`perfwatch_testkit::postgres`), on loopback, `fsync = off` as in the
//! tests (or the empty database named by `BENCH_PG_URL`); SQLite is a file in a temporary directory with its default
//! (durable) settings.

use perfwatch_app::Options;
use perfwatch_model::Metric;
use perfwatch_store::{PgStore, SeriesQuery, SessionFilter, SqliteStore, Store};
use perfwatch_testkit::synthetic::{pipeline_iterations, pipeline_session};
use std::time::{Duration, Instant};

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn quantiles(mut d: Vec<Duration>) -> (f64, f64) {
    d.sort();
    let ms = |x: Duration| x.as_secs_f64() * 1e3;
    (
        ms(d[d.len() / 2]),
        ms(d[(d.len() * 9 / 10).min(d.len() - 1)]),
    )
}

fn timed(repeats: usize, mut f: impl FnMut()) -> (f64, f64) {
    quantiles(
        (0..repeats)
            .map(|_| {
                let t = Instant::now();
                f();
                t.elapsed()
            })
            .collect(),
    )
}

struct Figures {
    insert_per_s: f64,
    insert_median_ms: f64,
    reads: Vec<(&'static str, (f64, f64))>,
}

fn bench(store: &dyn Store, sessions: usize, total: usize, repeats: usize) -> Figures {
    let mut per = Vec::with_capacity(sessions);
    let start = Instant::now();
    let mut first = None;
    for n in 0..sessions {
        let s = pipeline_session(n);
        first.get_or_insert(s.id.clone());
        let its = pipeline_iterations(n);
        let t = Instant::now();
        store.insert_whole_session(&s, &its).unwrap();
        per.push(t.elapsed());
    }
    let insert_per_s = sessions as f64 / start.elapsed().as_secs_f64();
    let (insert_median_ms, _) = quantiles(per);
    for n in sessions..total {
        store
            .insert_whole_session(&pipeline_session(n), &pipeline_iterations(n))
            .unwrap();
        if (n + 1) % 1000 == 0 {
            eprintln!("  {} sessions", n + 1);
        }
    }
    store
        .save_baseline("main", &[first.unwrap()], None, true)
        .unwrap();
    // As `db copy` does after a bulk load: plans from real statistics.
    store.refresh_statistics().unwrap();
    let latest = store.resolve_session("latest").unwrap();
    let opts = Options::default();
    let reads = vec![
        (
            "series wall_s (all sessions)",
            timed(repeats, || {
                store.series(&SeriesQuery::new("pipeline")).unwrap();
            }),
        ),
        (
            "series stage, last 100",
            timed(repeats, || {
                let q = SeriesQuery {
                    stage: Some("pipeline/component1/method2".into()),
                    last: Some(100),
                    metric: Metric::WallS,
                    ..SeriesQuery::new("pipeline")
                };
                store.series(&q).unwrap();
            }),
        ),
        (
            "list newest 50",
            timed(repeats, || {
                let f = SessionFilter {
                    limit: Some(50),
                    ..Default::default()
                };
                store.list_sessions(&f).unwrap();
            }),
        ),
        (
            "compare latest vs baseline",
            timed(repeats, || {
                perfwatch_app::load::analyze_stored(store, &latest, Some("main"), &opts).unwrap();
            }),
        ),
    ];
    Figures {
        insert_per_s,
        insert_median_ms,
        reads,
    }
}

fn main() {
    let sessions = env("SESSIONS", 1000);
    let total = env("TOTAL", 10_000).max(sessions);
    let repeats = env("REPEATS", 30);
    let dir = tempfile::tempdir().unwrap();
    // BENCH_PG_URL: an existing, empty database instead of a private cluster.
    let cluster;
    let url = match std::env::var("BENCH_PG_URL") {
        Ok(url) => url,
        Err(_) => {
            cluster = perfwatch_testkit::postgres::PgCluster::start().expect("PostgreSQL");
            cluster.create_database("bench").unwrap()
        }
    };

    eprintln!("SQLite: inserting {sessions}, filling to {total}");
    let sqlite = SqliteStore::open(&dir.path().join("bench.db")).unwrap();
    let a = bench(&sqlite, sessions, total, repeats);
    eprintln!("PostgreSQL: inserting {sessions}, filling to {total}");
    let pg = PgStore::connect(&url).unwrap();
    let b = bench(&pg, sessions, total, repeats);

    println!("store benchmark: {sessions} sessions × 30 iterations × 20 stages inserted, reads at {total} sessions ({repeats} repeats)");
    println!(
        "{:<32} {:>18} {:>18} {:>8}",
        "", "SQLite", "PostgreSQL", "PG/SQL"
    );
    println!(
        "{:<32} {:>13.1} /s {:>13.1} /s {:>8.2}",
        "insert sessions",
        a.insert_per_s,
        b.insert_per_s,
        b.insert_per_s / a.insert_per_s
    );
    println!(
        "{:<32} {:>15.2} ms {:>15.2} ms {:>8.2}",
        "insert one session (median)",
        a.insert_median_ms,
        b.insert_median_ms,
        b.insert_median_ms / a.insert_median_ms
    );
    for ((name, (am, ap)), (_, (bm, bp))) in a.reads.iter().zip(&b.reads) {
        println!(
            "{:<32} {:>6.2} ms p90 {:>5.1} {:>6.2} ms p90 {:>5.1} {:>8.2}",
            name,
            am,
            ap,
            bm,
            bp,
            bm / am
        );
    }
}
