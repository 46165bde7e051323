//! What arrived, shared between the receiver's handlers and the runner.
//!
//! The inbox is open while an iteration runs (from `begin` to the end of
//! `finish`). Spans that arrive while it is closed, or that started before
//! the open iteration began, belong to an earlier iteration whose process
//! outlived it: they are dropped as [`LATE`] and counted in the next
//! drained batch, never attributed to the wrong iteration.

use crate::map::Mapped;
use perfwatch_model::span_file::{CompactString, SpanRecord};
use perfwatch_runner::source::{Collected, DEFAULT_MAX_SPANS, OVER_SPAN_LIMIT};
use std::collections::{BTreeMap, HashSet};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// Drop reason: the span belongs to an iteration that already finished.
pub const LATE: &str = "arrived after its iteration";
/// Drop reason: a span with the same id already arrived (a client retry).
pub const DUPLICATE: &str = "duplicate span id";
/// Drop reason (counted per request): the body could not be decoded.
pub const UNDECODABLE: &str = "undecodable OTLP request";
/// Drop reason (counted per request): the request lacked the run's token.
pub const UNAUTHENTICATED: &str = "OTLP request without the run's token";
/// Drop reason (counted per request): the body was over the size limit.
pub const TOO_LARGE: &str = "OTLP request over the size limit";

/// What `finish` needs to know to decide whether to keep waiting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Progress {
    /// Requests being read or processed now.
    pub in_flight: usize,
    /// Connections being accepted or open now.
    pub connections: usize,
    /// When a request last started or ended (any iteration).
    pub last_activity: Option<Instant>,
    /// Requests that reached the handler since the iteration began.
    pub requests: u64,
    /// A root span arrived and every parent id resolves in the batch.
    pub tree_complete: bool,
    /// Bumped on every change; [`Inbox::wait`] returns once it moves.
    pub generation: u64,
}

#[derive(Debug)]
struct State {
    /// `Some(start of iteration, ns since the Unix epoch)` while open.
    open_since_ns: Option<u64>,
    /// Most spans kept per iteration; later ones are [`OVER_SPAN_LIMIT`].
    max_spans: usize,
    records: Vec<SpanRecord>,
    ids: HashSet<CompactString>,
    /// A kept span has no parent.
    has_root: bool,
    /// Parent ids named by kept spans that no kept span has (yet): kept as
    /// spans arrive, so that [`Progress::tree_complete`] costs nothing
    /// however many spans the iteration holds.
    missing_parents: HashSet<CompactString>,
    dropped: BTreeMap<String, u64>,
    in_flight: usize,
    connections: usize,
    last_activity: Option<Instant>,
    requests: u64,
    generation: u64,
}

impl Default for State {
    fn default() -> Self {
        State {
            open_since_ns: None,
            max_spans: DEFAULT_MAX_SPANS,
            records: Vec::new(),
            ids: HashSet::new(),
            has_root: false,
            missing_parents: HashSet::new(),
            dropped: BTreeMap::new(),
            in_flight: 0,
            connections: 0,
            last_activity: None,
            requests: 0,
            generation: 0,
        }
    }
}

impl State {
    /// Keeps a span record of the open iteration (its id is new).
    fn keep(&mut self, record: SpanRecord) {
        if let SpanRecord::Span { id, parent, .. } = &record {
            self.missing_parents.remove(id);
            match parent {
                None => self.has_root = true,
                Some(p) if !self.ids.contains(p) => {
                    self.missing_parents.insert(p.clone());
                }
                Some(_) => {}
            }
        }
        self.records.push(record);
    }

    /// Forgets the spans of the iteration.
    fn clear_spans(&mut self) {
        self.ids.clear();
        self.has_root = false;
        self.missing_parents.clear();
    }
}

/// Shared by the handlers (which add) and the source (which drains).
#[derive(Debug, Default)]
pub(crate) struct Inbox {
    state: Mutex<State>,
    changed: Condvar,
}

/// Marks one request as in flight until dropped (also when the handler's
/// future is cancelled by a client hanging up).
pub(crate) struct InFlight(Arc<Inbox>);

impl Drop for InFlight {
    fn drop(&mut self) {
        let mut st = self.0.lock();
        st.in_flight = st.in_flight.saturating_sub(1);
        st.last_activity = Some(Instant::now());
        st.generation += 1;
        drop(st);
        self.0.changed.notify_all();
    }
}

/// Counts one connection as open from just before it is accepted until
/// dropped (with the connection, or at once when no connection came).
pub(crate) struct Connection(Arc<Inbox>);

impl Drop for Connection {
    fn drop(&mut self) {
        let mut st = self.0.lock();
        st.connections = st.connections.saturating_sub(1);
        st.generation += 1;
        drop(st);
        self.0.changed.notify_all();
    }
}

impl Inbox {
    /// A connection is about to be accepted. Counting it before the
    /// `accept` call closes the gap in which it is neither in the listen
    /// queue nor counted (see `OtlpSource::settle`).
    pub fn connection_opening(self: &Arc<Self>) -> Connection {
        let mut st = self.lock();
        st.connections += 1;
        st.generation += 1;
        drop(st);
        self.changed.notify_all();
        Connection(Arc::clone(self))
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A handler that panicked mid-update leaves counts that are still
        // usable; never propagate the poison into the runner.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A request reached the handler.
    pub fn request_started(self: &Arc<Self>) -> InFlight {
        let mut st = self.lock();
        st.in_flight += 1;
        st.requests += 1;
        st.last_activity = Some(Instant::now());
        st.generation += 1;
        drop(st);
        self.changed.notify_all();
        InFlight(Arc::clone(self))
    }

    /// Count a request that carried no usable spans.
    pub fn count_bad_request(&self, reason: &str) {
        *self.lock().dropped.entry(reason.to_owned()).or_default() += 1;
    }

    /// Keep what `mapped` holds; return the spans not kept, by reason.
    pub fn accept(&self, mapped: Mapped) -> BTreeMap<String, u64> {
        let mut not_kept: BTreeMap<String, u64> = mapped
            .rejected
            .iter()
            .map(|(reason, n)| (reason.to_string(), *n))
            .collect();
        let mut st = self.lock();
        for record in mapped.records {
            let SpanRecord::Span {
                id, start_unix_ns, ..
            } = &record
            else {
                continue;
            };
            let reason = match st.open_since_ns {
                Some(since) if *start_unix_ns >= since => {
                    if st.records.len() >= st.max_spans {
                        OVER_SPAN_LIMIT
                    } else if st.ids.insert(id.clone()) {
                        st.keep(record);
                        continue;
                    } else {
                        DUPLICATE
                    }
                }
                _ => LATE,
            };
            *not_kept.entry(reason.to_owned()).or_default() += 1;
        }
        for (reason, n) in &not_kept {
            *st.dropped.entry(reason.clone()).or_default() += n;
        }
        st.generation += 1;
        drop(st);
        self.changed.notify_all();
        not_kept
    }

    /// Open for an iteration that starts at `since_ns` (Unix epoch ns) and
    /// keeps at most `max_spans` spans.
    pub fn open(&self, since_ns: u64, max_spans: usize) {
        let mut st = self.lock();
        st.open_since_ns = Some(since_ns);
        st.max_spans = max_spans;
        st.records.clear();
        st.clear_spans();
        st.requests = 0;
    }

    /// Close and take what the iteration gathered, with the drops counted
    /// since the last drain.
    pub fn drain(&self) -> Collected {
        let mut st = self.lock();
        st.open_since_ns = None;
        st.clear_spans();
        Collected {
            records: std::mem::take(&mut st.records),
            dropped: std::mem::take(&mut st.dropped),
        }
    }

    /// The current progress.
    pub fn progress(&self) -> Progress {
        progress_of(&self.lock())
    }

    /// Wait until the generation moves past `seen` or `timeout` passes;
    /// return the progress. A change between the caller's last look and
    /// this call is not missed: the generation already moved.
    pub fn wait(&self, seen: u64, timeout: Duration) -> Progress {
        let st = self.lock();
        let (st, _) = self
            .changed
            .wait_timeout_while(st, timeout, |st| st.generation == seen)
            .unwrap_or_else(|p| p.into_inner());
        progress_of(&st)
    }
}

fn progress_of(st: &State) -> Progress {
    Progress {
        in_flight: st.in_flight,
        connections: st.connections,
        last_activity: st.last_activity,
        requests: st.requests,
        tree_complete: st.has_root && st.missing_parents.is_empty(),
        generation: st.generation,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::map::Reject;

    fn span(id: &str, parent: Option<&str>, start: u64) -> SpanRecord {
        SpanRecord::Span {
            id: id.into(),
            parent: parent.map(Into::into),
            name: "s".into(),
            tier: None,
            component: None,
            start_unix_ns: start,
            end_unix_ns: start + 1,
            ok: true,
            attrs: Default::default(),
        }
    }

    fn mapped(records: Vec<SpanRecord>) -> Mapped {
        Mapped {
            records,
            rejected: BTreeMap::new(),
        }
    }

    #[test]
    fn spans_between_iterations_are_late_and_reported_next() {
        let inbox = Inbox::default();
        let not_kept = inbox.accept(mapped(vec![span("a", None, 5)]));
        assert_eq!(not_kept[LATE], 1);
        inbox.open(100, DEFAULT_MAX_SPANS);
        let not_kept = inbox.accept(mapped(vec![span("b", None, 99), span("c", None, 100)]));
        assert_eq!(not_kept[LATE], 1);
        let got = inbox.drain();
        assert_eq!(got.records, vec![span("c", None, 100)]);
        assert_eq!(got.dropped[LATE], 2);
        // The next drain starts from nothing.
        inbox.open(200, DEFAULT_MAX_SPANS);
        assert_eq!(inbox.drain(), Collected::default());
    }

    #[test]
    fn duplicates_and_rejections_are_counted() {
        let inbox = Inbox::default();
        inbox.open(0, DEFAULT_MAX_SPANS);
        let mut m = mapped(vec![span("a", None, 1), span("a", None, 1)]);
        m.rejected.insert(Reject::MissingName, 2);
        let not_kept = inbox.accept(m);
        assert_eq!(not_kept[DUPLICATE], 1);
        assert_eq!(not_kept["span without a name"], 2);
        inbox.count_bad_request(UNDECODABLE);
        let got = inbox.drain();
        assert_eq!(got.records.len(), 1);
        assert_eq!(got.dropped[DUPLICATE], 1);
        assert_eq!(got.dropped["span without a name"], 2);
        assert_eq!(got.dropped[UNDECODABLE], 1);
    }

    #[test]
    fn spans_over_the_span_limit_are_counted_not_kept() {
        let inbox = Inbox::default();
        inbox.open(0, 3);
        let first: Vec<SpanRecord> = (0..2).map(|i| span(&format!("a{i}"), None, 1)).collect();
        assert!(inbox.accept(mapped(first)).is_empty());
        let more: Vec<SpanRecord> = (0..5).map(|i| span(&format!("b{i}"), None, 1)).collect();
        let not_kept = inbox.accept(mapped(more));
        assert_eq!(not_kept[OVER_SPAN_LIMIT], 4);
        let got = inbox.drain();
        assert_eq!(got.records.len(), 3);
        assert_eq!(got.dropped[OVER_SPAN_LIMIT], 4);
        // The next iteration starts from an empty count.
        inbox.open(0, 3);
        assert!(inbox.accept(mapped(vec![span("c", None, 1)])).is_empty());
    }

    #[test]
    fn tree_completeness() {
        let cases: [(&str, Vec<SpanRecord>, bool); 5] = [
            ("empty", vec![], false),
            ("children only", vec![span("b", Some("a"), 1)], false),
            (
                "child before root",
                vec![span("b", Some("a"), 1), span("a", None, 1)],
                true,
            ),
            (
                "dangling grandchild",
                vec![span("a", None, 1), span("c", Some("x"), 1)],
                false,
            ),
            (
                "own parent",
                vec![span("a", Some("a"), 1), span("b", None, 1)],
                true,
            ),
        ];
        for (label, records, want) in cases {
            let inbox = Inbox::default();
            inbox.open(0, DEFAULT_MAX_SPANS);
            inbox.accept(mapped(records));
            assert_eq!(inbox.progress().tree_complete, want, "{label}");
        }
    }

    #[test]
    fn wait_returns_at_once_when_the_generation_moved() {
        let inbox = Inbox::default();
        let seen = inbox.progress().generation;
        inbox.accept(mapped(vec![]));
        // Would block for an hour if the earlier change were missed.
        let p = inbox.wait(seen, Duration::from_secs(3600));
        assert!(p.generation > seen);
    }

    #[test]
    fn in_flight_is_tracked_by_guard() {
        let inbox = Arc::new(Inbox::default());
        inbox.open(0, DEFAULT_MAX_SPANS);
        let guard = inbox.request_started();
        assert_eq!(inbox.progress().in_flight, 1);
        assert_eq!(inbox.progress().requests, 1);
        drop(guard);
        let p = inbox.progress();
        assert_eq!((p.in_flight, p.requests), (0, 1));
        assert!(p.last_activity.is_some());
    }
}
