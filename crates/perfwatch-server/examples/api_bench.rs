//! API benchmark (run by `scripts/bench-server`; not a test): a team
//! server over PostgreSQL holding `TOTAL` (default 10,000) sessions, read
//! by 16 concurrent clients with keep-alive connections.
//!
//! For each read route — list, one session, compare, history — the
//! clients send requests for `SECONDS` (default 10) and the latency of
//! every request is kept: p50, p99, max and the request rate are printed.
//! Then `/metrics` with `MAX_SERIES` label sets filled (default 10,000) is
//! scraped `REPEATS` (default 50) times.
//!
//! Answers are remembered by the server (`perfwatch_server::memo`):
//! "warm" routes read 20 pages, 64 sessions, 64 pairs or 8 series again
//! and again, each read once before the clock starts, as a team reads its
//! newest sessions; "cold" routes read a different page (offset), session,
//! pair or series (metric and `last`) every time, so every answer is
//! computed. Each route's memo hits
//! and misses are printed beside it. Before the load, where a read's time
//! goes is measured one request at a time.
//!
//! The server runs in this process (the router `perfwatch serve` builds,
//! on its own multi-thread runtime); PostgreSQL is a private cluster in a
//! temporary directory (`perfwatch_testkit::postgres`), on loopback.

use perfwatch_metrics::MetricsHub;
use perfwatch_server::{AccessPolicy, AppState, Listening, ServerBuilder};
use perfwatch_store::{PgStore, Store};
use perfwatch_testkit::synthetic::{pipeline_iterations, pipeline_session, pipeline_stage_paths};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Sends GETs of `paths` (round robin) from `clients` threads for
/// `seconds`; the latencies of every answer, sorted.
fn load(addr: SocketAddr, paths: &[String], clients: usize, seconds: u64) -> Vec<Duration> {
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let threads: Vec<_> = (0..clients)
        .map(|c| {
            let paths = paths.to_vec();
            std::thread::spawn(move || {
                let agent: ureq::Agent = ureq::Agent::config_builder()
                    .http_status_as_error(false)
                    .build()
                    .into();
                let mut lat = Vec::new();
                // Client c sends paths c, c + clients, …: no two clients
                // send the same path until the list wraps around.
                let mut k = c;
                while Instant::now() < deadline {
                    let url = format!("http://{addr}{}", paths[k % paths.len()]);
                    k += clients;
                    let t = Instant::now();
                    let mut reply = agent.get(&url).call().expect("request");
                    let status = reply.status();
                    let _ = reply.body_mut().read_to_vec().expect("body");
                    lat.push(t.elapsed());
                    assert_eq!(status, 200, "{url}");
                }
                lat
            })
        })
        .collect();
    let mut all: Vec<Duration> = threads
        .into_iter()
        .flat_map(|t| t.join().unwrap())
        .collect();
    all.sort();
    all
}

/// Where a read's time goes, one request at a time, without the server
/// (medians of 20): the store's queries and the analyses, as the routes
/// call them on a cache miss.
fn phases(store: &dyn Store, ids: &[String]) {
    let opts = perfwatch_app::Options::default();
    let median = |f: &dyn Fn()| {
        let mut t: Vec<Duration> = (0..20)
            .map(|_| {
                let t = Instant::now();
                f();
                t.elapsed()
            })
            .collect();
        t.sort();
        ms(pct(&t, 0.5))
    };
    let (session, iterations) = store.load_session(&ids[0]).unwrap();
    let analysis = perfwatch_app::analyze(session.clone(), iterations.clone(), None, &opts);
    let mut document = Vec::new();
    perfwatch_report::Render::render(&perfwatch_report::JsonRenderer, &analysis, &mut document)
        .unwrap();
    let reference = perfwatch_app::load::load_stored_reference(store, &ids[1], &opts).unwrap();
    println!(
        "one session alone: load {:.2} ms, analyse {:.2} ms, render {:.2} ms ({} bytes); \
         compared with another: analyse {:.2} ms",
        median(&|| drop(store.load_session(&ids[0]).unwrap())),
        median(&|| drop(perfwatch_app::analyze(
            session.clone(),
            iterations.clone(),
            None,
            &opts
        ))),
        median(&|| {
            let mut out = Vec::new();
            perfwatch_report::Render::render(&perfwatch_report::JsonRenderer, &analysis, &mut out)
                .unwrap();
        }),
        document.len(),
        median(&|| {
            drop(
                perfwatch_app::analyze_against(
                    session.clone(),
                    iterations.clone(),
                    &reference,
                    &opts,
                )
                .unwrap(),
            )
        }),
    );
    let page = perfwatch_store::SessionFilter {
        limit: Some(51),
        offset: 500,
        ..Default::default()
    };
    let history = perfwatch_app::history::Filters {
        benchmark: Some("pipeline".into()),
        last: Some(100),
        ..Default::default()
    };
    let wall = perfwatch_app::history::SeriesMetric::parse("wall_s").unwrap();
    println!(
        "a page of 50 alone: {:.2} ms; history (last 100) alone: {:.2} ms, of which \
         benchmark_variants {:.2} ms; resolve_session {:.2} ms",
        median(&|| drop(perfwatch_app::listing::sessions(store, &page).unwrap())),
        median(&|| {
            drop(perfwatch_app::history::load_series(store, &history, &wall, &opts.ci()).unwrap())
        }),
        median(&|| drop(store.benchmark_variants().unwrap())),
        median(&|| drop(store.resolve_session(&ids[0]).unwrap())),
    );
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn pct(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 * p) as usize).min(sorted.len() - 1)]
}

fn main() {
    let total = env("TOTAL", 10_000);
    let seconds = env("SECONDS", 10) as u64;
    let clients = env("CLIENTS", 16);
    let max_series = env("MAX_SERIES", 10_000);
    let repeats = env("REPEATS", 50);

    let cluster = perfwatch_testkit::postgres::PgCluster::start().expect("PostgreSQL");
    let url = cluster.create_database("apibench").unwrap();
    let store: Arc<dyn Store> = Arc::new(PgStore::connect(&url).unwrap());
    let fill = Instant::now();
    let mut ids = Vec::with_capacity(total);
    for n in 0..total {
        let s = pipeline_session(n);
        store
            .insert_whole_session(&s, &pipeline_iterations(n))
            .unwrap();
        ids.push(s.id);
        if (n + 1) % 1000 == 0 {
            eprintln!(
                "  {} sessions ({:.0} s)",
                n + 1,
                fill.elapsed().as_secs_f64()
            );
        }
    }
    store.save_baseline("main", &ids[..1], None, true).unwrap();
    store.refresh_statistics().unwrap();

    // The hub's figures: as many label sets as the cap allows, from the
    // analyses of sessions of as many benchmarks (20 stages and 8 metrics
    // each: ~30 entries a benchmark).
    let hub = Arc::new(MetricsHub::new(max_series));
    let opts = perfwatch_app::Options::default();
    let benchmarks = max_series / 28 + 1;
    let (template, its) = store.load_session(&ids[0]).unwrap();
    for b in 0..benchmarks {
        let mut s = template.clone();
        s.benchmark = format!("bench{b:04}");
        hub.publish(&perfwatch_app::analyze(s, its.clone(), None, &opts));
    }

    let state = AppState::new(store.clone(), opts, AccessPolicy::default(), 32 << 20);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let (addr_tx, addr_rx) = std::sync::mpsc::channel();
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let server = {
        let (state, hub) = (state.clone(), hub.clone());
        std::thread::spawn(move || {
            runtime.block_on(async move {
                let router = ServerBuilder::new(state).with_metrics(hub).build();
                let listening = Listening::bind("127.0.0.1:0".parse().unwrap())
                    .await
                    .unwrap();
                addr_tx.send(listening.local_addr()).unwrap();
                listening
                    .serve(
                        router,
                        async {
                            let _ = stop_rx.await;
                        },
                        Duration::from_secs(5),
                    )
                    .await
                    .unwrap();
            });
        })
    };
    let addr = addr_rx.recv().unwrap();

    let pick = |k: usize| &ids[(k * 7919) % ids.len()];
    phases(&*store, &[pick(0).clone(), pick(1).clone()]);
    // wall_s and the 20 stages of `iterations`.
    let metrics: Vec<String> = std::iter::once("wall_s".to_string())
        .chain(pipeline_stage_paths().iter().map(|p| format!("stage:{p}")))
        .collect();
    let stage_metric = |m: usize| metrics[m % metrics.len()].clone();
    let routes: Vec<(&str, Vec<String>)> = vec![
        (
            "GET /sessions?limit=50 warm",
            (0..20)
                .map(|k| format!("/api/v1/sessions?limit=50&offset={}", k * 50))
                .collect(),
        ),
        (
            "GET /sessions/{id} warm",
            (0..64)
                .map(|k| format!("/api/v1/sessions/{}", pick(k)))
                .collect(),
        ),
        (
            "GET /compare warm",
            (0..64)
                .map(|k| format!("/api/v1/compare?base={}&candidate={}", pick(k), pick(k + 1)))
                .collect(),
        ),
        (
            "GET /history warm",
            (0..8)
                .map(|m| {
                    format!(
                        "/api/v1/history?benchmark=pipeline&metric={}&last=100",
                        stage_metric(m)
                    )
                })
                .collect(),
        ),
        (
            "GET /sessions?limit=50 cold",
            (0..total)
                .map(|k| format!("/api/v1/sessions?limit=50&offset={k}"))
                .collect(),
        ),
        (
            "GET /sessions/{id} cold",
            (0..total)
                .map(|k| format!("/api/v1/sessions/{}", pick(k)))
                .collect(),
        ),
        (
            "GET /compare cold",
            (0..total)
                .map(|k| {
                    format!(
                        "/api/v1/compare?base={}&candidate={}",
                        pick(k + 5000),
                        pick(k)
                    )
                })
                .collect(),
        ),
        (
            "GET /history cold",
            (0..21 * 100)
                .map(|k| {
                    format!(
                        "/api/v1/history?benchmark=pipeline&metric={}&last={}",
                        stage_metric(k % 21),
                        50 + k / 21
                    )
                })
                .collect(),
        ),
    ];
    println!(
        "API benchmark: {total} sessions × 30 iterations × 20 stages in PostgreSQL, \
         {clients} concurrent clients, {seconds} s per route"
    );
    println!(
        "{:<26} {:>8} {:>8} {:>8} {:>7} {:>15}",
        "route", "p50 ms", "p99 ms", "max ms", "req/s", "memo hits/miss"
    );
    for (name, paths) in &routes {
        if name.ends_with("warm") {
            // Every path once, so that the run measures answers served
            // again (a team reading the newest sessions and baselines).
            let agent: ureq::Agent = ureq::Agent::config_builder().build().into();
            for path in paths {
                let _ = agent.get(format!("http://{addr}{path}")).call().unwrap();
            }
        }
        let counts = || {
            let ((h, m), (h2, m2)) = (state.memo().counts(), state.answers().counts());
            (h + h2, m + m2)
        };
        let (hits, misses) = counts();
        let lat = load(addr, paths, clients, seconds);
        let (h, m) = counts();
        println!(
            "{:<26} {:>8.2} {:>8.2} {:>8.2} {:>7.0} {:>15}",
            name,
            ms(pct(&lat, 0.5)),
            ms(pct(&lat, 0.99)),
            ms(*lat.last().unwrap()),
            lat.len() as f64 / seconds as f64,
            format!("{}/{}", h - hits, m - misses),
        );
    }
    let agent: ureq::Agent = ureq::Agent::config_builder().build().into();
    let mut scrape: Vec<Duration> = (0..repeats)
        .map(|_| {
            let t = Instant::now();
            let mut reply = agent
                .get(format!("http://{addr}/metrics"))
                .header("Accept", "application/openmetrics-text;version=1.0.0")
                .call()
                .unwrap();
            let _ = reply.body_mut().read_to_vec().unwrap();
            t.elapsed()
        })
        .collect();
    scrape.sort();
    println!(
        "/metrics scrape, {} label sets (cap {max_series}): median {:.2} ms, p99 {:.2} ms",
        hub.series(),
        ms(pct(&scrape, 0.5)),
        ms(pct(&scrape, 0.99))
    );
    let _ = stop_tx.send(());
    server.join().unwrap();
    drop(state);
    drop(store);
}
