//! [`MetricsHub`]: the figures `/metrics` shows, kept ready between
//! scrapes.

use crate::alerts::{ActiveAlert, AlertMetrics};
use crate::error::MetricsError;
use crate::figures::{BenchmarkFigures, Started};
use crate::format::Format;
use crate::labels::label_value;
use crate::published::{FiguresCollector, Outcome, Published};
use crate::requests::RequestMetrics;
use perfwatch_app::load::analyze_stored;
use perfwatch_app::monitor::{is_monitored, IterationCache};
use perfwatch_app::{Analysis, AppError, Options};
use perfwatch_model::{Iteration, Session, SessionStatus};
use perfwatch_store::{SessionFilter, Store};
use prometheus_client::encoding::{prometheus_text, text as openmetrics_text};
use prometheus_client::metrics::counter::Counter;
use prometheus_client::registry::Registry;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, RwLock};
use std::time::Duration;

/// The default cap on entries of the per-benchmark families (see
/// [`MetricsHub::new`]).
pub const DEFAULT_MAX_SERIES: usize = 10_000;

/// What `/metrics` shows, built ahead of the scrapes: each benchmark's
/// latest figures (analysed when a session arrives or at
/// [`refresh_from_store`](Self::refresh_from_store), never during a
/// scrape), the server's ingest and request counters, and the cap
/// on series.
///
/// Shared by every request of the server (`Send + Sync`; every method
/// takes `&self`).
#[derive(Debug)]
pub struct MetricsHub {
    registry: Registry,
    figures: Arc<RwLock<Published>>,
    sessions: Counter,
    iterations: Counter,
    dropped: Counter,
    requests: RequestMetrics,
    alerts: AlertMetrics,
    /// The length of the last rendering, to allocate the next at once.
    last_len: AtomicUsize,
    /// The recent runs of monitored sessions, kept between analyses.
    recent: Mutex<IterationCache>,
}

/// Monitored sessions whose recent runs the hub keeps between analyses,
/// the most recently analysed first.
const CACHED_SESSIONS: usize = 32;
/// Spans those keep in all, at most: past it the sessions least recently
/// analysed are read afresh each time (as they are without the cache).
const CACHED_SPANS: usize = 250_000;

/// What [`MetricsHub::refresh_from_store`] did.
#[derive(Debug, Default)]
pub struct Refreshed {
    /// Benchmarks whose latest session was analysed and put on show.
    pub published: usize,
    /// Benchmarks taken off show: no eligible session of theirs is stored
    /// any more.
    pub removed: usize,
    /// Benchmarks whose latest session could not be analysed, with why;
    /// their earlier figures, if any, stay on show.
    pub failed: Vec<(String, MetricsError)>,
}

impl MetricsHub {
    /// An empty hub publishing at most `max_series` entries of the
    /// per-benchmark families ([`DEFAULT_MAX_SERIES`] is a good start).
    ///
    /// An entry is a benchmark's own figures (its session's start time,
    /// health score and regressions by severity: 6 series), or a label
    /// set of the `perfwatch_latest_*` families (a variant and a metric,
    /// or a variant and a stage: 3 series, the median and its interval's
    /// bounds). Entries come first come first served; within a benchmark
    /// its own figures first, then the whole-run metrics, then its stages,
    /// the largest first. Entries beyond the cap are not published and
    /// each one refused adds 1 to `perfwatch_series_dropped_total`. Label
    /// values are bounded too ([`MAX_LABEL_VALUE_BYTES`](crate::MAX_LABEL_VALUE_BYTES)).
    pub fn new(max_series: usize) -> Self {
        let mut registry = Registry::default();
        let sessions = Counter::default();
        let iterations = Counter::default();
        let dropped = Counter::default();
        registry.register(
            "perfwatch_sessions_ingested",
            "Sessions received by this server since it started",
            sessions.clone(),
        );
        registry.register(
            "perfwatch_iterations_ingested",
            "Iterations received by this server since it started",
            iterations.clone(),
        );
        registry.register(
            "perfwatch_series_dropped",
            "Entries of the per-benchmark families not published: over the cap (perfwatch_series_limit), or equal to another once label values were bounded. Counted at each refusal",
            dropped.clone(),
        );
        let requests = RequestMetrics::register(&mut registry);
        let alerts = AlertMetrics::register(&mut registry);
        let figures = Arc::new(RwLock::new(Published::new(max_series)));
        registry.register_collector(Box::new(FiguresCollector(Arc::clone(&figures))));
        MetricsHub {
            registry,
            figures,
            sessions,
            iterations,
            dropped,
            requests,
            alerts,
            last_len: AtomicUsize::new(0),
            recent: Mutex::default(),
        }
    }

    /// The cap given to [`new`](Self::new).
    pub fn max_series(&self) -> usize {
        self.read().cap()
    }

    /// Entries on show (at most [`max_series`](Self::max_series)).
    pub fn series(&self) -> usize {
        self.read().used()
    }

    /// Rebuilds every benchmark's figures from the store: one
    /// `list_sessions`, then [`analyze_stored`] of each benchmark's latest
    /// session — the newest that is not still running and has at least one
    /// counted iteration (a monitored pipeline's open session counts as
    /// finished). For start-up, and whenever the history may have
    /// changed behind the server's back. Benchmarks with no such session
    /// any more are taken off show.
    ///
    /// Fails only when the sessions cannot be listed; a session that
    /// cannot be analysed is reported in [`Refreshed::failed`].
    pub fn refresh_from_store(
        &self,
        store: &dyn Store,
        opts: &Options,
    ) -> Result<Refreshed, MetricsError> {
        let since = self.read().generation();
        // The sessions alone, newest first: the first eligible one of a
        // benchmark is its latest. Counting every iteration of the
        // history here made each refresh cost as much as the history (a
        // monitored pipeline's day holds thousands of runs); one probe
        // per candidate tells whether it has a counted run.
        let heads = store.list_session_heads(&SessionFilter::default())?;
        let mut latest: BTreeMap<&str, &Session> = BTreeMap::new();
        for session in heads.iter().filter(|s| showable(s)) {
            if latest.contains_key(session.benchmark.as_str()) {
                continue;
            }
            if store.has_counted_iteration(&session.id)? {
                latest.insert(session.benchmark.as_str(), session);
            }
        }
        let mut refreshed = Refreshed::default();
        let mut current = BTreeSet::new();
        for (benchmark, session) in latest {
            current.insert(label_value(benchmark));
            match self.analyze(store, session, opts) {
                Ok(analysis) => {
                    self.publish(&analysis);
                    refreshed.published += 1;
                }
                Err(e) => refreshed.failed.push((benchmark.to_owned(), e)),
            }
        }
        refreshed.removed = self.write().retire(&current, since);
        Ok(refreshed)
    }

    /// Counts a session newly stored by the server (call it once per
    /// session, not for a repeated push of one already stored) with its
    /// `iterations`, and, when it is the newest of its benchmark, puts its
    /// analysis on show. Returns whether the figures changed.
    ///
    /// A session still running (but for a monitored pipeline's, always
    /// open), with no iterations, or older than the one on show (a late push of an old run) changes the counters only. The
    /// counters count the session even when its analysis fails (the
    /// error says why; the benchmark's figures stay as they were).
    pub fn session_ingested(
        &self,
        store: &dyn Store,
        opts: &Options,
        session: &Session,
        iterations: usize,
    ) -> Result<bool, MetricsError> {
        self.count_ingested(iterations);
        if iterations == 0 {
            return Ok(false);
        }
        self.show_session(store, opts, session)
    }

    /// Counts a session newly stored by the server with its `iterations`
    /// (as [`session_ingested`](Self::session_ingested) does), without
    /// analysing it: for a monitored pipeline's session, whose figures are
    /// put on show at a slower pace ([`show_session`](Self::show_session)).
    pub fn count_ingested(&self, iterations: usize) {
        self.sessions.inc();
        self.iterations.inc_by(iterations as u64);
    }

    /// Puts `session`'s analysis on show when it may stand for its
    /// benchmark (finished, or a monitored pipeline's) and no newer
    /// session's figures are. Returns whether the figures changed.
    pub fn show_session(
        &self,
        store: &dyn Store,
        opts: &Options,
        session: &Session,
    ) -> Result<bool, MetricsError> {
        if !showable(session) {
            return Ok(false);
        }
        if self.shows_newer_than(session) {
            return Ok(false);
        }
        let analysis = self.analyze(store, session, opts)?;
        Ok(self.publish(&analysis))
    }

    /// Runs this server just stored, each with its session's id, for the
    /// next analysis of a monitored session to take without reading them
    /// back (see [`IterationCache::note_stored`]).
    pub fn note_stored<'a>(&self, stored: impl IntoIterator<Item = (&'a str, &'a Arc<Iteration>)>) {
        self.recent_runs().note_stored(stored);
    }

    fn recent_runs(&self) -> MutexGuard<'_, IterationCache> {
        self.recent.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The analysis every front end gets: [`analyze_stored`], compared
    /// with the baseline the session was run against, if any — but for a
    /// monitored pipeline's session (a day of runs, thousands of them),
    /// the analysis of its last
    /// [`REPLAYED_RUNS`](perfwatch_app::monitor::REPLAYED_RUNS) runs: the figures on
    /// show are the pipeline's recent ones, as its alerts judge them, at
    /// a cost that does not grow over the day. Those runs are kept
    /// between analyses, so that each reads only the runs stored since
    /// the one before.
    fn analyze(
        &self,
        store: &dyn Store,
        session: &Session,
        opts: &Options,
    ) -> Result<Analysis, MetricsError> {
        let fail = |source: AppError| MetricsError::Analyze {
            session: session.id.clone(),
            source,
        };
        if is_monitored(session) {
            let recent: Vec<Iteration> = {
                let mut cache = self.recent_runs();
                let runs = cache.runs(store, session).map_err(fail)?;
                let recent = runs.iter().map(|it| Iteration::clone(it)).collect();
                cache.bound(CACHED_SESSIONS, CACHED_SPANS);
                recent
            };
            return Ok(perfwatch_app::analyze(session.clone(), recent, None, opts));
        }
        analyze_stored(store, &session.id, None, opts).map_err(fail)
    }

    /// Puts the figures of an analysis the caller already has on show for
    /// its benchmark, unless a newer session's are. Returns whether they
    /// were.
    pub fn publish(&self, analysis: &Analysis) -> bool {
        let figures = BenchmarkFigures::from_analysis(analysis);
        let outcome = self.write().publish(figures);
        match outcome {
            Outcome::Published { dropped } => {
                self.dropped.inc_by(dropped as u64);
                true
            }
            Outcome::Stale => false,
        }
    }

    /// Counts an API request: `route` is the route's template
    /// (`/api/v1/sessions/{id}`, never the raw path, whose ids would each
    /// make a series), `method` the HTTP method, `status` the response's
    /// status code, `duration` the time to answer.
    pub fn record_request(&self, route: &str, method: &str, status: u16, duration: Duration) {
        self.requests.record(route, method, status, duration);
    }

    /// Shows the open alerts of monitored pipelines as
    /// `perfwatch_alert_active`, replacing those shown before.
    pub fn set_alerts(&self, open: &[ActiveAlert]) {
        self.alerts.set(open);
    }

    /// The whole exposition in the OpenMetrics text format (serve it as
    /// [`CONTENT_TYPE`](crate::CONTENT_TYPE)). Only formats what is built
    /// already: no store access, no analysis.
    pub fn render(&self) -> String {
        self.render_as(Format::OpenMetrics)
    }

    /// The whole exposition in the Prometheus text format 0.0.4 (serve it
    /// as [`TEXT_CONTENT_TYPE`](crate::TEXT_CONTENT_TYPE)): the same
    /// samples as [`render`](Self::render), for clients that do not ask for
    /// OpenMetrics.
    pub fn render_text(&self) -> String {
        self.render_as(Format::Text)
    }

    /// The answer to `GET /metrics` with this `Accept` header: the
    /// `Content-Type` and the body, in the format the client prefers
    /// ([`Format::negotiate`]).
    pub fn render_for(&self, accept: Option<&str>) -> (&'static str, String) {
        let format = Format::negotiate(accept);
        (format.content_type(), self.render_as(format))
    }

    fn render_as(&self, format: Format) -> String {
        let mut out = String::with_capacity(self.last_len.load(Ordering::Relaxed) + 4096);
        // Writing to a String cannot fail, and no metric or collector here
        // fails but through its writer.
        match format {
            Format::OpenMetrics => openmetrics_text::encode(&mut out, &self.registry),
            Format::Text => prometheus_text::encode(&mut out, &self.registry),
        }
        .expect("encoding metrics into a String");
        self.last_len.store(out.len(), Ordering::Relaxed);
        out
    }

    fn shows_newer_than(&self, session: &Session) -> bool {
        let state = self.read();
        let Some(shown) = state.get(&label_value(&session.benchmark)) else {
            return false;
        };
        Started::of(session).before(&shown.started)
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, Published> {
        self.figures.read().unwrap_or_else(PoisonError::into_inner)
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, Published> {
        self.figures.write().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Default for MetricsHub {
    /// [`MetricsHub::new`] with [`DEFAULT_MAX_SERIES`].
    fn default() -> Self {
        MetricsHub::new(DEFAULT_MAX_SERIES)
    }
}

/// Whether a session's figures may be shown — finished (in any way), or
/// the open session of a monitored pipeline (it runs all day: its runs
/// so far are its figures, every stored run final) — when it has
/// counted runs.
fn showable(session: &Session) -> bool {
    session.status != SessionStatus::Running || is_monitored(session)
}
