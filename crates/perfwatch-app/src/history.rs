//! Series of a metric over stored sessions, and change points in them.

use crate::AppError;
use crate::{Analysis, Options};
use perfwatch_analysis::SeverityThresholds;
use perfwatch_model::{HistoryPoint, HistorySeries, Metric, Severity};
use perfwatch_stats::changepoint::{detect, ChangePoint, DetectOptions};
use perfwatch_stats::{summarize, CiOptions};
use perfwatch_store::{SeriesQuery, SessionFilter, Store};
use serde::Serialize;
use std::collections::BTreeSet;

/// What a series measures: a whole-process metric or a stage's total.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SeriesMetric {
    /// A whole-process metric.
    Metric(Metric),
    /// The per-iteration total time of a stage path.
    Stage(String),
    /// An application metric the program reported (a gauge, else a
    /// counter), per run.
    App(String),
}

impl SeriesMetric {
    /// Parse `wall_s`, `stage:PATH` or `app:NAME`.
    pub fn parse(s: &str) -> Result<SeriesMetric, AppError> {
        if let Some(name) = s.strip_prefix("app:") {
            if name.is_empty() {
                return Err(AppError::bad_request(
                    "--metric app:NAME needs an application metric's name",
                ));
            }
            return Ok(SeriesMetric::App(name.to_string()));
        }
        if let Some(path) = s.strip_prefix("stage:") {
            if path.is_empty() {
                return Err(AppError::bad_request(
                    "--metric stage:PATH needs a stage path",
                ));
            }
            return Ok(SeriesMetric::Stage(path.to_string()));
        }
        s.parse::<Metric>()
            .map(SeriesMetric::Metric)
            .map_err(|e| AppError::bad_request(format!("{e}, or stage:PATH, or app:NAME")))
    }

    /// The key shown to people.
    pub fn key(&self) -> String {
        match self {
            SeriesMetric::Metric(m) => m.key().to_string(),
            SeriesMetric::Stage(p) => format!("stage:{p}"),
            SeriesMetric::App(n) => format!("app:{n}"),
        }
    }
}

/// One session's point of a series.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Point {
    /// Session id.
    pub session_id: String,
    /// When the session started.
    pub started_at: String,
    /// Git commit.
    pub commit: Option<String>,
    /// Git branch.
    pub branch: Option<String>,
    /// The program's version the session measured (monitored pipelines).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// Counted iterations.
    pub n: usize,
    /// Median of the iterations' values.
    pub median: f64,
    /// Confidence interval of the median.
    pub ci_low: f64,
    /// Confidence interval of the median.
    pub ci_high: f64,
}

/// A series of one benchmark, variant and metric.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Series {
    /// Benchmark.
    pub benchmark: String,
    /// Variant.
    pub variant: String,
    /// Metric key.
    pub metric: String,
    /// Points, oldest first.
    pub points: Vec<Point>,
}

impl Series {
    /// The change-point labels of the points.
    pub fn labels(&self) -> Vec<Label> {
        self.points
            .iter()
            .map(|p| Label {
                at: p.started_at.clone(),
                session_id: Some(p.session_id.clone()),
                commit: p.commit.clone(),
                version: p.version.clone(),
            })
            .collect()
    }
}

/// What names a point of a series where a change point is reported.
#[derive(Debug, Clone, Default)]
pub struct Label {
    /// The point's time (or a CSV row's label).
    pub at: String,
    /// Its session (absent for CSV series).
    pub session_id: Option<String>,
    /// Its git commit.
    pub commit: Option<String>,
    /// The program's version it measured.
    pub version: Option<String>,
}

impl Label {
    /// A label naming a row only.
    pub fn row(at: String) -> Label {
        Label {
            at,
            ..Label::default()
        }
    }
}

/// Filters of a history query.
#[derive(Debug, Clone, Default)]
pub struct Filters {
    /// Benchmark, or the only one stored.
    pub benchmark: Option<String>,
    /// One variant, or all.
    pub variant: Option<String>,
    /// Git branch.
    pub branch: Option<String>,
    /// Start date.
    pub since: Option<String>,
    /// Newest N sessions.
    pub last: Option<usize>,
}

/// Turn `YYYY-MM-DD` into the RFC 3339 form the store compares with.
pub fn normalise_since(s: &str) -> Result<String, AppError> {
    let ok_date = s.len() >= 10
        && s.as_bytes()[4] == b'-'
        && s.as_bytes()[7] == b'-'
        && s[..4].chars().all(|c| c.is_ascii_digit());
    if !ok_date {
        return Err(AppError::bad_request(format!(
            "--since `{s}`: expected YYYY-MM-DD or an RFC 3339 time"
        )));
    }
    Ok(if s.len() == 10 {
        format!("{s}T00:00:00Z")
    } else {
        s.to_string()
    })
}

/// The benchmark `f` names (or the only one stored) and the variants its
/// series are drawn from (the one `f` names, or every variant).
fn resolve(store: &dyn Store, f: &Filters) -> Result<(String, Vec<String>), AppError> {
    // One query serves the benchmark check, the error messages and the
    // variants of the chosen benchmark (not a listing of every session).
    let declared = store.benchmark_variants()?;
    let benchmarks: BTreeSet<String> = declared.iter().map(|(b, _)| b.clone()).collect();
    let benchmark = match &f.benchmark {
        Some(b) if !benchmarks.contains(b) => {
            return Err(AppError::bad_request(format!(
                "no sessions of benchmark `{b}` (stored: {})",
                join_or_none(&benchmarks)
            )))
        }
        Some(b) => b.clone(),
        None if benchmarks.len() == 1 => benchmarks.iter().next().cloned().unwrap_or_default(),
        None if benchmarks.is_empty() => {
            return Err(AppError::bad_request(
                "the history is empty: run `perfwatch run` first",
            ))
        }
        None => {
            return Err(AppError::bad_request(format!(
                "name a benchmark: the history holds several ({})",
                join_or_none(&benchmarks)
            )))
        }
    };
    let mut variants: Vec<String> = declared
        .into_iter()
        .find(|(b, _)| *b == benchmark)
        .map(|(_, v)| v)
        .unwrap_or_default();
    if let Some(v) = &f.variant {
        if !variants.contains(v) {
            return Err(AppError::bad_request(format!(
                "benchmark `{benchmark}` has no variant `{v}` in the history (known: {})",
                variants.join(", ")
            )));
        }
        variants = vec![v.clone()];
    }
    Ok((benchmark, variants))
}

/// The metric a history shows: `named`, or when none is named, wall
/// time — or, for a service benchmark (the newest session `f` selects
/// measured a service), the p99 latency under load: what `report`'s
/// relative summary speaks of for a service, whose wall time only says
/// how long the load ran.
pub fn chosen_metric(
    store: &dyn Store,
    f: &Filters,
    named: Option<SeriesMetric>,
) -> Result<SeriesMetric, AppError> {
    if let Some(metric) = named {
        return Ok(metric);
    }
    let (benchmark, variants) = resolve(store, f)?;
    let since = f.since.as_deref().map(normalise_since).transpose()?;
    // The newest session with figures of `metric` (a series keeps only
    // sessions that have some). The variants of one benchmark are all
    // services or all commands: the first one tells.
    let newest = |metric: Metric| -> Result<Option<String>, AppError> {
        let points = store.series(&SeriesQuery {
            benchmark: benchmark.clone(),
            variant: variants.first().cloned(),
            metric,
            stage: None,
            app_metric: None,
            branch: f.branch.clone(),
            since: since.clone(),
            last: Some(1),
        })?;
        Ok(points
            .into_iter()
            .rfind(|p| !p.values.is_empty())
            .map(|p| p.session_id))
    };
    let service = match newest(Metric::LatencyP99S)? {
        Some(service) => newest(Metric::WallS)?.as_deref() == Some(service.as_str()),
        None => false,
    };
    Ok(SeriesMetric::Metric(if service {
        Metric::LatencyP99S
    } else {
        Metric::WallS
    }))
}

/// The series matching the filters: one per variant.
pub fn load_series(
    store: &dyn Store,
    f: &Filters,
    metric: &SeriesMetric,
    ci: &CiOptions,
) -> Result<Vec<Series>, AppError> {
    let (benchmark, variants) = resolve(store, f)?;
    let (m, stage, app_metric) = match metric {
        SeriesMetric::Metric(m) => (*m, None, None),
        SeriesMetric::Stage(p) => (Metric::WallS, Some(p.clone()), None),
        SeriesMetric::App(n) => (Metric::WallS, None, Some(n.clone())),
    };
    let since = f.since.as_deref().map(normalise_since).transpose()?;
    let mut out = Vec::new();
    for variant in variants {
        let points = store.series(&SeriesQuery {
            benchmark: benchmark.clone(),
            variant: Some(variant.clone()),
            metric: m,
            stage: stage.clone(),
            app_metric: app_metric.clone(),
            branch: f.branch.clone(),
            since: since.clone(),
            last: f.last,
        })?;
        let points: Vec<Point> = points
            .into_iter()
            .filter_map(|p| {
                let s = summarize(&p.values, ci)?;
                Some(Point {
                    session_id: p.session_id,
                    started_at: p.started_at,
                    commit: p.commit,
                    branch: p.branch,
                    version: p.version,
                    n: s.n,
                    median: s.median,
                    ci_low: s.ci_low,
                    ci_high: s.ci_high,
                })
            })
            .collect();
        if !points.is_empty() {
            out.push(Series {
                benchmark: benchmark.clone(),
                variant,
                metric: metric.key(),
                points,
            });
        }
    }
    if out.is_empty() {
        if let SeriesMetric::App(name) = metric {
            let known = known_app_metrics(store, &benchmark)?;
            return Err(AppError::bad_request(format!(
                "benchmark `{benchmark}` has no application metric `{name}` in its newest session \
                 (known: {})",
                join_or_none(&known)
            )));
        }
        if let SeriesMetric::Stage(path) = metric {
            let known = known_stages(store, &benchmark)?;
            return Err(AppError::bad_request(format!(
                "benchmark `{benchmark}` has no stage `{path}` in the history (known: {})",
                join_or_none(&known)
            )));
        }
        return Err(AppError::bad_request(format!(
            "no `{}` figures of benchmark `{benchmark}` match the filters",
            metric.key()
        )));
    }
    Ok(out)
}

fn join_or_none(set: &BTreeSet<String>) -> String {
    if set.is_empty() {
        "none".into()
    } else {
        set.iter().cloned().collect::<Vec<_>>().join(", ")
    }
}

/// What `names` finds in the iterations of a benchmark's newest session
/// (its last 500 runs for a long one, as a monitored pipeline's day):
/// the names an error message offers when a series asked for is absent.
fn known_in_newest(
    store: &dyn Store,
    benchmark: &str,
    names: impl Fn(&perfwatch_model::Iteration) -> Vec<String>,
) -> Result<BTreeSet<String>, AppError> {
    let rows = store.list_sessions(&SessionFilter {
        benchmark: Some(benchmark.to_string()),
        limit: Some(1),
        ..Default::default()
    })?;
    let mut known = BTreeSet::new();
    if let Some(row) = rows.first() {
        let (_, iterations) = store.load_recent(&row.session.id, crate::monitor::REPLAYED_RUNS)?;
        for it in &iterations {
            known.extend(names(it));
        }
    }
    Ok(known)
}

/// Stage paths in the newest session of a benchmark.
fn known_stages(store: &dyn Store, benchmark: &str) -> Result<BTreeSet<String>, AppError> {
    known_in_newest(store, benchmark, |it| {
        perfwatch_analysis::stages::span_paths(&it.stages)
    })
}

/// Application metrics in the newest session of a benchmark.
fn known_app_metrics(store: &dyn Store, benchmark: &str) -> Result<BTreeSet<String>, AppError> {
    known_in_newest(store, benchmark, |it| {
        it.gauges
            .keys()
            .chain(it.counters.keys())
            .cloned()
            .collect()
    })
}

/// A change point located in a series, with its severity.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Located {
    /// Index of the first point of the new regime.
    pub index: usize,
    /// Session where it starts (absent for CSV series).
    pub session_id: Option<String>,
    /// Commit where it starts.
    pub commit: Option<String>,
    /// The program's version where it starts (monitored pipelines).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// Label of the point (time or row).
    pub at: String,
    /// Median before.
    pub median_before: f64,
    /// Median after.
    pub median_after: f64,
    /// Relative change in %.
    pub change_pct: f64,
    /// p-value.
    pub p_value: f64,
    /// `regression` or `improvement` (lower is better for every metric).
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub direction: &'static str,
    /// Severity of a regression: `none`, `low`, `medium`, `high` or
    /// `critical`.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub severity: Severity,
}

/// Detection settings from the command line.
pub fn detect_options(
    window: usize,
    p_value: f64,
    magnitude: f64,
) -> Result<DetectOptions, AppError> {
    let opts = DetectOptions {
        window,
        max_p_value: p_value,
        min_magnitude: magnitude,
        ..DetectOptions::default()
    };
    opts.validate()
        .map_err(|e| AppError::bad_request(e.to_string()))?;
    Ok(opts)
}

/// Change points of `values`; `labels[i]` names point i.
pub fn locate(
    values: &[f64],
    labels: &[Label],
    opts: &DetectOptions,
    thresholds: &SeverityThresholds,
) -> Result<Vec<Located>, AppError> {
    let cps: Vec<ChangePoint> =
        detect(values, opts).map_err(|e| AppError::bad_request(e.to_string()))?;
    Ok(cps
        .into_iter()
        .map(|cp| {
            let Label {
                at,
                session_id,
                commit,
                version,
            } = labels.get(cp.index).cloned().unwrap_or_default();
            let regression = cp.median_after > cp.median_before;
            let change = if cp.median_before != 0.0 {
                cp.median_after / cp.median_before - 1.0
            } else {
                0.0
            };
            Located {
                index: cp.index,
                session_id,
                commit,
                version,
                at,
                median_before: cp.median_before,
                median_after: cp.median_after,
                change_pct: change * 100.0,
                p_value: cp.p_value,
                direction: if regression {
                    "regression"
                } else {
                    "improvement"
                },
                severity: if regression {
                    thresholds.classify(change)
                } else {
                    Severity::None
                },
            }
        })
        .collect())
}

/// The change points of one stored series.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SeriesChanges {
    /// The series: `benchmark · variant`.
    pub series: String,
    /// The metric key (`wall_s`, `stage:PATH`).
    pub metric: String,
    /// Its change points, oldest first.
    pub change_points: Vec<Located>,
}

/// The change points of every series the filters select (`perfwatch
/// detect` over the history): one entry per series, with none where the
/// series has no change point.
pub fn change_points(
    store: &dyn Store,
    filters: &Filters,
    metric: &SeriesMetric,
    ci: &CiOptions,
    opts: &DetectOptions,
    thresholds: &SeverityThresholds,
) -> Result<Vec<SeriesChanges>, AppError> {
    let mut out = Vec::new();
    for s in load_series(store, filters, metric, ci)? {
        let values: Vec<f64> = s.points.iter().map(|p| p.median).collect();
        let located = locate(&values, &s.labels(), opts, thresholds).map_err(|e| {
            AppError::bad_request(format!(
                "{} · {} · {}: {e}",
                s.benchmark, s.variant, s.metric
            ))
        })?;
        out.push(SeriesChanges {
            series: format!("{} · {}", s.benchmark, s.variant),
            metric: s.metric,
            change_points: located,
        });
    }
    Ok(out)
}

/// What a dashboard shows (`perfwatch dashboard`, the server's live page):
/// the newest `limit` sessions (of `benchmark` when given), oldest first,
/// each analysed alone — the history's own point of view has no baseline —
/// and their trends ([`dashboard_series`]).
pub fn dashboard_data(
    store: &dyn Store,
    benchmark: Option<&str>,
    limit: usize,
    opts: &Options,
) -> Result<(Vec<Analysis>, Vec<HistorySeries>), AppError> {
    let rows = store.list_sessions(&perfwatch_store::SessionFilter {
        benchmark: benchmark.map(str::to_string),
        limit: Some(limit),
        ..Default::default()
    })?;
    let mut sessions: Vec<Analysis> = Vec::with_capacity(rows.len());
    for row in rows.iter().rev() {
        let (session, iterations) = store.load_session(&row.session.id)?;
        sessions.push(crate::analyze(session, iterations, None, opts));
    }
    let history = dashboard_series(store, &sessions, opts)?;
    Ok((sessions, history))
}

/// Application metrics charted per benchmark on the dashboard, at most.
pub const MAX_APP_SERIES: usize = 6;

/// The dashboard's trends: wall time (a service benchmark's start-up, p50
/// and p99 latency, throughput and error rate instead) and each top-level
/// stage's total (at most 8), the application metrics (at most [`MAX_APP_SERIES`]), per benchmark and variant of `sessions`, with change points
/// where a series is long enough and the saved baseline's session marked.
pub fn dashboard_series(
    store: &dyn Store,
    sessions: &[Analysis],
    opts: &Options,
) -> Result<Vec<HistorySeries>, AppError> {
    let ci = opts.ci();
    let benchmarks: BTreeSet<&str> = sessions
        .iter()
        .map(|s| s.session.benchmark.as_str())
        .collect();
    let baselines = store.list_baselines()?;
    let detect_opts = DetectOptions::default();
    let mut out = Vec::new();
    for b in benchmarks {
        // A service's runs last as long as its load: its trends are its
        // primary figures (start-up, latency, throughput, error rate).
        let service = sessions
            .iter()
            .filter(|s| s.session.benchmark == b)
            .any(|s| s.variants.iter().any(|v| v.service.is_some()));
        let mut metrics = if service {
            Metric::SERVICE_PRIMARY
                .into_iter()
                .map(SeriesMetric::Metric)
                .collect()
        } else {
            vec![SeriesMetric::Metric(Metric::WallS)]
        };
        let stages: BTreeSet<String> = sessions
            .iter()
            .filter(|s| s.session.benchmark == b)
            .flat_map(|s| {
                s.variants
                    .iter()
                    .flat_map(|v| v.stages.iter().map(|st| st.path.clone()))
            })
            .filter(|p| p.matches('/').count() <= 1)
            .collect();
        metrics.extend(stages.into_iter().take(8).map(SeriesMetric::Stage));
        // Beside the stage times, what the program reported of itself.
        let apps: BTreeSet<String> = sessions
            .iter()
            .filter(|s| s.session.benchmark == b)
            .flat_map(|s| {
                s.variants
                    .iter()
                    .flat_map(|v| v.app_metrics.keys().cloned())
            })
            .collect();
        metrics.extend(apps.into_iter().take(MAX_APP_SERIES).map(SeriesMetric::App));
        for metric in metrics {
            let filters = Filters {
                benchmark: Some(b.to_string()),
                ..Default::default()
            };
            let Ok(series) = load_series(store, &filters, &metric, &ci) else {
                continue;
            };
            for s in series {
                let values: Vec<f64> = s.points.iter().map(|p| p.median).collect();
                let change_points = detect(&values, &detect_opts)
                    .map(|cps| cps.into_iter().map(|c| c.index).collect())
                    .unwrap_or_default();
                let baseline_session = baselines
                    .iter()
                    .flat_map(|bl| bl.session_ids.iter())
                    .find(|id| s.points.iter().any(|p| &p.session_id == *id))
                    .cloned();
                out.push(HistorySeries {
                    benchmark: s.benchmark,
                    variant: s.variant,
                    metric: match &metric {
                        SeriesMetric::Stage(_) => "total_s".to_string(),
                        _ => s.metric.clone(),
                    },
                    stage: match &metric {
                        SeriesMetric::Stage(p) => Some(p.clone()),
                        _ => None,
                    },
                    points: s
                        .points
                        .into_iter()
                        .map(|p| HistoryPoint {
                            session_id: p.session_id,
                            started_at: p.started_at,
                            commit: p.commit,
                            version: p.version,
                            median: p.median,
                            ci_low: p.ci_low,
                            ci_high: p.ci_high,
                        })
                        .collect(),
                    change_points,
                    baseline_session,
                });
            }
        }
    }
    Ok(out)
}
