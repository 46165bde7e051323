//! Span sources: what gathers stages while an iteration runs.

use perfwatch_model::span_file::SpanRecord;
use std::collections::BTreeMap;

/// What a span source gathered during one iteration.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Collected {
    /// Records that arrived, in any order.
    pub records: Vec<SpanRecord>,
    /// Records that could not be used, counted by reason.
    pub dropped: BTreeMap<String, u64>,
}

/// Something that gathers stages during an iteration: the probe's span
/// file, an OTLP receiver. The runner calls `begin` before spawning the
/// child (its environment goes to the child) and `finish` after reaping it.
pub trait SpanSource: Send {
    /// Prepare for iteration `index`; return environment for the child.
    fn begin(&mut self, index: u32) -> std::io::Result<Vec<(String, String)>>;
    /// The child of iteration `index` was reaped: return what arrived.
    fn finish(&mut self, index: u32) -> Collected;
}
