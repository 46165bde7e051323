//! Records as the hot path leaves them: plain `Copy` data, no strings
//! built, times still in ticks. [`crate::encode`] turns them into lines.

use crate::tier::Site;

/// A span closed in the span file's sense: one call of one stage.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SpanRec {
    /// Span id (the `<n>` of `"<pid>-<n>"`).
    pub id: u64,
    /// Parent id; 0 means the process's enclosing span (if any).
    pub parent: u64,
    /// Name, tier and component.
    pub site: &'static Site,
    /// Start tick.
    pub start: u64,
    /// End tick.
    pub end: u64,
    /// False when the call failed.
    pub ok: bool,
    /// [`FLAG_ALLOC`], [`FLAG_CLOSED_AT_EXIT`], [`FLAG_CANCELLED`].
    pub flags: u8,
    /// Bytes allocated during the span (with [`FLAG_ALLOC`]).
    pub alloc_bytes: u64,
    /// Allocations made during the span (with [`FLAG_ALLOC`]).
    pub allocs: u64,
}

/// The span carries allocation figures.
pub(crate) const FLAG_ALLOC: u8 = 1;
/// The span was still open when its thread ended; it ends there.
pub(crate) const FLAG_CLOSED_AT_EXIT: u8 = 2;
/// The span was a future dropped before it completed.
pub(crate) const FLAG_CANCELLED: u8 = 4;

/// One record in a thread's ring.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Record {
    /// One call of a stage.
    Span(SpanRec),
    /// A counter total for one span.
    Counter {
        /// Counter name.
        name: &'static str,
        /// Amount added.
        value: f64,
        /// Span id; 0 means the process's enclosing span (if any).
        span: u64,
    },
    /// A gauge reading.
    Gauge {
        /// Gauge name.
        name: &'static str,
        /// Value read.
        value: f64,
        /// Tick of the reading.
        tick: u64,
    },
}

/// A folded stage as the flusher reads it from a slot: the calls since the
/// last time it was written.
#[derive(Debug, Clone, Copy)]
pub(crate) struct AggRec {
    /// The aggregate's id (also the parent of spans inside folded calls).
    pub id: u64,
    /// Parent id; 0 means the process's enclosing span (if any).
    pub parent: u64,
    /// Name, tier and component.
    pub site: &'static Site,
    /// Start tick of the first call counted here.
    pub start: u64,
    /// End tick of the last call counted here.
    pub end: u64,
    /// Calls counted here.
    pub calls: u64,
    /// Failed calls among them.
    pub failed: u64,
    /// Summed duration of the calls, in ticks.
    pub total_ticks: u64,
}
