//! Application metrics attached to monitored runs: what a program reports
//! over OTLP metrics beside its traces (a cache's hit rate, a pool's
//! waits) becomes part of each run it was reported during, so that it is
//! stored with the run and is a series of the pipeline as the stage times
//! are.
//!
//! A point belongs to a run when it carries the run's resource (the same
//! `service.name` and version) and was observed while the run went on or
//! in the settle time after its root ended (SDKs flush metrics at
//! shutdown, after the root span ended) — but before the next run of the
//! resource started: a point goes to the latest run started before it
//! (so one-shot processes run one after the other each get their own;
//! runs of one resource that overlap share what falls in the overlap to
//! the later). For each series:
//!
//! * a **gauge**'s last reading in that window is the run's value
//!   (`NAME`), with, when it was read more than once, the window's least
//!   and largest (`NAME.min`, `NAME.max`), as the per-iteration receiver
//!   keeps them;
//! * a **delta counter**'s points in the window are summed;
//! * a **cumulative counter** counts its increase: its last value in the
//!   window less its last value before the run (same stream: same start
//!   time). A stream with no earlier point that began at most the settle
//!   time before the run — a process started for this run — counts whole;
//!   otherwise, with two points or more in the window, the increase
//!   between the first and the last.
//!
//! Points are kept for [`KEEP_NS`] and [`MAX_POINTS`] at most (oldest
//! dropped first), so that a later run of the same resource finds a
//! cumulative counter's earlier value.

use super::CompletedRun;
use perfwatch_otlp::app_metrics::{MetricPoint, PointKind};
use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::sync::Arc;

/// How long points are kept: runs longer than this lose the earlier
/// value of their cumulative counters.
pub const KEEP_NS: u64 = 3_600 * 1_000_000_000;

/// Points kept at most, all resources together.
pub const MAX_POINTS: usize = 200_000;

/// Runs remembered per resource (to tell where the next run began and
/// which points arrive late), at most: the latest ones.
pub const MAX_RUNS_PER_RESOURCE: usize = 10_000;

/// One kept point of one series.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Kept {
    time: u64,
    start: u64,
    value: f64,
    kind: PointKind,
}

/// `(service, version)`.
type Resource = (String, Option<String>);

/// A series' resource and name, shared by its points' entries in the
/// eviction queue.
type SeriesKey = Arc<(Resource, String)>;

/// One series: its key and its points in time order.
#[derive(Debug)]
struct Series {
    key: SeriesKey,
    points: VecDeque<Kept>,
}

/// Recent metric points per resource and series, each series in time
/// order.
#[derive(Debug, Default)]
pub struct MetricBuffer {
    series: HashMap<Resource, BTreeMap<String, Series>>,
    /// Every kept point's series and time, oldest received first, for
    /// eviction (16 bytes a point: the series' key is shared).
    order: VecDeque<(SeriesKey, u64)>,
    /// The runs attached to: start → end of the window their points were
    /// taken from (Unix ns), kept as the points are.
    runs: HashMap<Resource, BTreeMap<u64, u64>>,
    /// Points that arrived after the run they were observed during was
    /// stored.
    late: u64,
}

impl MetricBuffer {
    /// Points kept now.
    pub fn len(&self) -> usize {
        self.order.len()
    }

    /// Whether none is kept.
    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }

    /// Points that arrived after the run they were observed during had
    /// been stored (counted, not attached: a run once stored is final).
    pub fn late_points(&self) -> u64 {
        self.late
    }

    /// Keeps `points`, then forgets those observed more than [`KEEP_NS`]
    /// before `now_ns` and the oldest beyond [`MAX_POINTS`]. A point
    /// observed during a run stored already is counted as late.
    pub fn add(&mut self, points: &[MetricPoint], now_ns: u64) {
        for p in points {
            let resource = (p.service.clone(), p.version.clone());
            let stored = self.runs.get(&resource).and_then(|runs| {
                let (_, &end) = runs.range(..=p.time_unix_ns).next_back()?;
                (p.time_unix_ns <= end).then_some(())
            });
            if stored.is_some() {
                self.late += 1;
            }
            let kept = Kept {
                time: p.time_unix_ns,
                start: p.start_unix_ns,
                value: p.value,
                kind: p.kind,
            };
            let by_name = self.series.entry(resource.clone()).or_default();
            let series = by_name.entry(p.name.clone()).or_insert_with(|| Series {
                key: Arc::new((resource, p.name.clone())),
                points: VecDeque::new(),
            });
            // Exporters send in time order: the place is nearly always
            // the end.
            let at = series.points.partition_point(|k| k.time <= kept.time);
            series.points.insert(at, kept);
            self.order
                .push_back((Arc::clone(&series.key), p.time_unix_ns));
        }
        let horizon = now_ns.saturating_sub(KEEP_NS);
        while let Some((_, time)) = self.order.front() {
            if self.order.len() <= MAX_POINTS && *time >= horizon {
                break;
            }
            if let Some((key, time)) = self.order.pop_front() {
                self.forget(&key, time);
            }
        }
    }

    fn forget(&mut self, key: &SeriesKey, time: u64) {
        let (resource, name) = &**key;
        let Some(by_name) = self.series.get_mut(resource) else {
            return;
        };
        if let Some(series) = by_name.get_mut(name) {
            if let Some(i) = series.points.iter().position(|k| k.time == time) {
                series.points.remove(i);
            }
            if series.points.is_empty() {
                by_name.remove(name);
            }
        }
        if by_name.is_empty() {
            self.series.remove(resource);
        }
    }

    /// Puts into each of `runs` the application metrics of its resource
    /// observed from its start to `settle_ns` after its end, and before
    /// the next run of the resource started — among `runs`, the runs
    /// attached to before, and `pending` (runs under way: service,
    /// version, start). See the [module documentation](self). Counters
    /// and gauges the run's spans reported already are kept; a metric of
    /// the same name replaces them.
    pub fn attach_runs<'a>(
        &mut self,
        runs: &mut [CompletedRun],
        pending: impl IntoIterator<Item = (&'a str, Option<&'a str>, u64)>,
        settle_ns: u64,
        now_ns: u64,
    ) {
        let horizon = now_ns.saturating_sub(KEEP_NS);
        self.runs.retain(|_, runs| {
            runs.retain(|&start, _| start >= horizon);
            !runs.is_empty()
        });
        for run in runs.iter() {
            let resource = (run.service.clone(), run.version.clone());
            // Only a resource that reports metrics needs its runs
            // remembered, and only its latest ones.
            if !self.series.contains_key(&resource) {
                continue;
            }
            let known = self.runs.entry(resource).or_default();
            known.entry(run.start_unix_ns).or_insert(0);
            while known.len() > MAX_RUNS_PER_RESOURCE {
                known.pop_first();
            }
        }
        let mut under_way: HashMap<Resource, BTreeSet<u64>> = HashMap::new();
        for (service, version, start) in pending {
            let resource = (service.to_string(), version.map(str::to_string));
            under_way.entry(resource).or_default().insert(start);
        }
        for run in runs.iter_mut() {
            let resource = (run.service.clone(), run.version.clone());
            let after = run.start_unix_ns.saturating_add(1)..;
            let known = self
                .runs
                .get(&resource)
                .and_then(|runs| runs.range(after.clone()).next().map(|(&s, _)| s));
            let pending = under_way
                .get(&resource)
                .and_then(|starts| starts.range(after).next().copied());
            let next = known.into_iter().chain(pending).min();
            let end = self.attach(run, settle_ns, next);
            if let Some(slot) = self
                .runs
                .get_mut(&resource)
                .and_then(|runs| runs.get_mut(&run.start_unix_ns))
            {
                *slot = end;
            }
        }
    }

    /// [`attach_runs`](Self::attach_runs) for one run, the next run of its
    /// resource starting at `next` (Unix ns) if known; returns the end of
    /// the window its points were taken from.
    fn attach(&self, run: &mut CompletedRun, settle_ns: u64, next: Option<u64>) -> u64 {
        let start = run.start_unix_ns;
        let wall_ns = (run.iteration.wall_s * 1e9).max(0.0) as u64;
        let mut end = start.saturating_add(wall_ns).saturating_add(settle_ns);
        if let Some(next) = next {
            end = end.min(next.saturating_sub(1));
        }
        let resource = (run.service.clone(), run.version.clone());
        let Some(by_name) = self.series.get(&resource) else {
            return end;
        };
        for (name, Series { points, .. }) in by_name {
            let from = points.partition_point(|k| k.time < start);
            let to = points.partition_point(|k| k.time <= end);
            let window = points.range(from..to);
            let Some(&last) = window.clone().next_back() else {
                continue;
            };
            let it = &mut run.iteration;
            match last.kind {
                PointKind::Gauge => {
                    let values = window.filter(|k| k.kind == PointKind::Gauge);
                    let (n, lo, hi) = values
                        .fold((0, f64::INFINITY, f64::NEG_INFINITY), |(n, lo, hi), k| {
                            (n + 1, lo.min(k.value), hi.max(k.value))
                        });
                    it.gauges.insert(name.clone(), last.value);
                    if n > 1 {
                        it.gauges.insert(format!("{name}.min"), lo);
                        it.gauges.insert(format!("{name}.max"), hi);
                    }
                }
                PointKind::Counter { cumulative: false } => {
                    let sum: f64 = window
                        .filter(|k| k.kind == last.kind)
                        .map(|k| k.value)
                        .sum();
                    if sum.is_finite() {
                        it.counters.insert(name.clone(), sum);
                    }
                }
                PointKind::Counter { cumulative: true } => {
                    let stream = |k: &&Kept| k.kind == last.kind && k.start == last.start;
                    let before = points.range(..from).rev().find(stream);
                    let first = window.clone().find(stream);
                    let increase = match (before, first) {
                        (Some(b), _) => Some(last.value - b.value),
                        (None, _) if last.start.saturating_add(settle_ns) >= start => {
                            Some(last.value)
                        }
                        (None, Some(f)) if f.time < last.time => Some(last.value - f.value),
                        _ => None,
                    };
                    if let Some(v) = increase.filter(|v| v.is_finite() && *v >= 0.0) {
                        it.counters.insert(name.clone(), v);
                    }
                }
            }
        }
        end
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use perfwatch_model::Iteration;

    const S: u64 = 1_000_000_000;

    fn point(name: &str, kind: PointKind, value: f64, start: u64, time: u64) -> MetricPoint {
        MetricPoint {
            service: "shop".into(),
            version: Some("1.0".into()),
            name: name.into(),
            kind,
            value,
            start_unix_ns: start,
            time_unix_ns: time,
        }
    }

    /// A run of `shop` 1.0 from `start_s` lasting `wall_s`.
    fn run(start_s: u64, wall_s: f64) -> CompletedRun {
        CompletedRun {
            pipeline: "shop/checkout".into(),
            service: "shop".into(),
            version: Some("1.0".into()),
            trace_id: "t".into(),
            start_unix_ns: start_s * S,
            iteration: Iteration {
                wall_s,
                ..Iteration::default()
            },
        }
    }

    /// Attaches to `r` alone, no run under way.
    fn attach(b: &mut MetricBuffer, r: &mut CompletedRun) {
        b.attach_runs(std::slice::from_mut(r), [], 5 * S, 200 * S);
    }

    const CUMULATIVE: PointKind = PointKind::Counter { cumulative: true };
    const DELTA: PointKind = PointKind::Counter { cumulative: false };

    #[test]
    fn a_gauge_read_during_the_run_or_its_settle_time_is_the_runs() {
        let mut b = MetricBuffer::default();
        b.add(
            &[
                point("hit_rate", PointKind::Gauge, 0.1, 0, 99 * S),
                point("hit_rate", PointKind::Gauge, 0.7, 0, 101 * S),
                point("hit_rate", PointKind::Gauge, 0.9, 0, 112 * S),
                point("hit_rate", PointKind::Gauge, 0.2, 0, 200 * S),
            ],
            200 * S,
        );
        let mut r = run(100, 10.0);
        attach(&mut b, &mut r);
        let g = &r.iteration.gauges;
        assert_eq!(
            (g["hit_rate"], g["hit_rate.min"], g["hit_rate.max"]),
            (0.9, 0.7, 0.9)
        );
    }

    #[test]
    fn counters_count_what_the_run_added() {
        let mut b = MetricBuffer::default();
        b.add(
            &[
                // A long-lived process: its total before the run is taken off.
                point("hits", CUMULATIVE, 40.0, 10 * S, 99 * S),
                point("hits", CUMULATIVE, 55.0, 10 * S, 111 * S),
                // A process started for the run: its whole total.
                point("misses", CUMULATIVE, 6.0, 99 * S, 110 * S),
                // Deltas are summed.
                point("bytes", DELTA, 100.0, 0, 102 * S),
                point("bytes", DELTA, 50.0, 0, 108 * S),
                point("bytes", DELTA, 999.0, 0, 130 * S),
            ],
            200 * S,
        );
        let mut r = run(100, 10.0);
        attach(&mut b, &mut r);
        let c = &r.iteration.counters;
        assert_eq!((c["hits"], c["misses"], c["bytes"]), (15.0, 6.0, 150.0));
    }

    #[test]
    fn an_old_stream_without_an_earlier_point_counts_only_what_it_shows() {
        let mut b = MetricBuffer::default();
        b.add(&[point("hits", CUMULATIVE, 40.0, 0, 104 * S)], 200 * S);
        let mut r = run(100, 10.0);
        attach(&mut b, &mut r);
        assert!(
            r.iteration.counters.is_empty(),
            "one point of an old stream says nothing"
        );
        b.add(&[point("hits", CUMULATIVE, 48.0, 0, 109 * S)], 200 * S);
        let mut r = run(100, 10.0);
        attach(&mut b, &mut r);
        assert_eq!(r.iteration.counters["hits"], 8.0);
    }

    #[test]
    fn another_resource_or_version_is_not_the_runs() {
        let mut b = MetricBuffer::default();
        let mut other = point("hit_rate", PointKind::Gauge, 0.5, 0, 105 * S);
        other.version = Some("2.0".into());
        let mut elsewhere = point("queue", PointKind::Gauge, 3.0, 0, 105 * S);
        elsewhere.service = "billing".into();
        b.add(&[other, elsewhere], 200 * S);
        let mut r = run(100, 10.0);
        attach(&mut b, &mut r);
        assert!(r.iteration.gauges.is_empty());
    }

    #[test]
    fn a_point_goes_to_the_latest_run_started_before_it() {
        let mut b = MetricBuffer::default();
        b.add(
            &[
                point("hit_rate", PointKind::Gauge, 0.8, 0, 101 * S),
                point("hit_rate", PointKind::Gauge, 0.5, 0, 103 * S),
                point("hit_rate", PointKind::Gauge, 0.3, 0, 106 * S),
            ],
            200 * S,
        );
        // Runs at 100 s and 102 s complete together; one at 105 s is
        // still under way.
        let mut runs = [run(100, 1.0), run(102, 1.0)];
        let other_service = ("billing", Some("1.0"), 100 * S + 1);
        b.attach_runs(
            &mut runs,
            [("shop", Some("1.0"), 105 * S), other_service],
            5 * S,
            200 * S,
        );
        assert_eq!(runs[0].iteration.gauges["hit_rate"], 0.8);
        assert_eq!(runs[1].iteration.gauges["hit_rate"], 0.5);
        // The run under way, once complete, gets its own.
        let mut late = [run(105, 1.0)];
        b.attach_runs(&mut late, [], 5 * S, 200 * S);
        assert_eq!(late[0].iteration.gauges["hit_rate"], 0.3);
        // A run attached again later still stops at the next one known,
        // and one reading makes no range.
        let mut again = [run(100, 1.0)];
        b.attach_runs(&mut again, [], 5 * S, 200 * S);
        assert_eq!(again[0].iteration.gauges.len(), 1);
    }

    #[test]
    fn a_point_of_a_run_already_stored_is_counted_late() {
        let mut b = MetricBuffer::default();
        b.add(
            &[point("hit_rate", PointKind::Gauge, 0.8, 0, 101 * S)],
            200 * S,
        );
        let mut r = run(100, 1.0);
        attach(&mut b, &mut r);
        assert_eq!(b.late_points(), 0);
        // Within the stored run's window (start .. end + settle): late.
        b.add(
            &[point("hit_rate", PointKind::Gauge, 0.7, 0, 105 * S)],
            200 * S,
        );
        assert_eq!(b.late_points(), 1);
        // After it, or of another resource: not late.
        let mut other = point("hit_rate", PointKind::Gauge, 0.7, 0, 103 * S);
        other.service = "billing".into();
        b.add(
            &[point("hit_rate", PointKind::Gauge, 0.7, 0, 107 * S), other],
            200 * S,
        );
        assert_eq!(b.late_points(), 1);
    }

    #[test]
    fn runs_are_remembered_only_for_resources_with_metrics_and_up_to_the_cap() {
        let mut b = MetricBuffer::default();
        let mut silent = run(100, 1.0);
        silent.service = "quiet".into();
        b.attach_runs(std::slice::from_mut(&mut silent), [], 5 * S, 200 * S);
        assert!(b.runs.is_empty(), "a resource without metrics");
        b.add(&[point("g", PointKind::Gauge, 1.0, 0, 100 * S)], 200 * S);
        let mut many: Vec<CompletedRun> = (0..MAX_RUNS_PER_RESOURCE as u64 + 5)
            .map(|i| {
                let mut r = run(100, 0.0);
                r.start_unix_ns = 100 * S + i;
                r
            })
            .collect();
        b.attach_runs(&mut many, [], 5 * S, 200 * S);
        let kept = &b.runs[&("shop".to_string(), Some("1.0".to_string()))];
        assert_eq!(kept.len(), MAX_RUNS_PER_RESOURCE);
        assert_eq!(kept.keys().next(), Some(&(100 * S + 5)), "the latest kept");
    }

    #[test]
    fn old_points_and_points_over_the_cap_are_forgotten() {
        let mut b = MetricBuffer::default();
        b.add(&[point("g", PointKind::Gauge, 1.0, 0, S)], 2 * S);
        assert_eq!(b.len(), 1);
        b.add(
            &[point("g", PointKind::Gauge, 2.0, 0, KEEP_NS + 3 * S)],
            KEEP_NS + 3 * S,
        );
        assert_eq!(b.len(), 1, "the first is older than KEEP_NS");
        let many: Vec<MetricPoint> = (0..MAX_POINTS as u64 + 10)
            .map(|i| {
                point(
                    &format!("s{}", i % 7),
                    PointKind::Gauge,
                    1.0,
                    0,
                    KEEP_NS + 4 * S + i,
                )
            })
            .collect();
        b.add(&many, KEEP_NS + 5 * S);
        assert_eq!(b.len(), MAX_POINTS);
        let kept: usize = b
            .series
            .values()
            .flat_map(|m| m.values())
            .map(|s| s.points.len())
            .sum();
        assert_eq!(kept, MAX_POINTS, "the index and the series agree");
    }
}
