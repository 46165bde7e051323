//! Fixtures: sessions with stages stored in an in-memory history, the
//! analysis every front end gets of them, and reading the exposition.

use perfwatch_app::load::analyze_stored;
use perfwatch_app::{Analysis, Options};
use perfwatch_metrics::MetricsHub;
use perfwatch_model::{
    CommandSpec, HostInfo, Iteration, Session, SessionStatus, Span, Tier, VariantSpec,
};
use perfwatch_store::{new_session_id, SqliteStore, Store};
use perfwatch_testkit::openmetrics::{self, Sample};
use std::collections::BTreeMap;

/// A variant of a run: its name, wall time and stages (`path`, seconds;
/// a path `a/b` nests `b` in the stage `a` listed before it).
pub struct Variant<'a> {
    pub name: &'a str,
    pub wall_s: f64,
    pub stages: Vec<(String, f64)>,
}

impl<'a> Variant<'a> {
    pub fn new(name: &'a str, wall_s: f64, stages: &[(&str, f64)]) -> Self {
        Variant {
            name,
            wall_s,
            stages: stages.iter().map(|(p, s)| (p.to_string(), *s)).collect(),
        }
    }
}

/// Iterations per variant: enough for the comparisons to be significant.
pub const ITERATIONS: u32 = 10;

/// A finished session of `benchmark` with `variants`, each run
/// [`ITERATIONS`] times (figures jittered by 0.1 % per iteration), stored
/// whole; returns it and its stored iteration count.
pub fn store_run(
    store: &dyn Store,
    benchmark: &str,
    started_at: &str,
    baseline: Option<&str>,
    variants: &[Variant],
) -> (Session, usize) {
    store_run_with_status(
        store,
        benchmark,
        started_at,
        baseline,
        variants,
        SessionStatus::Complete,
    )
}

/// [`store_run`] with a status.
pub fn store_run_with_status(
    store: &dyn Store,
    benchmark: &str,
    started_at: &str,
    baseline: Option<&str>,
    variants: &[Variant],
    status: SessionStatus,
) -> (Session, usize) {
    let session = Session {
        id: new_session_id(),
        started_at: started_at.into(),
        finished_at: None,
        benchmark: benchmark.into(),
        command: CommandSpec {
            argv: vec!["job".into()],
            shell: false,
        },
        variants: variants
            .iter()
            .map(|v| VariantSpec {
                name: v.name.into(),
                ..VariantSpec::default()
            })
            .collect(),
        git: None,
        host: HostInfo::default(),
        perfwatch_version: "0".into(),
        status,
        baseline: baseline.map(str::to_owned),
        shell_correction: None,
        imported: None,
        owner: None,
        adaptive: None,
        program_version: None,
    };
    let mut iterations = Vec::new();
    for i in 0..ITERATIONS {
        for v in variants {
            iterations.push(iteration(
                iterations.len() as u32,
                v,
                1.0 + 1e-3 * f64::from(i),
            ));
        }
    }
    store.insert_whole_session(&session, &iterations).unwrap();
    (session, iterations.len())
}

fn iteration(index: u32, v: &Variant, jitter: f64) -> Iteration {
    let mut stages: Vec<Span> = Vec::new();
    let mut at = 0.0;
    for (path, seconds) in &v.stages {
        let (parent, name) = match path.rsplit_once('/') {
            Some((parent, name)) => {
                let parent = stages.iter().find(|s| s.name == parent).map(|s| s.id);
                (parent, name)
            }
            None => (None, path.as_str()),
        };
        let start = parent
            .and_then(|p| stages.iter().find(|s| s.id == p))
            .map_or(at, |p| p.start_s);
        let end = start + seconds * jitter;
        if parent.is_none() {
            at = end;
        }
        stages.push(Span {
            id: stages.len() as u64 + 1,
            parent,
            name: name.into(),
            tier: Tier::from_depth(usize::from(parent.is_some())),
            component: None,
            start_s: start,
            end_s: end,
            ok: true,
            calls: 1,
            failed_calls: 0,
            total_s: None,
            attributes: Default::default(),
        });
    }
    Iteration {
        index,
        variant: v.name.into(),
        exit_code: Some(0),
        wall_s: v.wall_s * jitter,
        user_s: Some(0.8 * v.wall_s * jitter),
        sys_s: Some(0.1 * v.wall_s * jitter),
        max_rss_bytes: Some((100e6 * jitter) as u64),
        voluntary_cs: Some(40 + u64::from(index)),
        stages,
        ..Iteration::default()
    }
}

/// The stages of the `etl` runs: the baseline's, and the regressed
/// latest's (`transform` much slower).
pub fn etl_stages(transform_s: f64) -> Vec<(&'static str, f64)> {
    vec![
        ("extract", 0.2),
        ("transform", transform_s),
        ("transform/parse", transform_s * 0.6),
        ("load", 0.2),
    ]
}

/// A history of two benchmarks:
///
/// * `etl` — a baseline run saved as baseline `main`, the latest run
///   against it with `transform` 2.5 times slower (a regression), and a
///   newer run still going (not the latest finished one);
/// * `render` — an older run, and the latest with two variants.
pub struct History {
    pub store: SqliteStore,
    /// The session that stands for each benchmark.
    pub latest: BTreeMap<&'static str, Session>,
}

pub fn two_benchmarks() -> History {
    let store = SqliteStore::open_in_memory().unwrap();
    let run = |benchmark, at, baseline, variants: &[Variant]| {
        store_run(&store, benchmark, at, baseline, variants).0
    };
    let base = run(
        "etl",
        "2026-01-01T10:00:00.000Z",
        None,
        &[Variant::new("default", 1.0, &etl_stages(0.4))],
    );
    let etl = run(
        "etl",
        "2026-01-02T10:00:00.000Z",
        Some("main"),
        &[Variant::new("default", 1.9, &etl_stages(1.0))],
    );
    run(
        "render",
        "2026-01-01T09:00:00.000Z",
        None,
        &[Variant::new("fast", 0.7, &[("draw", 0.5)])],
    );
    let render = run(
        "render",
        "2026-01-03T10:00:00.000Z",
        None,
        &[
            Variant::new("fast", 0.5, &[("draw", 0.3), ("flush", 0.1)]),
            Variant::new("slow", 0.9, &[("draw", 0.7), ("flush", 0.1)]),
        ],
    );
    store
        .save_baseline("main", std::slice::from_ref(&base.id), None, false)
        .unwrap();
    store_run_with_status(
        &store,
        "etl",
        "2026-01-04T10:00:00.000Z",
        None,
        &[Variant::new("default", 9.0, &etl_stages(5.0))],
        SessionStatus::Running,
    );
    History {
        store,
        latest: BTreeMap::from([("etl", etl), ("render", render)]),
    }
}

/// The analysis `perfwatch report` gives of a stored session.
pub fn analysis(store: &dyn Store, session: &Session) -> Analysis {
    analyze_stored(store, &session.id, None, &Options::default()).unwrap()
}

/// A hub refreshed from `store`.
pub fn refreshed_hub(store: &dyn Store, max_series: usize) -> MetricsHub {
    let hub = MetricsHub::new(max_series);
    let refreshed = hub.refresh_from_store(store, &Options::default()).unwrap();
    assert!(refreshed.failed.is_empty(), "{:?}", refreshed.failed);
    hub
}

/// The hub's exposition, read strictly.
pub fn samples(hub: &MetricsHub) -> Vec<Sample> {
    let text = hub.render();
    openmetrics::parse(&text).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

/// The samples named `name` whose labels include `labels`.
pub fn find<'a>(samples: &'a [Sample], name: &str, labels: &[(&str, &str)]) -> Vec<&'a Sample> {
    samples
        .iter()
        .filter(|s| {
            s.name == name
                && labels
                    .iter()
                    .all(|(k, v)| s.labels.get(*k).map(String::as_str) == Some(*v))
        })
        .collect()
}

/// The value of the one sample named `name` with exactly `labels`.
pub fn value(samples: &[Sample], name: &str, labels: &[(&str, &str)]) -> f64 {
    let found: Vec<_> = find(samples, name, labels)
        .into_iter()
        .filter(|s| s.labels.len() == labels.len())
        .collect();
    assert_eq!(found.len(), 1, "{name} {labels:?}: {found:?}");
    found[0].value
}
