//! The thread-local handle on a thread's state, and the part of it that
//! the writer shares.

use super::state::ThreadState;
use crate::global;
use crate::ring::Ring;
use crate::slots::{Slots, Written};
use std::cell::Cell;
use std::ptr;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};

/// The part of a thread's state the writer reads.
pub(crate) struct Shared {
    /// Closed spans, counters of closed spans, gauges.
    pub(crate) ring: Ring,
    /// Folded stages and counters of folded or top-level spans.
    pub(crate) slots: Slots,
    /// Held by whoever drains the ring; holds what was written of slots.
    pub(crate) consumer: Mutex<Vec<Written>>,
    /// Set once the thread ended and closed its spans.
    pub(crate) exited: AtomicBool,
}

impl Shared {
    fn new() -> Shared {
        Shared {
            ring: Ring::new(),
            slots: Slots::new(),
            consumer: Mutex::new(Vec::new()),
            exited: AtomicBool::new(false),
        }
    }
}

/// Marks a thread whose state was torn down.
const DEAD: usize = 1;

thread_local! {
    static CURRENT: Cell<*mut ThreadState> = const { Cell::new(ptr::null_mut()) };
    static TEARDOWN: Teardown = const { Teardown };
}

/// Its destructor closes the thread's spans when the thread ends.
struct Teardown;

impl Drop for Teardown {
    fn drop(&mut self) {
        let _ = CURRENT.try_with(|current| {
            let state = current.replace(DEAD as *mut ThreadState);
            if !state.is_null() && state as usize != DEAD {
                // SAFETY: made by `create` and owned by this thread; no
                // other reference exists while this destructor runs.
                let mut state = unsafe { Box::from_raw(state) };
                state.teardown();
            }
        });
    }
}

/// Runs `f` on this thread's probe state (made on first use); `None` when
/// the probe is off or the thread is ending.
#[inline(always)]
pub(crate) fn with<R>(f: impl FnOnce(&mut ThreadState) -> R) -> Option<R> {
    let mut state = CURRENT.try_with(Cell::get).ok()?;
    if state.is_null() {
        state = create()?;
    } else if state as usize == DEAD {
        return None;
    }
    // SAFETY: the state belongs to this thread and nothing `f` calls reaches
    // `with` again, so this is the only reference.
    Some(f(unsafe { &mut *state }))
}

#[cold]
#[inline(never)]
fn create() -> Option<*mut ThreadState> {
    let global = global::global()?;
    // Registers the destructor; fails when the thread is already ending.
    TEARDOWN.try_with(|_| ()).ok()?;
    let shared = Arc::new(Shared::new());
    global.register(shared.clone());
    let state = Box::into_raw(Box::new(ThreadState::new(global, shared)));
    CURRENT.with(|current| current.set(state));
    Some(state)
}
