//! A single-producer ring of records: the owning thread pushes without
//! locks or read-modify-write instructions; consumers (the flusher, an
//! explicit flush, the owner when the ring is full) drain it one at a time
//! under the lock that [`crate::thread::Shared`] keeps for them.

use crate::record::Record;
use std::cell::UnsafeCell;
use std::mem::MaybeUninit;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Records a thread can hold before it must hand them over.
pub(crate) const CAPACITY: usize = 512;

/// A bounded single-producer, single-consumer queue of [`Record`]s.
pub(crate) struct Ring {
    slots: Box<[UnsafeCell<MaybeUninit<Record>>]>,
    /// Next slot to write; only the producer stores it.
    head: AtomicUsize,
    /// Next slot to read; only the consumer stores it.
    tail: AtomicUsize,
}

// SAFETY: a slot is written by the producer only while it lies outside
// [tail, head) and read by the consumer only while inside; the Release
// store of `head` (resp. `tail`) publishes the write (resp. the read).
unsafe impl Sync for Ring {}
// SAFETY: records are plain `Copy` data with `'static` references.
unsafe impl Send for Ring {}

impl Ring {
    /// An empty ring.
    pub(crate) fn new() -> Ring {
        Ring {
            slots: (0..CAPACITY)
                .map(|_| UnsafeCell::new(MaybeUninit::uninit()))
                .collect(),
            head: AtomicUsize::new(0),
            tail: AtomicUsize::new(0),
        }
    }

    /// Appends `record`; gives it back when the ring is full.
    ///
    /// # Safety
    /// Only one thread (the owner) may ever call `push` on a ring.
    #[inline]
    pub(crate) unsafe fn push(&self, record: Record) -> Result<(), Record> {
        let head = self.head.load(Ordering::Relaxed);
        let tail = self.tail.load(Ordering::Acquire);
        if head.wrapping_sub(tail) >= CAPACITY {
            return Err(record);
        }
        let slot = &self.slots[head % CAPACITY];
        // SAFETY: `head` is outside [tail, head), so no consumer reads it,
        // and the caller guarantees a single producer.
        unsafe { (*slot.get()).write(record) };
        self.head.store(head.wrapping_add(1), Ordering::Release);
        Ok(())
    }

    /// Moves every published record into `out`.
    ///
    /// # Safety
    /// Only one consumer at a time: callers hold the thread's consumer lock.
    pub(crate) unsafe fn drain_into(&self, out: &mut Vec<Record>) {
        let tail = self.tail.load(Ordering::Relaxed);
        let head = self.head.load(Ordering::Acquire);
        let mut at = tail;
        while at != head {
            let slot = &self.slots[at % CAPACITY];
            // SAFETY: slots in [tail, head) were written and published by
            // the producer's Release store of `head`.
            out.push(unsafe { (*slot.get()).assume_init() });
            at = at.wrapping_add(1);
        }
        self.tail.store(head, Ordering::Release);
    }

    /// True when nothing is waiting.
    #[cfg(test)]
    pub(crate) fn is_empty(&self) -> bool {
        self.head.load(Ordering::Acquire) == self.tail.load(Ordering::Acquire)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gauge(v: f64) -> Record {
        Record::Gauge {
            name: "g",
            value: v,
            tick: 0,
        }
    }

    fn value(r: &Record) -> f64 {
        match r {
            Record::Gauge { value, .. } => *value,
            _ => f64::NAN,
        }
    }

    #[test]
    fn fills_drains_and_wraps() {
        let ring = Ring::new();
        let mut out = Vec::new();
        for round in 0..3 {
            for i in 0..CAPACITY {
                // SAFETY: this test is the only producer.
                unsafe { ring.push(gauge(i as f64)) }.unwrap();
            }
            // SAFETY: as above.
            assert!(unsafe { ring.push(gauge(-1.0)) }.is_err(), "round {round}");
            out.clear();
            // SAFETY: this test is the only consumer.
            unsafe { ring.drain_into(&mut out) };
            assert_eq!(out.len(), CAPACITY);
            assert!(out.iter().enumerate().all(|(i, r)| value(r) == i as f64));
            assert!(ring.is_empty());
        }
    }

    #[test]
    fn producer_and_consumer_threads_lose_nothing() {
        let ring = std::sync::Arc::new(Ring::new());
        let producer = {
            let ring = ring.clone();
            std::thread::spawn(move || {
                for i in 0..20_000 {
                    let mut r = gauge(i as f64);
                    // SAFETY: the only producer.
                    while let Err(back) = unsafe { ring.push(r) } {
                        r = back;
                        std::thread::yield_now();
                    }
                }
            })
        };
        let mut got = Vec::new();
        while got.len() < 20_000 {
            // SAFETY: the only consumer.
            unsafe { ring.drain_into(&mut got) };
            std::thread::yield_now();
        }
        producer.join().unwrap();
        assert!(got.iter().enumerate().all(|(i, r)| value(r) == i as f64));
    }
}
