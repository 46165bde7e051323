//! The perfwatch probe: a program reports its own stages to perfwatch.
//!
//! When `perfwatch run` starts a program it sets `PERFWATCH_SPANS` to a
//! file; the probe appends one JSON line per span, counter and gauge there
//! (the span file format of `perfwatch_model::span_file`). Without that
//! variable the probe is off and a span costs a load and a branch.
//!
//! ```
//! use perfwatch::{counter, gauge, span};
//!
//! #[perfwatch::profile(tier = Method, component = "download_manager")]
//! fn download(url: &str) -> Result<usize, String> {
//!     counter!("bytes", url.len());
//!     if url.is_empty() { Err("no url".into()) } else { Ok(url.len()) }
//! }
//!
//! fn main() {
//!     let _job = span!("job", tier = System);
//!     for url in ["a", "bb", ""] {
//!         let _s = span!("item", tier = Component);
//!         let _ = download(url); // the "" call is recorded as failed
//!     }
//!     gauge!("pool.size", 8.0);
//!     perfwatch::flush(); // also done in the background and at exit
//! }
//! ```
//!
//! # What is recorded
//!
//! * [`span!`] and [`#[profile]`](profile) open a span; nesting on one
//!   thread makes parents. Failed calls ([`Span::fail`], an `Err` from a
//!   `#[profile]` function, a panic) are written with `"ok": false`.
//! * Past 1,000 calls of one stage under one parent on one thread
//!   ([`Config::max_calls_per_stage`]), further calls are folded into `agg`
//!   records (calls, failures, summed time), so hot loops stay cheap and
//!   small. Such a record may be written in several parts with the same id,
//!   each counting the calls since the previous part; spans opened inside
//!   folded calls have that id as their parent (and fold in turn). Deep
//!   recursion is bounded too: past ten times the cap, a stage's calls on a
//!   thread fold into one aggregate whatever their parent.
//! * [`counter!`] sums into the current span; [`gauge!`] records readings.
//! * With [`CountingAlloc`] as the global allocator, spans carry
//!   `alloc_bytes` and `allocs` attributes.
//! * With the `tracing` feature, `tracing` spans become stages through
//!   `tracing_layer()`.
//! * Child processes: pass [`child_env`] to them so that their spans nest
//!   under the current one; the probe reads `PERFWATCH_PARENT_SPAN` itself.
//!
//! # Levels
//!
//! `PERFWATCH_LEVEL=system|component|method|operation` (or
//! [`Config::level`]) records spans of that tier and coarser ones only, as
//! the seeds' `PERFORMANCE_MONITORING_LEVEL` did; a finer span costs what
//! a span costs with recording on but declined (a load and a compare past
//! the off check). Spans without a tier always record. The Python probe
//! reads the same variable.
//!
//! # Cost
//!
//! Off (no `PERFWATCH_SPANS`) or paused: one load and a branch per span
//! (under a nanosecond). On: two reads of the CPU's time-stamp counter
//! (where the kernel trusts it; the monotonic clock elsewhere) and some
//! bookkeeping on the thread's own data: no lock, no locked instruction and
//! no allocation per span in a hot loop (about 20 ns per span on a 2-core
//! x86-64 VM, see `benches/span_cost.rs`). Records wait in a per-thread ring
//! that a background thread writes out every 100 ms, in whole lines,
//! appended (`O_APPEND`) so that several processes can share the file; a
//! thread whose ring fills hands it over, and writes itself only when the
//! writer falls far behind. A failed write drops lines (see [`stats`]) and
//! never panics.
//!
//! # Exit
//!
//! Everything is written when the process exits normally (returning from
//! `main` or [`std::process::exit`]): the exiting thread's open spans are
//! closed and written with the attribute `closed_at_exit`; the folded
//! stages and counters of every thread are written. Spans still open on
//! *other* threads at exit are not written. Before [`std::process::abort`]
//! or a fatal signal, call [`flush`].

mod alloc;
mod children;
mod clock;
mod config;
mod encode;
mod future;
mod fxhash;
mod global;
mod macros;
mod record;
mod ring;
mod slots;
mod span;
mod thread;
mod tier;
#[cfg(feature = "tracing")]
mod tracing_layer;

pub use alloc::{thread_allocations, Allocations, CountingAlloc};
pub use config::{
    Config, InitError, DEFAULT_MAX_CALLS, ENV_CLOCK, ENV_LEVEL, ENV_MAX_CALLS, ENV_PARENT_SPAN,
    ENV_SPANS,
};
pub use future::{instrument, instrument_result, Instrumented};
pub use span::{
    child_env, counter, current_span_id, flush, gauge, init, is_enabled, set_max_calls_per_stage,
    set_recording, stats, ProbeStats, Span,
};
pub use tier::{Site, Tier};
#[cfg(feature = "tracing")]
pub use tracing_layer::{tracing_layer, PerfwatchLayer};

/// Records a span around each call of a function.
///
/// ```
/// #[perfwatch::profile]
/// fn parse(input: &str) -> usize { input.len() }
///
/// #[perfwatch::profile(name = "load", tier = Method, component = "store")]
/// fn load_rows(n: usize) -> Result<Vec<u32>, std::io::Error> { Ok(vec![0; n]) }
///
/// #[perfwatch::profile(tier = Operation)]
/// async fn fetch(id: u32) -> Result<u32, String> { Ok(id) }
/// # parse("x"); load_rows(2).unwrap();
/// ```
///
/// The stage is named after the function unless `name = "…"` is given;
/// `tier` and `component` are optional. When the function's return type is
/// written `Result<…>` (any path ending in `Result`), an `Err` marks the
/// call failed; a return type containing `impl Trait` is recorded without
/// that check. `async fn`s are recorded from the first poll to completion
/// (see [`instrument`]).
#[cfg(feature = "macros")]
pub use perfwatch_macros::profile;

/// Items the macros expand to; not part of the public API.
#[doc(hidden)]
pub mod __private {
    /// True for an `Err`.
    pub fn is_err<T, E>(result: &Result<T, E>) -> bool {
        result.is_err()
    }
}
