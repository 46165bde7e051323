//! History queries over whole-process metrics and stages.

use super::support::{bare_iteration, contract, full_iteration, session, Db};
use perfwatch_model::Metric;
use perfwatch_store::{SeriesPoint, SeriesQuery, Store};

/// Three sessions of `pipeline` (one on another branch) and one of `other`.
fn history(db: &Db) -> (Box<dyn Store>, Vec<String>) {
    let store = db.open();
    let mut ids = Vec::new();
    for (day, walls) in [(1, [1.0, 1.1]), (2, [2.0, 2.1]), (3, [3.0, 3.1])] {
        let mut s = session("pipeline", &format!("2024-01-0{day}T00:00:00Z"));
        if day == 2 {
            s.git.as_mut().unwrap().branch = Some("feature".into());
        }
        store.create_session(&s).unwrap();
        let mut warm = full_iteration(0, "current", 99.0);
        warm.warmup = true;
        let mut timed_out = full_iteration(3, "current", 98.0);
        timed_out.timed_out = true;
        let iterations = [
            warm,
            full_iteration(1, "current", walls[0]),
            full_iteration(2, "solo_only", walls[1]),
            timed_out,
            bare_iteration(4, 5.0),
        ];
        for it in &iterations {
            store.add_iteration(&s.id, it).unwrap();
        }
        ids.push(s.id);
    }
    let other = session("other", "2024-01-04T00:00:00Z");
    store.create_session(&other).unwrap();
    store
        .add_iteration(&other.id, &full_iteration(0, "current", 7.0))
        .unwrap();
    (store, ids)
}

fn values(points: &[SeriesPoint]) -> Vec<Vec<f64>> {
    points.iter().map(|p| p.values.clone()).collect()
}

fn metric_series_use_counted_iterations_oldest_first(db: Db) {
    let (store, ids) = history(&db);
    let points = store.series(&SeriesQuery::new("pipeline")).unwrap();
    assert_eq!(
        values(&points),
        [[1.0, 1.1, 5.0], [2.0, 2.1, 5.0], [3.0, 3.1, 5.0]]
    );
    let got: Vec<&str> = points.iter().map(|p| p.session_id.as_str()).collect();
    assert_eq!(got, ids);
    assert_eq!(points[0].started_at, "2024-01-01T00:00:00Z");
    assert_eq!(
        points[0].commit.as_deref(),
        Some("0123456789abcdef0123456789abcdef01234567")
    );
    assert_eq!(points[1].branch.as_deref(), Some("feature"));
    assert!(points[0].dirty);
}

fn series_filters(db: Db) {
    let (store, _) = history(&db);
    let q = SeriesQuery::new("pipeline");
    let cases: Vec<(SeriesQuery, Vec<Vec<f64>>)> = vec![
        (
            SeriesQuery {
                variant: Some("solo_only".into()),
                ..q.clone()
            },
            vec![vec![1.1], vec![2.1], vec![3.1]],
        ),
        (
            SeriesQuery {
                branch: Some("feature".into()),
                ..q.clone()
            },
            vec![vec![2.0, 2.1, 5.0]],
        ),
        (
            SeriesQuery {
                since: Some("2024-01-02T00:00:00Z".into()),
                last: Some(1),
                ..q.clone()
            },
            vec![vec![3.0, 3.1, 5.0]],
        ),
        (
            SeriesQuery {
                last: Some(2),
                variant: Some("current".into()),
                ..q.clone()
            },
            vec![vec![2.0], vec![3.0]],
        ),
        (
            SeriesQuery {
                metric: Metric::MaxRssBytes,
                last: Some(1),
                ..q.clone()
            },
            vec![vec![(50u64 << 20) as f64; 2]],
        ),
        (SeriesQuery::new("nothing"), vec![]),
    ];
    for (query, expected) in cases {
        assert_eq!(
            values(&store.series(&query).unwrap()),
            expected,
            "{query:?}"
        );
    }
    // Unmeasured figures give no value: the bare iteration has no user time.
    let user = store
        .series(&SeriesQuery {
            metric: Metric::UserS,
            ..q
        })
        .unwrap();
    let lengths: Vec<usize> = user.iter().map(|p| p.values.len()).collect();
    assert_eq!(lengths, [2, 2, 2]);
}

fn stage_series_sum_the_spans_of_a_path_per_iteration(db: Db) {
    let (store, _) = history(&db);
    let stage = |path: &str| SeriesQuery {
        stage: Some(path.into()),
        last: Some(1),
        ..SeriesQuery::new("pipeline")
    };
    // Two `download` calls per iteration: 0.3 s and 0.1 s.
    let download = values(&store.series(&stage("job/download")).unwrap());
    assert_eq!(download.len(), 1);
    assert_eq!(download[0].len(), 2, "the bare iteration has no stages");
    assert!(
        download[0].iter().all(|v| (v - 0.4).abs() < 1e-12),
        "{download:?}"
    );
    // An aggregated record counts its summed duration.
    assert_eq!(
        values(&store.series(&stage("job/parse")).unwrap()),
        [[0.15, 0.15]]
    );
    assert_eq!(values(&store.series(&stage("job")).unwrap()), [[3.0, 3.1]]);
    assert!(store.series(&stage("download")).unwrap().is_empty());
}

fn stage_series_use_the_shared_stage_paths(db: Db) {
    // A name with a `/` (escaped in its path) and a parent cycle (cut at
    // its smallest id): the stored paths are those the analysis names.
    use super::support::span;
    use perfwatch_model::stage_path::join_path;
    let store = db.open();
    let s = session("http", "2024-01-01T00:00:00Z");
    store.create_session(&s).unwrap();
    let mut it = full_iteration(0, "current", 1.0);
    it.stages = vec![
        span(1, None, "job", 0.0, 1.0),
        span(2, Some(1), "GET /api", 0.1, 0.4),
        span(8, Some(7), "b", 0.5, 0.6),
        span(7, Some(8), "a", 0.5, 0.7),
    ];
    store.add_iteration(&s.id, &it).unwrap();
    let series = |names: &[&str]| {
        let q = SeriesQuery {
            stage: Some(join_path(names)),
            ..SeriesQuery::new("http")
        };
        values(&store.series(&q).unwrap())
    };
    let api = series(&["job", "GET /api"]);
    assert_eq!(api.len(), 1);
    assert!((api[0][0] - 0.3).abs() < 1e-12, "{api:?}");
    assert!(series(&["job", "GET ", "api"]).is_empty());
    let b = series(&["a", "b"]);
    assert!((b[0][0] - 0.1).abs() < 1e-12, "{b:?}");
}

/// Issue 13, item 1: every span kept its whole ancestor path, so an
/// 8,000-deep chain made a 212 MB database. Paths are stored once each,
/// spans past the depth limit fold into their ancestor's stage.
fn regression_13_a_deep_chain_stores_each_stage_path_once(db: Db) {
    use super::support::span;
    use perfwatch_model::span_tree::MAX_STAGE_DEPTH;
    let store = db.open();
    let s = session("deep", "2024-01-01T00:00:00Z");
    store.create_session(&s).unwrap();
    let mut it = full_iteration(0, "current", 1.0);
    let n = 8_000u64;
    it.stages = (1..=n)
        .map(|i| span(i, (i > 1).then(|| i - 1), "level", 0.0, 1.0))
        .collect();
    store.add_iteration(&s.id, &it).unwrap();
    let (_, back) = store.load_session(&s.id).unwrap();
    assert_eq!(back[0].stages, it.stages, "every span is kept");
    let stage = |depth: u32| SeriesQuery {
        stage: Some(vec!["level"; depth as usize + 1].join("/")),
        ..SeriesQuery::new("deep")
    };
    // The deepest stage holds its own span only: the folded ones are
    // inside its duration already.
    let deepest = values(&store.series(&stage(MAX_STAGE_DEPTH - 1)).unwrap());
    assert_eq!(deepest, [[1.0]]);
    assert!(store.series(&stage(MAX_STAGE_DEPTH)).unwrap().is_empty());
}

/// The peak GPU memory of an iteration, derived from its timeline, is a
/// history series as any figure; iterations without GPU readings have
/// none (not zero).
fn gpu_memory_is_a_series_where_it_was_measured(db: Db) {
    let store = db.open();
    let s = session("gpu", "2024-02-01T00:00:00Z");
    store.create_session(&s).unwrap();
    let mut it = full_iteration(0, "current", 1.0);
    for (k, sample) in it.timeline.iter_mut().enumerate() {
        sample.gpus = vec![perfwatch_model::GpuReading {
            memory_total_bytes: 16 << 30,
            tree_memory_bytes: Some((k as u64 + 1) << 30),
            ..Default::default()
        }];
    }
    assert!(!it.timeline.is_empty());
    let peak = it.peak_gpu_memory_bytes().unwrap() as f64;
    store.add_iteration(&s.id, &it).unwrap();
    store
        .add_iteration(&s.id, &full_iteration(1, "current", 1.0))
        .unwrap();
    let points = store
        .series(&SeriesQuery {
            metric: Metric::PeakGpuMemoryBytes,
            ..SeriesQuery::new("gpu")
        })
        .unwrap();
    assert_eq!(values(&points), [[peak]]);
    // The readings come back with the timeline.
    let (_, back) = store.load_session(&s.id).unwrap();
    assert_eq!(back[0].peak_gpu_memory_bytes(), Some(peak as u64));
    assert_eq!(back[1].peak_gpu_memory_bytes(), None);
}

/// An application metric is a series of the runs that reported it: the
/// gauge of that name wins over a counter of the same name, a run without
/// it (or with a value that is no number) gives none, and a hostile name
/// is a key, never a JSON path.
fn app_metric_series_take_the_gauge_else_the_counter(db: Db) {
    let store = db.open();
    let s = session("svc", "2024-03-01T00:00:00Z");
    store.create_session(&s).unwrap();
    let odd = r#"pool.waits{pool="db"}.$[0]'"#;
    let mut runs = Vec::new();
    for k in 0..4u32 {
        let mut it = full_iteration(k, "current", 1.0);
        match k {
            0 => {
                it.gauges.insert("hit_rate".into(), 0.5);
                it.counters.insert("hit_rate".into(), 99.0);
                it.counters.insert(odd.into(), 3.0);
            }
            1 => {
                it.counters.insert("hit_rate".into(), 7.0);
            }
            2 => {}
            _ => {
                it.gauges.insert("hit_rate".into(), 0.25);
                it.counters.insert(odd.into(), 4.0);
            }
        }
        runs.push(it);
    }
    let batch: Vec<(&str, &perfwatch_model::Iteration)> =
        runs.iter().map(|it| (s.id.as_str(), it)).collect();
    store.add_iterations(&batch).unwrap();
    let q = |name: &str| SeriesQuery {
        app_metric: Some(name.to_string()),
        ..SeriesQuery::new("svc")
    };
    assert_eq!(
        values(&store.series(&q("hit_rate")).unwrap()),
        [[0.5, 7.0, 0.25]]
    );
    assert_eq!(values(&store.series(&q(odd)).unwrap()), [[3.0, 4.0]]);
    assert!(store.series(&q("missing")).unwrap().is_empty());
    assert!(store.series(&q("$")).unwrap().is_empty());
}

contract!(
    app_metric_series_take_the_gauge_else_the_counter,
    gpu_memory_is_a_series_where_it_was_measured,
    metric_series_use_counted_iterations_oldest_first,
    series_filters,
    stage_series_sum_the_spans_of_a_path_per_iteration,
    stage_series_use_the_shared_stage_paths,
    regression_13_a_deep_chain_stores_each_stage_path_once,
);
