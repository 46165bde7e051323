//! Opt-in allocation tracking: a global allocator wrapper that counts, per
//! thread, what it hands out. Spans then carry `alloc_bytes` and `allocs`.

use std::alloc::{GlobalAlloc, Layout};
use std::cell::Cell;
use std::sync::atomic::{AtomicBool, Ordering};

/// Set by the first allocation through a [`CountingAlloc`].
static INSTALLED: AtomicBool = AtomicBool::new(false);

thread_local! {
    /// Bytes requested and allocations made by this thread.
    static COUNTS: Cell<[u64; 2]> = const { Cell::new([0, 0]) };
}

/// A global allocator that counts the bytes and allocations of each thread,
/// then defers to `A`.
///
/// Install it to give spans `alloc_bytes` and `allocs` attributes (bytes
/// requested and allocations made between a span's start and end, its
/// children included; a `realloc` counts as one allocation of its new
/// size). Without it, spans carry no allocation figures and nothing is
/// counted.
///
/// ```
/// #[global_allocator]
/// static ALLOC: perfwatch::CountingAlloc<std::alloc::System> =
///     perfwatch::CountingAlloc::new(std::alloc::System);
/// # fn main() {
/// let v = vec![0u8; 1024];
/// assert!(perfwatch::thread_allocations().bytes >= 1024);
/// # drop(v);
/// # }
/// ```
#[derive(Debug, Default)]
pub struct CountingAlloc<A> {
    inner: A,
}

impl<A> CountingAlloc<A> {
    /// Wraps `inner`.
    pub const fn new(inner: A) -> CountingAlloc<A> {
        CountingAlloc { inner }
    }
}

#[inline]
fn count(bytes: usize) {
    if !INSTALLED.load(Ordering::Relaxed) {
        INSTALLED.store(true, Ordering::Relaxed);
    }
    // A thread being torn down may have lost its counters: skip those.
    let _ = COUNTS.try_with(|c| {
        let [b, n] = c.get();
        c.set([b.wrapping_add(bytes as u64), n.wrapping_add(1)]);
    });
}

// SAFETY: every method forwards to `A` with the caller's arguments; the
// counting around it neither allocates nor touches the memory.
unsafe impl<A: GlobalAlloc> GlobalAlloc for CountingAlloc<A> {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count(layout.size());
        // SAFETY: the caller's contract is `GlobalAlloc::alloc`'s.
        unsafe { self.inner.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        count(layout.size());
        // SAFETY: as for `alloc`.
        unsafe { self.inner.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: as for `alloc`.
        unsafe { self.inner.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count(new_size);
        // SAFETY: as for `alloc`.
        unsafe { self.inner.realloc(ptr, layout, new_size) }
    }
}

/// What the current thread has allocated through [`CountingAlloc`] so far.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Allocations {
    /// Bytes requested.
    pub bytes: u64,
    /// Allocations made.
    pub count: u64,
}

/// This thread's allocation totals; zeros when no [`CountingAlloc`] is
/// installed.
pub fn thread_allocations() -> Allocations {
    let [bytes, count] = COUNTS.try_with(Cell::get).unwrap_or([0, 0]);
    Allocations { bytes, count }
}

/// The totals when a [`CountingAlloc`] is installed (one load otherwise).
#[inline(always)]
pub(crate) fn snapshot() -> Option<[u64; 2]> {
    if INSTALLED.load(Ordering::Relaxed) {
        COUNTS.try_with(Cell::get).ok()
    } else {
        None
    }
}
