//! Times `MetricsHub::render` (a `/metrics` scrape) with the series cap
//! full: 10,000 entries (benchmarks × variants × stages from real
//! analyses of sessions in an in-memory history) and a few dozen API
//! routes.
//!
//! ```text
//! cargo run --release -p perfwatch-metrics --example scrape_bench [-- ENTRIES]
//! ```

use perfwatch_app::Options;
use perfwatch_metrics::MetricsHub;
use perfwatch_model::{
    CommandSpec, HostInfo, Iteration, Session, SessionStatus, Span, Tier, VariantSpec,
};
use perfwatch_store::{new_session_id, SqliteStore, Store};
use std::time::{Duration, Instant};

const BENCHMARKS: usize = 10;
const VARIANTS: [&str; 2] = ["current", "candidate"];
const ITERATIONS: u32 = 5;
const SCRAPES: usize = 200;

fn main() {
    let entries: usize = std::env::args()
        .nth(1)
        .map_or(10_000, |a| a.parse().expect("ENTRIES is a number"));
    // Enough stages per variant to fill the cap (a few are dropped).
    let stages = entries / (BENCHMARKS * VARIANTS.len()) + 1;
    let store = SqliteStore::open_in_memory().expect("an in-memory history");
    let built = Instant::now();
    for b in 0..BENCHMARKS {
        store_session(&store, &format!("pipeline-{b:02}"), stages);
    }
    let hub = MetricsHub::new(entries);
    let refreshed = hub
        .refresh_from_store(&store, &Options::default())
        .expect("the history is readable");
    assert!(refreshed.failed.is_empty(), "{:?}", refreshed.failed);
    for r in 0..40 {
        for status in [200, 404] {
            hub.record_request(
                &format!("/api/v1/route{r}/{{id}}"),
                "GET",
                status,
                Duration::from_millis(3),
            );
        }
    }
    println!(
        "built {} entries ({} benchmarks × {} variants × {stages} stages, cap {entries}) in {:.1} s",
        hub.series(),
        BENCHMARKS,
        VARIANTS.len(),
        built.elapsed().as_secs_f64()
    );

    for (name, render) in [
        (
            "OpenMetrics",
            &(|h: &MetricsHub| h.render()) as &dyn Fn(&MetricsHub) -> String,
        ),
        ("text 0.0.4", &|h: &MetricsHub| h.render_text()),
    ] {
        let text = render(&hub);
        let samples = text.lines().filter(|l| !l.starts_with('#')).count();
        let mut times: Vec<f64> = (0..SCRAPES)
            .map(|_| {
                let start = Instant::now();
                let text = render(&hub);
                let elapsed = start.elapsed().as_secs_f64();
                std::hint::black_box(text);
                elapsed * 1e3
            })
            .collect();
        times.sort_by(f64::total_cmp);
        println!(
            "render ({name}): {samples} samples, {:.1} MB; median {:.2} ms, p95 {:.2} ms, max {:.2} ms over {SCRAPES} scrapes",
            text.len() as f64 / 1e6,
            times[SCRAPES / 2],
            times[SCRAPES * 95 / 100],
            times[SCRAPES - 1]
        );
    }
}

fn store_session(store: &dyn Store, benchmark: &str, stages: usize) {
    let session = Session {
        id: new_session_id(),
        started_at: "2026-01-01T00:00:00.000Z".into(),
        finished_at: None,
        benchmark: benchmark.into(),
        command: CommandSpec {
            argv: vec!["job".into()],
            shell: false,
        },
        variants: VARIANTS
            .iter()
            .map(|v| VariantSpec {
                name: (*v).into(),
                ..VariantSpec::default()
            })
            .collect(),
        git: None,
        host: HostInfo::default(),
        perfwatch_version: "0".into(),
        status: SessionStatus::Complete,
        baseline: None,
        shell_correction: None,
        imported: None,
        owner: None,
        adaptive: None,
        program_version: None,
    };
    let mut iterations = Vec::new();
    for i in 0..ITERATIONS {
        for v in VARIANTS {
            let jitter = 1.0 + 1e-3 * f64::from(i);
            let spans = (0..stages)
                .map(|s| {
                    let start = s as f64 * 1e-3;
                    Span {
                        id: s as u64 + 1,
                        parent: None,
                        name: format!("stage-{s:04}"),
                        tier: Tier::Component,
                        component: None,
                        start_s: start,
                        end_s: start + 1e-3 * jitter,
                        ok: true,
                        calls: 1,
                        failed_calls: 0,
                        total_s: None,
                        attributes: Default::default(),
                    }
                })
                .collect();
            iterations.push(Iteration {
                index: iterations.len() as u32,
                variant: v.into(),
                exit_code: Some(0),
                wall_s: stages as f64 * 1e-3 * jitter,
                user_s: Some(0.5 * jitter),
                sys_s: Some(0.1 * jitter),
                max_rss_bytes: Some(50_000_000),
                voluntary_cs: Some(10),
                stages: spans,
                ..Iteration::default()
            });
        }
    }
    store
        .insert_whole_session(&session, &iterations)
        .expect("the session is stored");
}
