//! Span sources: what gathers stages while an iteration runs.

use perfwatch_model::span_file::SpanRecord;
use std::collections::BTreeMap;

/// Default [`Plan::max_spans`](crate::Plan::max_spans): span records kept
/// per iteration.
pub const DEFAULT_MAX_SPANS: usize = 1_000_000;

/// Drop reason of span records past the iteration's span limit.
pub const OVER_SPAN_LIMIT: &str = "over the span limit";

/// What a span source gathered during one iteration.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Collected {
    /// Records that arrived, in any order.
    pub records: Vec<SpanRecord>,
    /// Records that could not be used, counted by reason.
    pub dropped: BTreeMap<String, u64>,
}

impl Collected {
    /// Counts one record not kept, by reason.
    pub fn drop_one(&mut self, reason: &str) {
        *self.dropped.entry(reason.to_owned()).or_default() += 1;
    }
}

/// Something that gathers stages during an iteration: the probe's span
/// file, an OTLP receiver. The runner calls `set_max_spans` and `begin`
/// before spawning the child (its environment goes to the child) and
/// `finish` after reaping it.
pub trait SpanSource: Send {
    /// Keep at most `max_spans` span records (`span` and `agg`) per
    /// iteration from now on, counting later ones as dropped
    /// ([`OVER_SPAN_LIMIT`]) as they arrive, so that what a source holds
    /// stays bounded whatever the program sends. Until called, a source
    /// keeps [`DEFAULT_MAX_SPANS`].
    fn set_max_spans(&mut self, max_spans: usize);
    /// Prepare for iteration `index`; return environment for the child.
    fn begin(&mut self, index: u32) -> std::io::Result<Vec<(String, String)>>;
    /// The child of iteration `index` was reaped: return what arrived.
    fn finish(&mut self, index: u32) -> Collected;
    /// The file iteration `index` writes its spans to as it runs, for a
    /// live view to read while it grows (`None`: the source has none).
    fn live_file(&self, _index: u32) -> Option<std::path::PathBuf> {
        None
    }
}

/// The span limit of one iteration as records arrive: span and aggregate
/// records count against it, counters and gauges do not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SpanLimit {
    max: usize,
    kept: usize,
}

impl SpanLimit {
    /// A limit of `max` span records, none kept yet.
    pub fn new(max: usize) -> SpanLimit {
        SpanLimit { max, kept: 0 }
    }

    /// Whether `record` may be kept; a span record that may is counted.
    pub fn admit(&mut self, record: &SpanRecord) -> bool {
        if !is_span(record) {
            return true;
        }
        if self.kept >= self.max {
            return false;
        }
        self.kept += 1;
        true
    }
}

/// Whether a record becomes a span (`span` or `agg`).
pub fn is_span(record: &SpanRecord) -> bool {
    matches!(record, SpanRecord::Span { .. } | SpanRecord::Agg { .. })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span(id: &str) -> SpanRecord {
        SpanRecord::Span {
            id: id.into(),
            parent: None,
            name: "s".into(),
            tier: None,
            component: None,
            start_unix_ns: 1,
            end_unix_ns: 2,
            ok: true,
            attrs: Default::default(),
        }
    }

    #[test]
    fn a_limit_counts_spans_only() {
        let counter = SpanRecord::Counter {
            name: "c".into(),
            value: 1.0,
            span: None,
        };
        let mut limit = SpanLimit::new(2);
        assert!(limit.admit(&span("a")));
        assert!(limit.admit(&counter));
        assert!(limit.admit(&span("b")));
        assert!(!limit.admit(&span("c")));
        assert!(limit.admit(&counter));
        assert!(!SpanLimit::new(0).admit(&span("a")));
    }
}
