//! Spans that a future or a `tracing` span owns: decided on one thread,
//! pushed on whichever thread polls or enters them, closed anywhere.

use super::local::Shared;
use super::state::{Frame, Kind, ThreadState};
use crate::children::Cache;
use crate::clock;
use crate::record::{Record, SpanRec};
use crate::tier::Site;
use std::sync::Arc;

/// A span decided on but not pushed: futures and `tracing` spans, which
/// may end on another thread.
pub(crate) struct Detached {
    pub(crate) id: u64,
    pub(crate) parent: u64,
    pub(crate) start: u64,
    pub(crate) folded: Option<(Arc<Shared>, u32)>,
}

impl ThreadState {
    /// Decides on a span that a future or a `tracing` span owns.
    pub(crate) fn begin_detached(&mut self, site: &'static Site, parent: Option<u64>) -> Detached {
        let (parent, kind, id) = self.decide(site, parent);
        let folded = match kind {
            Kind::Folded(slot) => Some((self.shared.clone(), slot)),
            _ => None,
        };
        Detached {
            id,
            parent,
            start: clock::now(),
            folded,
        }
    }

    /// Pushes a detached span while it runs here; returns its depth.
    pub(crate) fn resume(&mut self, site: &'static Site, id: u64) -> u32 {
        let depth = self.stack.len() as u32;
        self.stack.push(Frame {
            id,
            parent: 0,
            site,
            start: 0,
            kind: Kind::Resumed,
            ok: true,
            alloc: None,
            cache: Cache::EMPTY,
        });
        depth
    }

    /// Pops a detached span pushed by [`ThreadState::resume`], closing
    /// what was left open above it.
    pub(crate) fn suspend(&mut self, depth: u32, id: u64) {
        let depth = depth as usize;
        match self.stack.get(depth) {
            Some(frame) if frame.id == id && frame.kind == Kind::Resumed => {}
            _ => return,
        }
        let end = clock::now();
        while self.stack.len() > depth + 1 {
            self.pop(end, 0);
        }
        self.stack.pop();
    }

    /// Pops the innermost resumed frame of span `id`, if on this thread.
    #[cfg(feature = "tracing")]
    pub(crate) fn suspend_id(&mut self, id: u64) {
        let found = self
            .stack
            .iter()
            .rposition(|f| f.id == id && f.kind == Kind::Resumed);
        if let Some(depth) = found {
            self.suspend(depth as u32, id);
        }
    }

    /// Writes a closed detached span from this thread.
    pub(crate) fn push_span(&mut self, span: SpanRec) {
        self.push(Record::Span(span));
    }
}
