//! Folded stages and counters: cumulative figures the owning thread updates
//! in place and the flusher reads at any time, writing what changed since
//! its last visit. Nothing needs the owning thread to be alive or to call
//! anything for its figures to reach the file.

use crate::record::AggRec;
use crate::tier::Site;
use std::cell::UnsafeCell;
use std::mem::MaybeUninit;
use std::ptr;
use std::sync::atomic::{AtomicPtr, AtomicU64, AtomicUsize, Ordering};

/// Slots per chunk.
const CHUNK: usize = 256;
/// Chunks per thread: at most 65,536 folded stages and counters per thread.
const MAX_CHUNKS: usize = 256;

/// What a slot accumulates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SlotKind {
    /// Folded calls of a stage under one parent.
    Agg,
    /// A counter of one span.
    Counter,
}

/// The fixed part of a slot, written once before it is published.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SlotInfo {
    /// Aggregate or counter.
    pub kind: SlotKind,
    /// Aggregate id (unused for counters).
    pub id: u64,
    /// The aggregate's parent, or the counter's span; 0: the process's.
    pub parent: u64,
    /// The stage (aggregates).
    pub site: Option<&'static Site>,
    /// The counter's name (counters).
    pub name: &'static str,
}

/// One folded stage or counter.
pub(crate) struct Slot {
    info: UnsafeCell<MaybeUninit<SlotInfo>>,
    /// Calls (aggregates) or increments (counters); stored last.
    calls: AtomicU64,
    failed: AtomicU64,
    /// Summed ticks (aggregates) or the `f64` bits of the sum (counters).
    total: AtomicU64,
    first_start: AtomicU64,
    last_end: AtomicU64,
}

impl Slot {
    fn empty() -> Slot {
        Slot {
            info: UnsafeCell::new(MaybeUninit::uninit()),
            calls: AtomicU64::new(0),
            failed: AtomicU64::new(0),
            total: AtomicU64::new(0),
            first_start: AtomicU64::new(0),
            last_end: AtomicU64::new(0),
        }
    }

    /// The fixed part (the slot is published).
    pub(crate) fn info(&self) -> SlotInfo {
        // SAFETY: slots are handed out only below the published length,
        // after `info` was written (see `Slots::add`).
        unsafe { (*self.info.get()).assume_init() }
    }

    /// Counts one call from `start` to `end` (ticks).
    ///
    /// Unshared slots must only be updated by their owning thread.
    #[inline]
    pub(crate) fn record_call(&self, start: u64, end: u64, ok: bool, shared: bool) {
        let ticks = end.saturating_sub(start);
        if shared {
            self.total.fetch_add(ticks, Ordering::Relaxed);
            if !ok {
                self.failed.fetch_add(1, Ordering::Relaxed);
            }
            self.last_end.fetch_max(end, Ordering::Relaxed);
            self.calls.fetch_add(1, Ordering::Release);
        } else {
            // One writer: plain loads and stores, no locked instructions.
            let total = self.total.load(Ordering::Relaxed);
            self.total
                .store(total.wrapping_add(ticks), Ordering::Relaxed);
            if !ok {
                let failed = self.failed.load(Ordering::Relaxed);
                self.failed.store(failed + 1, Ordering::Relaxed);
            }
            self.last_end.store(end, Ordering::Relaxed);
            let calls = self.calls.load(Ordering::Relaxed);
            self.calls.store(calls + 1, Ordering::Release);
        }
    }

    /// Adds `value` to a counter (owning thread only).
    #[inline]
    pub(crate) fn add(&self, value: f64) {
        let sum = f64::from_bits(self.total.load(Ordering::Relaxed)) + value;
        self.total.store(sum.to_bits(), Ordering::Relaxed);
        let calls = self.calls.load(Ordering::Relaxed);
        self.calls.store(calls + 1, Ordering::Release);
    }
}

/// What the flusher already wrote for one slot.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Written {
    calls: u64,
    failed: u64,
    total: u64,
    last_end: u64,
}

/// What changed in a slot since the flusher's last visit.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Change {
    /// Folded calls.
    Agg(AggRec),
    /// A counter increase.
    Counter {
        /// Counter name.
        name: &'static str,
        /// Amount added since the last visit.
        value: f64,
        /// Span id; 0: the process's enclosing span.
        span: u64,
    },
}

/// A thread's slots: append-only chunks that never move.
pub(crate) struct Slots {
    chunks: Box<[AtomicPtr<Slot>]>,
    len: AtomicUsize,
}

// SAFETY: the fixed part of a slot is written before the Release store of
// `len` that publishes it and never changed after; the rest is atomics.
unsafe impl Sync for Slots {}
// SAFETY: as above; slots hold `'static` references only.
unsafe impl Send for Slots {}

impl Slots {
    /// No slots.
    pub(crate) fn new() -> Slots {
        Slots {
            chunks: (0..MAX_CHUNKS)
                .map(|_| AtomicPtr::new(ptr::null_mut()))
                .collect(),
            len: AtomicUsize::new(0),
        }
    }

    /// Publishes a new slot; `None` when the thread has used them all.
    ///
    /// # Safety
    /// Only the owning thread may add slots.
    pub(crate) unsafe fn add(&self, info: SlotInfo, first_start: u64) -> Option<u32> {
        let index = self.len.load(Ordering::Relaxed);
        let (chunk, at) = (index / CHUNK, index % CHUNK);
        if chunk >= MAX_CHUNKS {
            return None;
        }
        let mut base = self.chunks[chunk].load(Ordering::Acquire);
        if base.is_null() {
            let fresh: Box<[Slot]> = (0..CHUNK).map(|_| Slot::empty()).collect();
            base = Box::into_raw(fresh) as *mut Slot;
            self.chunks[chunk].store(base, Ordering::Release);
        }
        // SAFETY: `at < CHUNK`; the slot is not published yet, so nobody
        // else reads its fixed part.
        let slot = unsafe { &*base.add(at) };
        unsafe { (*slot.info.get()).write(info) };
        slot.first_start.store(first_start, Ordering::Relaxed);
        slot.last_end.store(first_start, Ordering::Relaxed);
        self.len.store(index + 1, Ordering::Release);
        Some(index as u32)
    }

    /// A published slot.
    #[inline]
    pub(crate) fn get(&self, index: u32) -> &Slot {
        let index = index as usize;
        debug_assert!(index < self.len.load(Ordering::Acquire));
        let base = self.chunks[index / CHUNK].load(Ordering::Acquire);
        // SAFETY: published slots live in allocated chunks that are only
        // freed with `self`.
        unsafe { &*base.add(index % CHUNK) }
    }

    /// Calls `out` with every change since the last visit, recorded in
    /// `written` (one entry per slot; the caller keeps it between visits
    /// and is the only visitor at a time).
    pub(crate) fn changes(&self, written: &mut Vec<Written>, mut out: impl FnMut(Change)) {
        let len = self.len.load(Ordering::Acquire);
        written.resize(len, Written::default());
        for (index, seen) in written.iter_mut().enumerate() {
            let slot = self.get(index as u32);
            let calls = slot.calls.load(Ordering::Acquire);
            if calls == seen.calls {
                continue;
            }
            let info = slot.info();
            let failed = slot.failed.load(Ordering::Relaxed);
            let total = slot.total.load(Ordering::Relaxed);
            let last_end = slot.last_end.load(Ordering::Relaxed);
            match (info.kind, info.site) {
                (SlotKind::Agg, Some(site)) => {
                    let start = if seen.calls == 0 {
                        slot.first_start.load(Ordering::Relaxed)
                    } else {
                        seen.last_end
                    };
                    out(Change::Agg(AggRec {
                        id: info.id,
                        parent: info.parent,
                        site,
                        start,
                        end: last_end.max(start),
                        calls: calls - seen.calls,
                        failed: failed.saturating_sub(seen.failed),
                        total_ticks: total.wrapping_sub(seen.total),
                    }))
                }
                _ => out(Change::Counter {
                    name: info.name,
                    value: f64::from_bits(total) - f64::from_bits(seen.total),
                    span: info.parent,
                }),
            }
            *seen = Written {
                calls,
                failed,
                total,
                last_end,
            };
        }
    }
}

impl Drop for Slots {
    fn drop(&mut self) {
        for chunk in self.chunks.iter() {
            let base = chunk.load(Ordering::Acquire);
            if !base.is_null() {
                // SAFETY: allocated in `add` as a boxed slice of CHUNK slots.
                drop(unsafe { Box::from_raw(ptr::slice_from_raw_parts_mut(base, CHUNK)) });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    static SITE: Site = Site::new("parse", None, None);

    fn agg(id: u64) -> SlotInfo {
        SlotInfo {
            kind: SlotKind::Agg,
            id,
            parent: 1,
            site: Some(&SITE),
            name: "parse",
        }
    }

    fn collect(slots: &Slots, written: &mut Vec<Written>) -> Vec<Change> {
        let mut out = Vec::new();
        slots.changes(written, |c| out.push(c));
        out
    }

    #[test]
    fn aggregates_are_written_as_deltas() {
        let slots = Slots::new();
        // SAFETY: this test is the owning thread.
        let i = unsafe { slots.add(agg(7), 100) }.unwrap();
        slots.get(i).record_call(100, 110, true, false);
        slots.get(i).record_call(120, 150, false, false);
        let mut written = Vec::new();
        let first = collect(&slots, &mut written);
        assert!(matches!(
            first[..],
            [Change::Agg(AggRec {
                id: 7,
                calls: 2,
                failed: 1,
                total_ticks: 40,
                start: 100,
                end: 150,
                ..
            })]
        ));
        assert!(collect(&slots, &mut written).is_empty(), "nothing new");
        slots.get(i).record_call(160, 165, true, true);
        let second = collect(&slots, &mut written);
        assert!(matches!(
            second[..],
            [Change::Agg(AggRec {
                calls: 1,
                failed: 0,
                total_ticks: 5,
                start: 150,
                end: 165,
                ..
            })]
        ));
    }

    #[test]
    fn counters_add_up() {
        let slots = Slots::new();
        let info = SlotInfo {
            kind: SlotKind::Counter,
            site: None,
            name: "hits",
            ..agg(0)
        };
        // SAFETY: this test is the owning thread.
        let i = unsafe { slots.add(info, 0) }.unwrap();
        slots.get(i).add(2.0);
        slots.get(i).add(3.5);
        let mut written = Vec::new();
        let changes = collect(&slots, &mut written);
        assert!(matches!(
            changes[..],
            [Change::Counter {
                name: "hits",
                value: 5.5,
                span: 1
            }]
        ));
    }

    #[test]
    fn grows_past_one_chunk() {
        let slots = Slots::new();
        for id in 0..(CHUNK as u64 * 3) {
            // SAFETY: this test is the owning thread.
            let i = unsafe { slots.add(agg(id), 0) }.unwrap();
            slots.get(i).record_call(0, 1, true, false);
        }
        let mut written = Vec::new();
        assert_eq!(collect(&slots, &mut written).len(), CHUNK * 3);
    }
}
