//! The span guard and the functions around it.

use crate::global;
use crate::thread;
use crate::tier::Site;
use std::marker::PhantomData;

/// Depth of a guard that records nothing.
const INACTIVE: u32 = u32::MAX;

/// An open span: the stage ends when the guard is dropped.
///
/// Made by [`span!`](crate::span!) (or [`Span::enter`]). Spans opened while
/// another is open on the same thread become its children. A span whose
/// guard is dropped during a panic is marked failed.
///
/// The guard stays on its thread (`!Send`); in `async` code use
/// [`#[profile]`](crate::profile) on the `async fn` or [`instrument`](crate::instrument).
#[must_use = "the span ends when this guard is dropped; bind it: `let _s = span!(…);`"]
#[derive(Debug)]
pub struct Span {
    depth: u32,
    id: u64,
    _not_send: PhantomData<*const ()>,
}

impl Span {
    /// Opens a span of `site`: one load and a branch when the probe is off
    /// or paused.
    #[inline(always)]
    pub fn enter(site: &'static Site) -> Span {
        if !global::recording() {
            return Span::none();
        }
        Span::enter_recording(site)
    }

    #[inline(never)]
    fn enter_recording(site: &'static Site) -> Span {
        // Finer than the level (`PERFWATCH_LEVEL`): not recorded.
        if site
            .tier()
            .is_some_and(|t| t as u8 > global::LEVEL.load(std::sync::atomic::Ordering::Relaxed))
        {
            return Span::none();
        }
        match thread::with(|t| t.enter(site)) {
            Some((depth, id)) => Span {
                depth,
                id,
                _not_send: PhantomData,
            },
            None => Span::none(),
        }
    }

    #[inline(never)]
    fn close(&self) {
        let ok = !std::thread::panicking();
        thread::with(|t| t.exit(self.depth, self.id, ok));
    }

    /// A guard that records nothing.
    pub const fn none() -> Span {
        Span {
            depth: INACTIVE,
            id: 0,
            _not_send: PhantomData,
        }
    }

    /// Marks the call failed (`"ok": false`).
    pub fn fail(&self) {
        self.set_ok(false);
    }

    /// Marks the call succeeded or failed.
    pub fn set_ok(&self, ok: bool) {
        if self.depth != INACTIVE {
            thread::with(|t| t.set_ok(self.depth, self.id, ok));
        }
    }

    /// True when this span is being recorded.
    pub fn is_recording(&self) -> bool {
        self.depth != INACTIVE
    }

    /// This span's id as written to the span file (`"<pid>-<n>"`); for a
    /// call folded into an aggregate, the aggregate's id.
    pub fn id(&self) -> Option<String> {
        if self.depth == INACTIVE {
            return None;
        }
        global::global().map(|g| format!("{}-{}", g.pid, self.id))
    }
}

impl Drop for Span {
    #[inline(always)]
    fn drop(&mut self) {
        if self.depth != INACTIVE {
            self.close();
        }
    }
}

/// True when spans are being recorded: `PERFWATCH_SPANS` names a span file
/// that could be opened (or [`init`](crate::init) gave one) and recording
/// is not paused.
pub fn is_enabled() -> bool {
    global::recording()
}

/// Pauses (`false`) or resumes (`true`) recording. Paused spans cost what
/// they cost with the probe off; spans already open still close normally.
/// No effect when the probe is off.
pub fn set_recording(on: bool) {
    global::set_recording(on);
}

/// Changes the cap of individual records per stage and parent on one
/// thread (see [`Config::max_calls_per_stage`](crate::Config::max_calls_per_stage));
/// calls already counted stay counted.
pub fn set_max_calls_per_stage(calls: u32) {
    global::MAX_CALLS.store(calls, std::sync::atomic::Ordering::Relaxed);
}

/// The id (`"<pid>-<n>"`) of the innermost open span on this thread, else
/// the span this process runs inside (`PERFWATCH_PARENT_SPAN`); `None` when
/// the probe is off or there is neither.
pub fn current_span_id() -> Option<String> {
    if !global::recording() {
        return None;
    }
    let global = global::global()?;
    match thread::with(|t| t.current()).flatten() {
        Some(id) => Some(format!("{}-{}", global.pid, id)),
        None => global.parent.clone(),
    }
}

/// The environment variable that makes a child process's spans children of
/// the current span: `("PERFWATCH_PARENT_SPAN", id)`, or `None` when there
/// is no current span.
///
/// `PERFWATCH_SPANS` itself is inherited as usual.
///
/// ```
/// let mut cmd = std::process::Command::new("true");
/// if let Some((key, value)) = perfwatch::child_env() {
///     cmd.env(key, value);
/// }
/// ```
pub fn child_env() -> Option<(&'static str, String)> {
    current_span_id().map(|id| (crate::config::ENV_PARENT_SPAN, id))
}

/// Adds `value` to counter `name` of the innermost open span (or of the
/// process when none is open). Counters are summed in the probe: a counter
/// bumped in a hot loop costs a few nanoseconds and writes one line per
/// span.
#[inline]
pub fn counter(name: &'static str, value: f64) {
    if global::recording() {
        thread::with(|t| t.counter(name, value));
    }
}

/// Records a reading of gauge `name` (one line per reading).
#[inline]
pub fn gauge(name: &'static str, value: f64) {
    if global::recording() {
        thread::with(|t| t.gauge(name, value));
    }
}

/// Writes everything recorded so far, by every thread, to the span file.
///
/// The probe also writes in the background (every 100 ms by default) and
/// when the process exits normally (returning from `main` or calling
/// [`std::process::exit`]). Call it before ending in other ways
/// ([`std::process::abort`], `_exit`, a fatal signal).
pub fn flush() {
    global::flush();
}

/// Figures about the probe itself.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ProbeStats {
    /// True when the probe is set up to record (even if paused).
    pub enabled: bool,
    /// Lines written to the span file.
    pub lines_written: u64,
    /// Lines lost: failed writes, values JSON cannot hold.
    pub lines_dropped: u64,
    /// Failed opens and writes of the span file.
    pub write_errors: u64,
}

/// Figures about the probe itself: what it wrote and what it lost.
pub fn stats() -> ProbeStats {
    global::recording();
    let (lines_written, lines_dropped, write_errors) = global::counts();
    ProbeStats {
        enabled: global::global().is_some(),
        lines_written,
        lines_dropped,
        write_errors,
    }
}

/// Sets the probe up from `config` instead of the environment. Call it
/// before the first span; later calls (and calls after any span) return
/// [`InitError::AlreadyInitialized`](crate::InitError::AlreadyInitialized)
/// and change nothing.
pub fn init(config: crate::Config) -> Result<(), crate::InitError> {
    global::start(config)
}
