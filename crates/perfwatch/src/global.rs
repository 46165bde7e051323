//! The process-wide part of the probe: whether it records, the span file,
//! the threads' buffers, and the writer that empties them.

use crate::clock::ClockBase;
use crate::config::{Config, InitError};
use crate::encode::{self, Context};
use crate::record::Record;
use crate::slots::Change;
use crate::thread::Shared;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::sync::atomic::{AtomicU32, AtomicU64, AtomicU8, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, Once, OnceLock};
use std::time::{Duration, Instant};

const UNINIT: u8 = 0;
const OFF: u8 = 1;
const ON: u8 = 2;
const PAUSED: u8 = 3;

/// Whether spans record; read by every span, so one byte.
static STATE: AtomicU8 = AtomicU8::new(UNINIT);
/// Set once; `None` when recording is off for the whole process.
static GLOBAL: OnceLock<Option<Global>> = OnceLock::new();
/// Started once: the writer thread and the exit hook.
static STARTED: Once = Once::new();
/// The finest tier recorded, as `Tier as u8` (see [`crate::Config::level`]).
pub(crate) static LEVEL: AtomicU8 = AtomicU8::new(crate::Tier::Operation as u8);
/// Individual records per stage and parent on one thread.
pub(crate) static MAX_CALLS: AtomicU32 = AtomicU32::new(crate::config::DEFAULT_MAX_CALLS);

static LINES_WRITTEN: AtomicU64 = AtomicU64::new(0);
static LINES_DROPPED: AtomicU64 = AtomicU64::new(0);
static WRITE_ERRORS: AtomicU64 = AtomicU64::new(0);

/// Write when this much is buffered (complete lines only).
const WRITE_CHUNK: usize = 64 * 1024;
/// Handed-over batches past which the handing thread writes them itself.
const MAX_PENDING_BATCHES: usize = 64;
/// Ids a thread takes at a time.
const ID_BLOCK: u64 = 4096;
/// How long the exit hook waits for a lock held elsewhere.
const EXIT_PATIENCE: Duration = Duration::from_millis(250);

/// True when spans should record now. The first call reads the
/// environment; later calls are one load and a branch.
#[inline(always)]
pub(crate) fn recording() -> bool {
    match STATE.load(Ordering::Relaxed) {
        ON => true,
        UNINIT => init_from_env(),
        _ => false,
    }
}

#[cold]
#[inline(never)]
fn init_from_env() -> bool {
    // An unopenable span file only turns recording off; it is counted.
    if let Err(InitError::Open { .. }) = start(Config::from_env()) {
        WRITE_ERRORS.fetch_add(1, Ordering::Relaxed);
    }
    STATE.load(Ordering::Relaxed) == ON
}

/// Sets the probe up with `config` unless it already is.
pub(crate) fn start(config: Config) -> Result<(), InitError> {
    let mut outcome = Err(InitError::AlreadyInitialized);
    let global = GLOBAL.get_or_init(|| match Global::open(config) {
        Ok(global) => {
            outcome = Ok(());
            global
        }
        Err(e) => {
            outcome = Err(e);
            None
        }
    });
    if let Some(global) = global {
        STARTED.call_once(|| {
            // A probe that cannot start its writer still writes at flush,
            // when buffers fill, and at exit.
            let _ = std::thread::Builder::new()
                .name("perfwatch-writer".into())
                .spawn(move || global.writer_loop());
            register_exit_hook();
        });
    }
    let state = if global.is_some() { ON } else { OFF };
    let _ = STATE.compare_exchange(UNINIT, state, Ordering::Relaxed, Ordering::Relaxed);
    outcome
}

/// The process-wide state, when recording is on.
#[inline]
pub(crate) fn global() -> Option<&'static Global> {
    GLOBAL.get().and_then(Option::as_ref)
}

/// Pauses or resumes recording (no effect when the probe is off).
pub(crate) fn set_recording(on: bool) {
    recording();
    if global().is_some() {
        STATE.store(if on { ON } else { PAUSED }, Ordering::Relaxed);
    }
}

/// Counters about the probe itself.
pub(crate) fn counts() -> (u64, u64, u64) {
    (
        LINES_WRITTEN.load(Ordering::Relaxed),
        LINES_DROPPED.load(Ordering::Relaxed),
        WRITE_ERRORS.load(Ordering::Relaxed),
    )
}

/// Process-wide state of a recording probe.
pub(crate) struct Global {
    /// This process's id, the `<pid>` of span ids.
    pub(crate) pid: u32,
    /// The enclosing span of the whole process.
    pub(crate) parent: Option<String>,
    clock: ClockBase,
    interval: Duration,
    sink: Mutex<Sink>,
    threads: Mutex<Vec<Arc<Shared>>>,
    pending: Mutex<Vec<Vec<Record>>>,
    wake: Condvar,
    next_id: AtomicU64,
}

/// The span file and the lines waiting for it.
struct Sink {
    file: File,
    /// Set by the exit hook's final write: the process is ending, and a
    /// write cut short by its end would leave half a line.
    closed: bool,
    buf: Vec<u8>,
    lines: u64,
    scratch: Vec<Record>,
}

impl Global {
    fn open(config: Config) -> Result<Option<Global>, InitError> {
        let Some(path) = config.spans else {
            return Ok(None);
        };
        let file = OpenOptions::new()
            .append(true)
            .create(true)
            .open(&path)
            .map_err(|source| InitError::Open { path, source })?;
        MAX_CALLS.store(config.max_calls, Ordering::Relaxed);
        LEVEL.store(config.level as u8, Ordering::Relaxed);
        Ok(Some(Global {
            pid: std::process::id(),
            parent: config.parent_span,
            clock: ClockBase::start(config.tsc),
            interval: config.flush_interval.max(Duration::from_millis(1)),
            sink: Mutex::new(Sink {
                file,
                closed: false,
                buf: Vec::with_capacity(WRITE_CHUNK + 4096),
                lines: 0,
                scratch: Vec::new(),
            }),
            threads: Mutex::new(Vec::new()),
            pending: Mutex::new(Vec::new()),
            wake: Condvar::new(),
            next_id: AtomicU64::new(1),
        }))
    }

    /// The first of [`ID_BLOCK`] fresh ids.
    pub(crate) fn reserve_ids(&self) -> (u64, u64) {
        let first = self.next_id.fetch_add(ID_BLOCK, Ordering::Relaxed);
        (first, first + ID_BLOCK)
    }

    /// Adds a thread's buffers to those the writer empties.
    pub(crate) fn register(&self, shared: Arc<Shared>) {
        lock(&self.threads).push(shared);
    }

    /// Takes a full ring's records; writes them on this thread when the
    /// writer falls far behind.
    pub(crate) fn hand_over(&self, batch: Vec<Record>) {
        let mut pending = lock(&self.pending);
        pending.push(batch);
        let behind = pending.len() > MAX_PENDING_BATCHES;
        drop(pending);
        if behind {
            self.flush(None);
        } else {
            self.wake.notify_one();
        }
    }

    fn writer_loop(&self) {
        loop {
            let pending = lock(&self.pending);
            if pending.is_empty() {
                drop(self.wake.wait_timeout(pending, self.interval));
            } else {
                drop(pending);
            }
            self.flush(None);
        }
    }

    /// Writes everything buffered so far, by any thread. With a deadline
    /// (the exit hook), gives up on locks still held elsewhere when it
    /// passes, and is the last write.
    pub(crate) fn flush(&self, deadline: Option<Instant>) {
        let Some(mut sink) = lock_until(&self.sink, deadline) else {
            return;
        };
        let sink = &mut *sink;
        if sink.closed {
            return;
        }
        let cx = Context {
            pid: self.pid,
            parent: self.parent.as_deref(),
            conv: self.clock.converter(),
        };
        let batches = match lock_until(&self.pending, deadline) {
            Some(mut pending) => std::mem::take(&mut *pending),
            None => Vec::new(),
        };
        for batch in &batches {
            for record in batch {
                sink.line(|out| encode::record(out, record, &cx));
            }
        }
        drop(batches);
        let threads = match lock_until(&self.threads, deadline) {
            Some(threads) => threads.clone(),
            None => Vec::new(),
        };
        let mut finished = Vec::new();
        for shared in &threads {
            // Read before draining: everything an exited thread wrote is
            // then in its ring or slots.
            let exited = shared.exited.load(Ordering::Acquire);
            let Some(mut written) = lock_until(&shared.consumer, deadline) else {
                continue;
            };
            let mut scratch = std::mem::take(&mut sink.scratch);
            scratch.clear();
            // SAFETY: we hold this thread's consumer lock.
            unsafe { shared.ring.drain_into(&mut scratch) };
            for record in &scratch {
                sink.line(|out| encode::record(out, record, &cx));
            }
            sink.scratch = scratch;
            shared.slots.changes(&mut written, |change| match change {
                Change::Agg(agg) => sink.line(|out| {
                    encode::agg(out, &agg, &cx);
                    true
                }),
                Change::Counter { name, value, span } => {
                    sink.line(|out| encode::counter(out, name, value, span, &cx))
                }
            });
            // Futures may still update the slots of a thread that ended.
            if exited && Arc::strong_count(shared) <= 2 {
                finished.push(Arc::as_ptr(shared));
            }
        }
        drop(threads);
        if !finished.is_empty() {
            if let Some(mut threads) = lock_until(&self.threads, deadline) {
                threads.retain(|t| !finished.contains(&Arc::as_ptr(t)));
            }
        }
        sink.write_out();
        sink.closed = deadline.is_some();
    }
}

impl Sink {
    /// Appends one line with `encode`; writes when enough is buffered.
    fn line(&mut self, encode: impl FnOnce(&mut Vec<u8>) -> bool) {
        if encode(&mut self.buf) {
            self.lines += 1;
        } else {
            LINES_DROPPED.fetch_add(1, Ordering::Relaxed);
        }
        if self.buf.len() >= WRITE_CHUNK {
            self.write_out();
        }
    }

    /// One `write` of complete lines (more only if the system writes part).
    fn write_out(&mut self) {
        if self.buf.is_empty() {
            return;
        }
        match self.file.write_all(&self.buf) {
            Ok(()) => LINES_WRITTEN.fetch_add(self.lines, Ordering::Relaxed),
            Err(_) => {
                WRITE_ERRORS.fetch_add(1, Ordering::Relaxed);
                LINES_DROPPED.fetch_add(self.lines, Ordering::Relaxed)
            }
        };
        self.buf.clear();
        self.lines = 0;
    }
}

/// Locks, ignoring poisoning (the probe's data stays usable).
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn lock_until<T>(m: &Mutex<T>, deadline: Option<Instant>) -> Option<MutexGuard<'_, T>> {
    let Some(deadline) = deadline else {
        return Some(lock(m));
    };
    loop {
        match m.try_lock() {
            Ok(guard) => return Some(guard),
            Err(std::sync::TryLockError::Poisoned(e)) => return Some(e.into_inner()),
            Err(std::sync::TryLockError::WouldBlock) if Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(1))
            }
            Err(std::sync::TryLockError::WouldBlock) => return None,
        }
    }
}

/// Writes everything buffered so far (see [`crate::flush`]).
pub(crate) fn flush() {
    if let Some(global) = global() {
        global.flush(None);
    }
}

#[cfg(unix)]
fn register_exit_hook() {
    extern "C" {
        fn atexit(hook: extern "C" fn()) -> std::ffi::c_int;
    }
    extern "C" fn at_exit() {
        // By now the exiting thread's own spans were closed by its
        // thread-local destructor; other threads keep their open ones.
        let _ = std::panic::catch_unwind(|| {
            if let Some(global) = global() {
                global.flush(Some(Instant::now() + EXIT_PATIENCE));
            }
        });
    }
    // SAFETY: `atexit` only stores the pointer of a function with the
    // signature it expects; the hook never unwinds.
    unsafe {
        atexit(at_exit);
    }
}

#[cfg(not(unix))]
fn register_exit_hook() {}
