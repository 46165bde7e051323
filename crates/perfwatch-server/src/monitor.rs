//! Watching real runs: programs running anywhere send OTLP/HTTP to the
//! team server — `POST /v1/traces` and `POST /v1/metrics`, protobuf or
//! JSON, gzip or not, with a write token in the standard
//! `OTEL_EXPORTER_OTLP_HEADERS=Authorization=Bearer%20pw_…` — taken by the
//! same decoder, limits and answers as `perfwatch run`'s per-iteration
//! receiver ([`perfwatch_otlp::http`]).
//!
//! Each trace becomes a run of a monitored pipeline
//! ([`perfwatch_app::monitor`]): a task looks every
//! [`TICK`] for traces whose root arrived `settle` ago, stores each as the
//! next iteration of its pipeline's session of the day, and announces it
//! as [`SessionEvent::Stored`], so the dashboard, history and `/metrics`
//! see it as any pushed session. What was taken, refused and stored is
//! counted, and shown at `GET /v1/status`.

use crate::events::SessionEvent;
use crate::state::AppState;
use axum::extract::{Request, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get};
use axum::{Extension, Json, Router};
use opentelemetry_proto::tonic::collector::metrics::v1::ExportMetricsServiceRequest;
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use perfwatch_analysis::monitor::Alert;
use perfwatch_app::monitor::webhooks::{deliver, HttpPoster, Poster, RetryPolicy, Webhook};
use perfwatch_app::monitor::{
    store_runs, Assembler, AssemblerCounts, MetricBuffer, MonitoredSessions,
};
use perfwatch_metrics::{ActiveAlert, MetricsHub};
use perfwatch_otlp::app_metrics::{map_metrics, PointKind};
use perfwatch_otlp::http::{
    check_headers, decode_body, metrics_accepted, read_body, traces_accepted, ExportRequest,
    Refusal, METRICS_PATH,
};
use perfwatch_otlp::traced::map_traced;
use perfwatch_otlp::{MapOptions, TRACES_PATH};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// How long after a trace's root span arrives its run is stored, for
/// children that arrive later (exporters batch by end time).
pub const DEFAULT_SETTLE: Duration = Duration::from_secs(5);

/// How often completed runs are looked for.
pub const TICK: Duration = Duration::from_millis(200);

/// How often alerts are checked for changes and webhooks for events to
/// send or retry.
pub const ALERT_TICK: Duration = Duration::from_secs(1);

/// How the OTLP side runs.
#[derive(Clone, Default)]
pub struct MonitorSettings {
    /// How long after a trace's root arrives its run is stored.
    pub settle: Duration,
    /// Where alert events are POSTed.
    pub webhooks: Vec<Webhook>,
    /// How failed deliveries are retried.
    pub retry: RetryPolicy,
    /// Where `perfwatch_alert_active` is shown.
    pub hub: Option<Arc<MetricsHub>>,
}

/// Latest values kept per series, at most.
const MAX_SERIES: usize = 10_000;

/// The OTLP side's state. Application metrics (`/v1/metrics`) are kept a
/// while ([`MetricBuffer`]) and attached to the runs of their resource
/// that they were observed during, when those are stored.
pub struct Monitor {
    assembler: Mutex<Assembler>,
    sessions: Mutex<MonitoredSessions>,
    map: MapOptions,
    requests: AtomicU64,
    refused: AtomicU64,
    rejected_spans: AtomicU64,
    metric_points: AtomicU64,
    rejected_points: AtomicU64,
    stored_runs: AtomicU64,
    store_failures: AtomicU64,
    latest: Mutex<BTreeMap<(String, String), Latest>>,
    /// Recent points, attached to the runs they were observed during.
    buffer: Mutex<MetricBuffer>,
    /// Where the figures of monitored pipelines are shown: told of each
    /// run stored.
    hub: Option<Arc<MetricsHub>>,
}

/// The newest value of one application metric series.
#[derive(Debug, Clone, Serialize)]
struct Latest {
    kind: &'static str,
    value: f64,
    time_unix_ns: u64,
}

/// What `GET /v1/status` answers.
#[derive(Debug, Serialize)]
struct Status {
    settle_s: f64,
    requests: u64,
    refused_requests: u64,
    spans: u64,
    rejected_spans: u64,
    late_spans: u64,
    dropped_traces: u64,
    pending_traces: usize,
    runs_completed: u64,
    runs_stored: u64,
    store_failures: u64,
    metric_points: u64,
    rejected_points: u64,
    /// Points observed during a run stored before they arrived (counted,
    /// not attached to it).
    late_metric_points: u64,
    /// `service` → `series` → newest value.
    metrics: BTreeMap<String, BTreeMap<String, Latest>>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

fn now_ns() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX))
}

impl Monitor {
    fn new(settle: Duration, hub: Option<Arc<MetricsHub>>) -> Monitor {
        Monitor {
            assembler: Mutex::new(Assembler::new(
                u64::try_from(settle.as_nanos()).unwrap_or(u64::MAX),
            )),
            sessions: Mutex::new(MonitoredSessions::default()),
            map: MapOptions::default(),
            requests: AtomicU64::new(0),
            refused: AtomicU64::new(0),
            rejected_spans: AtomicU64::new(0),
            metric_points: AtomicU64::new(0),
            rejected_points: AtomicU64::new(0),
            stored_runs: AtomicU64::new(0),
            store_failures: AtomicU64::new(0),
            latest: Mutex::new(BTreeMap::new()),
            buffer: Mutex::new(MetricBuffer::default()),
            hub,
        }
    }

    fn refuse(&self, refusal: Refusal) -> Response {
        if refusal.counted_as().is_some() {
            self.refused.fetch_add(1, Ordering::Relaxed);
        }
        refusal.into_response()
    }

    fn counts(&self) -> AssemblerCounts {
        lock(&self.assembler).counts()
    }
}

/// The routes `/v1/traces`, `/v1/metrics` and `/v1/status` (the alerts
/// are the API's, `GET /api/v1/alerts`), and the [`MonitorHandle`] that
/// stores what is still settling when the server stops; the task that
/// stores completed runs every [`TICK`], and the one that, every
/// [`ALERT_TICK`], shows the open alerts on `/metrics` and delivers their
/// events to the webhooks. Call inside the runtime that serves.
pub fn monitor_routes(
    state: &AppState,
    settings: MonitorSettings,
) -> (Router<AppState>, MonitorHandle) {
    let monitor = Arc::new(Monitor::new(settings.settle, settings.hub.clone()));
    let handle = MonitorHandle {
        state: state.clone(),
        monitor: monitor.clone(),
    };
    {
        let state = state.clone();
        let poster: Arc<dyn Poster> = Arc::new(HttpPoster::default());
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(ALERT_TICK);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            let shown: Arc<Mutex<Shown>> = Arc::default();
            loop {
                tick.tick().await;
                let (settings, poster, shown) = (settings.clone(), poster.clone(), shown.clone());
                let _ = state
                    .blocking(move |s| {
                        alert_pass(s, &settings, &*poster, &shown);
                        Ok(())
                    })
                    .await;
            }
        });
    }
    {
        let (state, monitor) = (state.clone(), monitor.clone());
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(TICK);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                store_due(&state, &monitor, now_ns()).await;
            }
        });
    }
    let routes = Router::new()
        .route(TRACES_PATH, any(traces))
        .route(METRICS_PATH, any(metrics))
        .route("/v1/status", get(status))
        .layer(Extension(monitor));
    (routes, handle)
}

/// What [`MonitorHandle::flush`] did at shutdown.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Flushed {
    /// Runs stored before their settle time was over.
    pub stored: u64,
    /// Traces whose root span never came, dropped (and counted).
    pub dropped: u64,
}

/// The OTLP side, for the server's shutdown.
#[derive(Clone)]
pub struct MonitorHandle {
    state: AppState,
    monitor: Arc<Monitor>,
}

impl MonitorHandle {
    /// Stores every run whose root span has arrived, settled or not, so
    /// that a stopped server loses none of the runs it acknowledged; the
    /// traces without a root are dropped and counted. Call once the
    /// server stopped taking requests.
    pub async fn flush(&self) -> Flushed {
        let before = self.monitor.counts().dropped_traces;
        let stored = store_due(&self.state, &self.monitor, u64::MAX).await;
        Flushed {
            stored,
            dropped: self.monitor.counts().dropped_traces - before,
        }
    }
}

/// Stores the runs whose settle time has passed by `settled_by` (Unix ns;
/// `u64::MAX` for every run whose root has arrived), oldest first;
/// returns how many were stored.
async fn store_due(state: &AppState, monitor: &Arc<Monitor>, settled_by: u64) -> u64 {
    let now = now_ns();
    let due = {
        let mut assembler = lock(&monitor.assembler);
        let mut due = assembler.due(settled_by);
        let mut buffer = lock(&monitor.buffer);
        if !due.is_empty() && !buffer.is_empty() {
            let settle_ns = assembler.settle_ns();
            buffer.attach_runs(&mut due, assembler.pending_starts(), settle_ns, now);
        }
        due
    };
    if due.is_empty() {
        return 0;
    }
    let m = monitor.clone();
    let stored = state
        .blocking(move |s| {
            let mut sessions = lock(&m.sessions);
            // Runs stored per session: one announcement each.
            let mut ids: BTreeMap<(String, String), usize> = BTreeMap::new();
            // One transaction for the tick's runs, its step noted before
            // the watcher may read the generation it made.
            let writing = s.own_writes().writing();
            let stored = store_runs(&**s.store(), &mut sessions, due);
            if let Some(step) = stored.step {
                s.own_writes().note(step);
            }
            drop(writing);
            // The alert pass and the figures on `/metrics` take them as
            // written instead of reading them back from the store.
            let written = || stored.stored.iter().map(|(id, it)| (id.as_str(), it));
            s.alerts().note_stored(written());
            if let Some(hub) = &m.hub {
                hub.note_stored(written());
            }
            for (pipeline, stored) in stored.runs {
                match stored {
                    Ok(id) => {
                        m.stored_runs.fetch_add(1, Ordering::Relaxed);
                        *ids.entry((id, pipeline)).or_default() += 1;
                    }
                    Err(e) => {
                        m.store_failures.fetch_add(1, Ordering::Relaxed);
                        eprintln!("perfwatch serve: a run of {pipeline:?} was not stored: {e}");
                    }
                }
            }
            Ok(ids)
        })
        .await;
    let Ok(ids) = stored else {
        return 0;
    };
    let mut count = 0;
    for ((id, benchmark), iterations) in ids {
        count += iterations as u64;
        state.publish(SessionEvent::Stored {
            id,
            benchmark,
            iterations,
        });
    }
    count
}

/// Alerts most recently put on `/metrics`, and every alert seen (by id,
/// as last seen) to name those that leave the list.
#[derive(Default)]
struct Shown {
    current: Option<Arc<Vec<Alert>>>,
    seen: HashMap<String, Alert>,
}

/// Alerts remembered by id, at most: beyond it the memory starts afresh
/// (a withdrawn alert it forgot is then named by its id only).
const MAX_REMEMBERED_ALERTS: usize = 10_000;

/// One pass of the alert task: the open alerts onto `/metrics` when they
/// changed, then each webhook's deliveries. Failures are said on stderr
/// and tried again at the next pass.
fn alert_pass(
    state: &AppState,
    settings: &MonitorSettings,
    poster: &dyn Poster,
    shown: &Mutex<Shown>,
) {
    if settings.hub.is_none() && settings.webhooks.is_empty() {
        return;
    }
    let store = &**state.store();
    let alerts = match state.alerts().current(store) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("perfwatch serve: alerts could not be evaluated: {e}");
            return;
        }
    };
    let mut shown = lock(shown);
    if !shown
        .current
        .as_ref()
        .is_some_and(|s| Arc::ptr_eq(s, &alerts))
    {
        if shown.seen.len() > MAX_REMEMBERED_ALERTS {
            shown.seen.clear();
        }
        for a in alerts.iter() {
            shown.seen.insert(a.id.clone(), a.clone());
        }
        if let Some(hub) = &settings.hub {
            let open: Vec<ActiveAlert> = alerts
                .iter()
                .filter(|a| a.state == perfwatch_analysis::monitor::AlertState::Open)
                .map(|a| ActiveAlert {
                    pipeline: a.pipeline.clone(),
                    stage: a.stage.clone(),
                    severity: a.severity.key().to_string(),
                })
                .collect();
            hub.set_alerts(&open);
        }
        shown.current = Some(alerts.clone());
    }
    let now = time::OffsetDateTime::now_utc();
    for hook in &settings.webhooks {
        let delivered = deliver(
            store,
            hook,
            &alerts,
            &shown.seen,
            poster,
            &settings.retry,
            now,
        );
        if let Err(e) = delivered {
            eprintln!(
                "perfwatch serve: alerts for {} could not be delivered: {e}",
                hook.redacted()
            );
        }
    }
}

/// Method, headers and body of an export request, decoded.
async fn take<R: ExportRequest>(
    state: &AppState,
    monitor: &Monitor,
    req: Request,
) -> Result<(perfwatch_otlp::decode::Encoding, R), Response> {
    monitor.requests.fetch_add(1, Ordering::Relaxed);
    let (parts, body) = req.into_parts();
    let (encoding, compression) =
        check_headers(&parts.method, &parts.headers).map_err(|r| monitor.refuse(r))?;
    let limit = state.max_body();
    let raw = read_body(body, &parts.headers, encoding, limit)
        .await
        .map_err(|r| monitor.refuse(r))?;
    let request = decode_body(&raw, encoding, compression, limit).map_err(|r| monitor.refuse(r))?;
    Ok((encoding, request))
}

async fn traces(
    State(state): State<AppState>,
    Extension(monitor): Extension<Arc<Monitor>>,
    req: Request,
) -> Response {
    let (encoding, request) = match take::<ExportTraceServiceRequest>(&state, &monitor, req).await {
        Ok(taken) => taken,
        Err(resp) => return resp,
    };
    let traced = map_traced(&request, &monitor.map);
    let rejected: u64 = traced.rejected.values().sum();
    monitor
        .rejected_spans
        .fetch_add(rejected, Ordering::Relaxed);
    let message: Vec<String> = traced
        .rejected
        .iter()
        .map(|(reason, n)| format!("{reason}: {n}"))
        .collect();
    lock(&monitor.assembler).add(traced.spans, now_ns());
    traces_accepted(encoding, rejected, &message.join("; "))
}

async fn metrics(
    State(state): State<AppState>,
    Extension(monitor): Extension<Arc<Monitor>>,
    req: Request,
) -> Response {
    let (encoding, request) = match take::<ExportMetricsServiceRequest>(&state, &monitor, req).await
    {
        Ok(taken) => taken,
        Err(resp) => return resp,
    };
    let mapped = map_metrics(&request);
    monitor
        .rejected_points
        .fetch_add(mapped.rejected_count(), Ordering::Relaxed);
    monitor
        .metric_points
        .fetch_add(mapped.points.len() as u64, Ordering::Relaxed);
    {
        let mut latest = lock(&monitor.latest);
        for p in &mapped.points {
            let key = (p.service.clone(), p.name.clone());
            if !latest.contains_key(&key) && latest.len() >= MAX_SERIES {
                continue;
            }
            let newer = latest
                .get(&key)
                .is_none_or(|old| old.time_unix_ns <= p.time_unix_ns);
            if newer {
                let kind = match p.kind {
                    PointKind::Gauge => "gauge",
                    PointKind::Counter { cumulative: true } => "cumulative_counter",
                    PointKind::Counter { cumulative: false } => "delta_counter",
                };
                latest.insert(
                    key,
                    Latest {
                        kind,
                        value: p.value,
                        time_unix_ns: p.time_unix_ns,
                    },
                );
            }
        }
    }
    lock(&monitor.buffer).add(&mapped.points, now_ns());
    metrics_accepted(
        encoding,
        mapped.rejected_count(),
        &mapped.rejected_message(),
    )
}

async fn status(Extension(monitor): Extension<Arc<Monitor>>) -> Json<Status> {
    let counts = monitor.counts();
    let pending = lock(&monitor.assembler).pending();
    let mut metrics: BTreeMap<String, BTreeMap<String, Latest>> = BTreeMap::new();
    for ((service, name), latest) in lock(&monitor.latest).iter() {
        metrics
            .entry(service.clone())
            .or_default()
            .insert(name.clone(), latest.clone());
    }
    let settle_ns = lock(&monitor.assembler).settle_ns();
    let status = Status {
        settle_s: settle_ns as f64 / 1e9,
        requests: monitor.requests.load(Ordering::Relaxed),
        refused_requests: monitor.refused.load(Ordering::Relaxed),
        spans: counts.spans,
        rejected_spans: monitor.rejected_spans.load(Ordering::Relaxed),
        late_spans: counts.late_spans,
        dropped_traces: counts.dropped_traces,
        pending_traces: pending,
        runs_completed: counts.runs,
        runs_stored: monitor.stored_runs.load(Ordering::Relaxed),
        store_failures: monitor.store_failures.load(Ordering::Relaxed),
        metric_points: monitor.metric_points.load(Ordering::Relaxed),
        rejected_points: monitor.rejected_points.load(Ordering::Relaxed),
        late_metric_points: lock(&monitor.buffer).late_points(),
        metrics,
    };
    Json(status)
}
