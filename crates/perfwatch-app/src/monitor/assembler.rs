//! Traces in, completed runs out: spans are held per trace until the
//! trace's root has been seen and the settle time has passed.

use perfwatch_model::span_file::SpanRecord;
use perfwatch_model::Iteration;
use perfwatch_otlp::traced::TracedSpan;
use perfwatch_runner::assemble;
use std::collections::hash_map::Entry;
use std::collections::{HashMap, HashSet, VecDeque};

/// Traces held at once; past it the oldest is dropped and counted.
pub const MAX_TRACES: usize = 10_000;
/// Spans kept per trace; later ones are counted as dropped.
pub const MAX_SPANS_PER_TRACE: usize = 100_000;
/// Completed traces remembered, to count their late spans.
const REMEMBERED: usize = 100_000;
/// A trace whose root never arrives is dropped after this long.
const ORPHAN_AFTER_NS: u64 = 600 * 1_000_000_000;

/// One trace being gathered.
#[derive(Debug)]
struct Pending {
    service: String,
    version: Option<String>,
    records: Vec<SpanRecord>,
    /// Root name, start and end (Unix ns), and whether it succeeded.
    root: Option<(String, u64, u64, bool)>,
    /// When the root arrived (the settle time counts from it).
    root_seen_ns: u64,
    /// The earliest start of the spans seen (Unix ns; `u64::MAX` before
    /// the first).
    earliest_ns: u64,
    first_seen_ns: u64,
    over_limit: u64,
}

/// A run whose trace is complete.
#[derive(Debug, Clone, PartialEq)]
pub struct CompletedRun {
    /// `SERVICE/ROOT`.
    pub pipeline: String,
    /// `service.name` of the trace's resource.
    pub service: String,
    /// The resource's version, if any.
    pub version: Option<String>,
    /// The trace, 32 hex digits.
    pub trace_id: String,
    /// The root span's start, Unix ns.
    pub start_unix_ns: u64,
    /// The run as an iteration (index 0: the store's place is set when it
    /// is stored): wall time is the root span's, stages its spans.
    pub iteration: Iteration,
}

/// What the assembler has seen, for `/metrics` and status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AssemblerCounts {
    /// Spans accepted into a trace.
    pub spans: u64,
    /// Spans of traces already completed: counted, not stored.
    pub late_spans: u64,
    /// Traces dropped whole: no root within ten minutes, or over
    /// [`MAX_TRACES`].
    pub dropped_traces: u64,
    /// Runs completed.
    pub runs: u64,
}

/// Gathers spans into runs (see the module documentation).
#[derive(Debug)]
pub struct Assembler {
    settle_ns: u64,
    pending: HashMap<u128, Pending>,
    /// Arrival order of pending traces, for dropping the oldest.
    order: VecDeque<u128>,
    done: HashSet<u128>,
    done_order: VecDeque<u128>,
    counts: AssemblerCounts,
}

impl Assembler {
    /// An assembler that completes a run `settle_ns` after its root span
    /// arrived.
    pub fn new(settle_ns: u64) -> Assembler {
        Assembler {
            settle_ns,
            pending: HashMap::new(),
            order: VecDeque::new(),
            done: HashSet::new(),
            done_order: VecDeque::new(),
            counts: AssemblerCounts::default(),
        }
    }

    /// How long after its root a run completes, in nanoseconds.
    pub fn settle_ns(&self) -> u64 {
        self.settle_ns
    }

    /// What it has seen so far.
    pub fn counts(&self) -> AssemblerCounts {
        self.counts
    }

    /// Traces waiting for their root or their settle time.
    pub fn pending(&self) -> usize {
        self.pending.len()
    }

    /// Where each pending run started, as far as is known — its root's
    /// start, else its earliest span's — with its resource's service and
    /// version: runs under way that later runs' metrics must not be
    /// given to.
    pub fn pending_starts(&self) -> impl Iterator<Item = (&str, Option<&str>, u64)> {
        self.pending.values().filter_map(|p| {
            let start = p.root.as_ref().map_or(p.earliest_ns, |r| r.1);
            (start != u64::MAX).then_some((p.service.as_str(), p.version.as_deref(), start))
        })
    }

    /// Takes the spans of one request, arrived at `now_ns`.
    pub fn add(&mut self, spans: Vec<TracedSpan>, now_ns: u64) {
        for s in spans {
            if self.done.contains(&s.trace_id) {
                self.counts.late_spans += 1;
                continue;
            }
            if self.pending.len() >= MAX_TRACES && !self.pending.contains_key(&s.trace_id) {
                self.drop_oldest();
            }
            let p = match self.pending.entry(s.trace_id) {
                Entry::Occupied(e) => e.into_mut(),
                Entry::Vacant(e) => {
                    self.order.push_back(*e.key());
                    e.insert(Pending {
                        service: s.service.to_string(),
                        version: s.version.as_deref().map(str::to_owned),
                        records: Vec::new(),
                        root: None,
                        root_seen_ns: 0,
                        earliest_ns: u64::MAX,
                        first_seen_ns: now_ns,
                        over_limit: 0,
                    })
                }
            };
            if let SpanRecord::Span {
                parent,
                name,
                start_unix_ns,
                end_unix_ns,
                ok,
                ..
            } = &s.record
            {
                if parent.is_none() && p.root.is_none() {
                    p.root = Some((name.to_string(), *start_unix_ns, *end_unix_ns, *ok));
                    p.root_seen_ns = now_ns;
                }
                p.earliest_ns = p.earliest_ns.min(*start_unix_ns);
            }
            if p.records.len() < MAX_SPANS_PER_TRACE {
                p.records.push(s.record);
                self.counts.spans += 1;
            } else {
                p.over_limit += 1;
            }
        }
    }

    fn drop_oldest(&mut self) {
        while let Some(id) = self.order.pop_front() {
            if self.pending.remove(&id).is_some() {
                self.counts.dropped_traces += 1;
                return;
            }
        }
    }

    fn remember(&mut self, trace_id: u128) {
        if self.done_order.len() >= REMEMBERED {
            if let Some(old) = self.done_order.pop_front() {
                self.done.remove(&old);
            }
        }
        self.done.insert(trace_id);
        self.done_order.push_back(trace_id);
    }

    /// The runs complete at `now_ns`, oldest first; traces without a root
    /// for ten minutes are dropped and counted.
    pub fn due(&mut self, now_ns: u64) -> Vec<CompletedRun> {
        let settle = self.settle_ns;
        let ready: Vec<u128> = self
            .order
            .iter()
            .filter(|id| {
                self.pending.get(*id).is_some_and(|p| match p.root {
                    Some(_) => now_ns >= p.root_seen_ns.saturating_add(settle),
                    None => now_ns >= p.first_seen_ns.saturating_add(ORPHAN_AFTER_NS),
                })
            })
            .copied()
            .collect();
        let mut out = Vec::new();
        for id in ready {
            let Some(p) = self.pending.remove(&id) else {
                continue;
            };
            self.remember(id);
            let Some((root, start, end, ok)) = p.root.clone() else {
                self.counts.dropped_traces += 1;
                continue;
            };
            self.counts.runs += 1;
            out.push(complete(id, p, &root, start, end, ok));
        }
        self.order.retain(|id| self.pending.contains_key(id));
        out
    }
}

fn complete(
    trace_id: u128,
    p: Pending,
    root: &str,
    start: u64,
    end: u64,
    ok: bool,
) -> CompletedRun {
    let assembled = assemble(p.records, start);
    let mut dropped = assembled.dropped;
    if p.over_limit > 0 {
        *dropped
            .entry(perfwatch_runner::source::OVER_SPAN_LIMIT.to_string())
            .or_default() += p.over_limit;
    }
    let iteration = Iteration {
        index: 0,
        variant: super::sessions::MONITORED_VARIANT.to_string(),
        exit_code: Some(if ok { 0 } else { 1 }),
        wall_s: end.saturating_sub(start) as f64 / 1e9,
        stages: assembled.spans,
        counters: assembled.counters,
        gauges: assembled.gauges,
        dropped_spans: dropped,
        ..Iteration::default()
    };
    CompletedRun {
        pipeline: format!("{}/{root}", p.service),
        service: p.service,
        version: p.version,
        trace_id: format!("{trace_id:032x}"),
        start_unix_ns: start,
        iteration,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use perfwatch_model::span_file::CompactString;

    const MS: u64 = 1_000_000;

    fn span(trace: &str, id: &str, parent: Option<&str>, name: &str, a: u64, b: u64) -> TracedSpan {
        TracedSpan {
            // A number per test trace name.
            trace_id: trace.bytes().fold(0, |h, b| h * 131 + u128::from(b)),
            service: "shorts".into(),
            version: Some("1.2".into()),
            record: SpanRecord::Span {
                id: CompactString::from(id),
                parent: parent.map(CompactString::from),
                name: name.into(),
                tier: None,
                component: None,
                start_unix_ns: a,
                end_unix_ns: b,
                ok: true,
                attrs: Default::default(),
            },
        }
    }

    #[test]
    fn a_trace_becomes_a_run_after_its_root_and_the_settle_time() {
        let mut a = Assembler::new(500 * MS);
        let t0 = 1_700_000_000_000 * MS;
        // A child arrives before its root (exporters batch by end time).
        a.add(
            vec![span(
                "t1",
                "2",
                Some("1"),
                "asr",
                t0 + 10 * MS,
                t0 + 60 * MS,
            )],
            t0,
        );
        assert!(a.due(t0 + 10_000 * MS).is_empty(), "no root yet");
        a.add(
            vec![span("t1", "1", None, "video", t0, t0 + 100 * MS)],
            t0 + 200 * MS,
        );
        assert!(a.due(t0 + 600 * MS).is_empty(), "settling");
        let runs = a.due(t0 + 701 * MS);
        assert_eq!(runs.len(), 1);
        let r = &runs[0];
        assert_eq!(r.pipeline, "shorts/video");
        assert_eq!(r.version.as_deref(), Some("1.2"));
        assert!((r.iteration.wall_s - 0.1).abs() < 1e-9);
        assert_eq!(r.iteration.variant, "runs", "one variant across versions");
        let names: Vec<&str> = r.iteration.stages.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names.len(), 2, "{names:?}");
        // A span of the stored trace is late: counted, not a new run.
        a.add(
            vec![span("t1", "3", Some("1"), "tts", t0, t0 + MS)],
            t0 + 800 * MS,
        );
        assert!(a.due(t0 + 10_000 * MS).is_empty());
        assert_eq!(a.counts().late_spans, 1);
        assert_eq!(a.counts().runs, 1);
    }

    #[test]
    fn traces_without_a_root_are_dropped_after_ten_minutes_and_counted() {
        let mut a = Assembler::new(MS);
        a.add(vec![span("t2", "2", Some("1"), "x", 1, 2)], 0);
        assert!(a.due(ORPHAN_AFTER_NS - 1).is_empty());
        assert_eq!(a.pending(), 1);
        assert!(a.due(ORPHAN_AFTER_NS).is_empty());
        assert_eq!(a.pending(), 0);
        assert_eq!(a.counts().dropped_traces, 1);
    }
}
