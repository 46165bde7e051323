//! A thread's open spans and how each call is recorded: individually or
//! folded into its stage's aggregate.

use super::local::Shared;
use crate::alloc;
use crate::children::{Cache, Children, NO_SLOT, OVERFLOW};
use crate::clock;
use crate::fxhash::FxBuild;
use crate::global::{self, Global, MAX_CALLS};
use crate::record::{Record, SpanRec, FLAG_ALLOC};
use crate::slots::{SlotInfo, SlotKind};
use crate::tier::Site;
use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::sync::Arc;

/// Buckets of the per-stage budget of individual records.
const BUDGET_BUCKETS: usize = 1024;

/// How an open frame ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Written as its own `span` record.
    Individual,
    /// Counted into the aggregate in this slot.
    Folded(u32),
    /// A future or `tracing` span being polled: its owner closes it.
    Resumed,
}

/// One open span on the thread's stack.
#[derive(Debug, Clone, Copy)]
pub(super) struct Frame {
    pub(super) id: u64,
    pub(super) parent: u64,
    pub(super) site: &'static Site,
    pub(super) start: u64,
    pub(super) kind: Kind,
    pub(super) ok: bool,
    pub(super) alloc: Option<[u64; 2]>,
    pub(super) cache: Cache,
}

/// One thread's probe state.
pub(crate) struct ThreadState {
    pub(super) stack: Vec<Frame>,
    pub(super) root_cache: Cache,
    pub(super) children: Children,
    pub(super) budget: Box<[u32; BUDGET_BUCKETS]>,
    /// Counters of open individual spans: (depth, name, sum).
    pub(super) counters: Vec<(u32, &'static str, f64)>,
    /// Counter slots of folded, resumed and top-level spans.
    pub(super) counter_slots: HashMap<(u64, usize), u32, FxBuild>,
    pub(super) last_counter: (u64, usize, u32),
    pub(super) next_id: u64,
    pub(super) id_end: u64,
    pub(super) shared: Arc<Shared>,
    pub(super) global: &'static Global,
}

impl ThreadState {
    pub(super) fn new(global: &'static Global, shared: Arc<Shared>) -> ThreadState {
        ThreadState {
            stack: Vec::with_capacity(32),
            root_cache: Cache::EMPTY,
            children: Children::new(),
            budget: Box::new([0; BUDGET_BUCKETS]),
            counters: Vec::new(),
            counter_slots: HashMap::default(),
            last_counter: (0, 0, NO_SLOT),
            next_id: 0,
            id_end: 0,
            shared,
            global,
        }
    }

    #[inline]
    pub(super) fn next_id(&mut self) -> u64 {
        if self.next_id == self.id_end {
            (self.next_id, self.id_end) = self.global.reserve_ids();
        }
        let id = self.next_id;
        self.next_id += 1;
        id
    }

    /// Decides how a call of `site` under `parent` (the top frame when
    /// `None`) is recorded: its own record or folded, and its id.
    #[inline]
    pub(super) fn decide(&mut self, site: &'static Site, parent: Option<u64>) -> (u64, Kind, u64) {
        if self.children.wants_pruning() {
            self.prune();
        }
        let key = site as *const Site as usize;
        let max = MAX_CALLS.load(Ordering::Relaxed);
        let mut scratch = Cache::EMPTY;
        let (parent, cache) = match (parent, self.stack.last_mut()) {
            (Some(parent), _) => (parent, &mut scratch),
            (None, Some(top)) => (top.id, &mut top.cache),
            (None, None) => (0, &mut self.root_cache),
        };
        let index = self.children.lookup(parent, key, cache);
        let entry = self.children.entry(index);
        entry.count = entry.count.saturating_add(1);
        if entry.count <= max {
            let bucket = &mut self.budget[(key >> 4) % BUDGET_BUCKETS];
            if *bucket < max.saturating_mul(10) {
                *bucket += 1;
                return (parent, Kind::Individual, self.next_id());
            }
            // Past the stage's budget on this thread: one aggregate for
            // all its further calls, under the parent of the first.
            let overflow = self.children.find(OVERFLOW, key);
            return self.fold(overflow, parent, site);
        }
        if entry.slot != NO_SLOT {
            return (parent, Kind::Folded(entry.slot), entry.agg_id);
        }
        self.fold(index, parent, site)
    }

    /// The aggregate of entry `index`, made when missing.
    fn fold(&mut self, index: usize, parent: u64, site: &'static Site) -> (u64, Kind, u64) {
        let entry = *self.children.entry(index);
        if entry.slot != NO_SLOT {
            return (parent, Kind::Folded(entry.slot), entry.agg_id);
        }
        let id = self.next_id();
        let info = SlotInfo {
            kind: SlotKind::Agg,
            id,
            parent,
            site: Some(site),
            name: site.name(),
        };
        // SAFETY: this thread owns its slots.
        match unsafe { self.shared.slots.add(info, clock::now()) } {
            Some(slot) => {
                let entry = self.children.entry(index);
                entry.slot = slot;
                entry.agg_id = id;
                self.children.add_aggregate(id);
                (parent, Kind::Folded(slot), id)
            }
            // Out of slots: keep writing individual records.
            None => (parent, Kind::Individual, id),
        }
    }

    #[cold]
    fn prune(&mut self) {
        let open: Vec<u64> = self.stack.iter().map(|f| f.id).collect();
        self.children.prune(|id| open.contains(&id));
    }

    /// Opens a span on this thread; returns its depth and id for the guard.
    #[inline]
    pub(crate) fn enter(&mut self, site: &'static Site) -> (u32, u64) {
        let (parent, kind, id) = self.decide(site, None);
        let alloc = alloc::snapshot();
        let depth = self.stack.len() as u32;
        let start = clock::now();
        self.stack.push(Frame {
            id,
            parent,
            site,
            start,
            kind,
            ok: true,
            alloc,
            cache: Cache::EMPTY,
        });
        (depth, id)
    }

    /// Closes the span a guard opened (and any left open above it).
    #[inline]
    pub(crate) fn exit(&mut self, depth: u32, id: u64, ok: bool) {
        let end = clock::now();
        let depth = depth as usize;
        // The hot loop's case: a folded call on top of the stack.
        if let Some(&Frame {
            id: top,
            kind: Kind::Folded(slot),
            start,
            ok: frame_ok,
            ..
        }) = self.stack.last()
        {
            if top == id && depth + 1 == self.stack.len() {
                self.stack.truncate(depth);
                let ok = ok && frame_ok;
                self.shared
                    .slots
                    .get(slot)
                    .record_call(start, end, ok, false);
                return;
            }
        }
        match self.stack.get(depth) {
            Some(frame) if frame.id == id => {}
            // Already closed (by a guard below it, or at thread exit).
            _ => return,
        }
        while self.stack.len() > depth + 1 {
            self.pop(end, 0);
        }
        if !ok {
            self.stack[depth].ok = false;
        }
        self.pop(end, 0);
    }

    /// Marks the span a guard opened as failed or not.
    pub(crate) fn set_ok(&mut self, depth: u32, id: u64, ok: bool) {
        if let Some(frame) = self.stack.get_mut(depth as usize) {
            if frame.id == id {
                frame.ok = ok;
            }
        }
    }

    #[inline]
    pub(super) fn pop(&mut self, end: u64, flags: u8) {
        let Some(frame) = self.stack.pop() else {
            return;
        };
        match frame.kind {
            Kind::Folded(slot) => {
                self.shared
                    .slots
                    .get(slot)
                    .record_call(frame.start, end, frame.ok, false)
            }
            Kind::Individual => self.close_individual(frame, end, flags),
            Kind::Resumed => {}
        }
    }

    fn close_individual(&mut self, frame: Frame, end: u64, mut flags: u8) {
        let mut used = [0, 0];
        if let (Some(before), Some(after)) = (frame.alloc, alloc::snapshot()) {
            flags |= FLAG_ALLOC;
            used = [
                after[0].wrapping_sub(before[0]),
                after[1].wrapping_sub(before[1]),
            ];
        }
        self.push(Record::Span(SpanRec {
            id: frame.id,
            parent: frame.parent,
            site: frame.site,
            start: frame.start,
            end,
            ok: frame.ok,
            flags,
            alloc_bytes: used[0],
            allocs: used[1],
        }));
        let depth = self.stack.len() as u32;
        while let Some(&(d, name, value)) = self.counters.last() {
            if d < depth {
                break;
            }
            self.counters.pop();
            self.push(Record::Counter {
                name,
                value,
                span: frame.id,
            });
        }
    }

    /// The id of the innermost open span.
    pub(crate) fn current(&self) -> Option<u64> {
        self.stack.last().map(|f| f.id)
    }

    #[inline]
    pub(super) fn push(&mut self, record: Record) {
        // SAFETY: only this thread pushes to its ring.
        if let Err(record) = unsafe { self.shared.ring.push(record) } {
            self.spill(record);
        }
    }

    /// The ring is full: hand its records to the writer.
    #[cold]
    fn spill(&mut self, record: Record) {
        let mut batch = Vec::with_capacity(crate::ring::CAPACITY + 1);
        {
            let _consumer = global::lock(&self.shared.consumer);
            // SAFETY: we hold the consumer lock.
            unsafe { self.shared.ring.drain_into(&mut batch) };
        }
        batch.push(record);
        self.global.hand_over(batch);
    }

    /// The thread is ending: close what is open, mark the buffers done.
    pub(super) fn teardown(&mut self) {
        let end = clock::now();
        while !self.stack.is_empty() {
            self.pop(end, crate::record::FLAG_CLOSED_AT_EXIT);
        }
        self.shared.exited.store(true, Ordering::Release);
    }
}
