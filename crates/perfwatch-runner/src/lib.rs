//! Spawns and measures commands for perfwatch.
//!
//! [`run`] executes a [`Plan`]: every iteration is a fresh process, its
//! figures measured honestly, and each finished [`Iteration`] is handed to
//! an [`Observer`] (the CLI commits it to the store) before the next one
//! starts.
//!
//! ```
//! use perfwatch_model::CommandSpec;
//! use perfwatch_runner::{run, Cancel, Plan, RunCount};
//!
//! let mut plan = Plan::new(CommandSpec { argv: vec!["true".into()], shell: false });
//! plan.runs = RunCount::exact(3);
//! let outcome = run(&plan, &mut [], &mut (), &Cancel::new()).unwrap();
//! assert_eq!(outcome.iterations.len(), 3);
//! assert!(outcome.iterations.iter().all(|it| it.exit_code == Some(0)));
//! ```
//!
//! # How figures are measured (Linux)
//!
//! * **Process.** Each iteration is spawned (directly, or by the plan's
//!   shell `-c` for shell commands) in its own process group, stdin from
//!   `/dev/null` or [`Plan::input`], stdout discarded unless `show_output`
//!   or [`Plan::output`] says otherwise, stderr drained by a thread that
//!   keeps the last 4 KiB (shown as the last 20 lines when it fails). The
//!   `perfwatch` binary spawns through its [`spawner`], a small process
//!   forked at start-up (see below); without it the runner spawns itself.
//! * **Wall time** runs on the monotonic clock from the spawner's fork of
//!   the command (or, spawning directly, from just before the spawn) until
//!   the exit is seen — its pidfd becomes readable, or a blocking
//!   `waitid(…, WEXITED | WNOWAIT)` returns — so the measurement's own
//!   bookkeeping after the exit is not counted.
//! * **CPU, peak memory, context switches** come from `wait4` on that
//!   child: its own figures plus those of the descendants it reaped —
//!   never `RUSAGE_CHILDREN` differences, which would mix in everything
//!   else this process ever waited for. `ru_maxrss` (KiB) becomes bytes;
//!   it is the peak of the child or of its largest reaped descendant, not
//!   of the tree at once (the sampler's `peak_tree_rss_bytes` is that).
//!   Caveat: `exec` charges the new program the peak resident size of the
//!   address space it replaces. Spawned through the [`spawner`] that is
//!   the spawner's forked child, which holds well under 1 MiB in a release
//!   build (~1.7 MiB unoptimised): small programs get their own peak, as
//!   GNU `time` reports it (`gzip` ~1.4 MiB). Spawned directly it is ours:
//!   the runner then resets its own peak to its current size before each
//!   spawn (`/proc/self/clear_refs`), so `max_rss_bytes` has a floor of
//!   the runner's *current* resident size (8–16 MiB for the CLI).
//! * **Storage I/O** (`read_bytes`, `write_bytes` of `/proc/<pid>/io`,
//!   which count bytes reaching storage, so page-cache hits and tmpfs do
//!   not appear; `cancelled_write_bytes` is not subtracted) is read from
//!   the exited, not yet reaped child, whose totals include the
//!   descendants it reaped. Descendants still alive then (left running,
//!   re-parented) are added with their current counters, and descendants
//!   that were orphaned and then reaped by someone else are added with
//!   their last sampled counters (see the `process` tree module). When
//!   `/proc/<pid>/io` cannot be read (permissions, a kernel without
//!   `CONFIG_TASK_IO_ACCOUNTING`) the figures are `None`, never 0. With
//!   sampling off, only the child and what it reaped are counted.
//! * **Timeline.** With `sample_interval` (default 50 ms) a thread samples
//!   the whole tree — found through `/proc/<pid>/task/*/children`, or a
//!   `/proc` scan where the kernel lacks those files — at once after the
//!   spawn and then periodically: CPU in % of one core (from
//!   utime+stime+cutime+cstime, so reaped children's time is not lost;
//!   clock-tick resolution), the sum of resident sets, threads,
//!   processes, storage bytes per second.
//! * **No process outlives its iteration.** When the command exits, what
//!   it left running is killed (SIGKILL to its process group and to every
//!   descendant the sampler followed). On timeout or cancel the group and
//!   the followed descendants get SIGTERM, then SIGKILL after 200 ms. A
//!   descendant that daemonised (`setsid`, a double fork) left the process
//!   group, and the sampler may never have seen it; but the process that
//!   forks the commands — the [`spawner`], or the caller of
//!   [`become_subreaper`] — is a child subreaper, so such a descendant is
//!   re-parented to it rather than to init, and once the command is reaped
//!   every process it left behind is found there, killed and reaped
//!   ([`Outcome::left_running`] counts them). Hooks may leave services
//!   running on purpose; only an interrupted hook is killed. If perfwatch
//!   itself is killed (even by SIGKILL), the spawner kills the commands
//!   and hooks still running and what they left running.
//! * **Environment** of an iteration: ours, the plan's `extra_env`, the
//!   variant's `env`, `PERFWATCH_ITERATION`, `PERFWATCH_VARIANT`, and what
//!   each [`SpanSource`] adds (`PERFWATCH_SPANS` for [`ProbeFileSource`]).
//!   Hooks get the same, without the span sources' variables.

mod assemble;
mod cancel;
mod command;
mod error;
pub mod gpu;
mod live;
mod measure;
mod observer;
mod plan;
mod probe_file;
mod process;
mod resolve;
pub mod schedule;
pub mod service;
mod service_iteration;
mod session;
pub mod shell_correction;
pub mod source;
pub mod spawner;
mod streams;

pub use assemble::{assemble, Assembled};
pub use cancel::{install_signal_handlers, Cancel, SECOND_SIGNAL};
pub use error::{signal_name, RunError, Termination};
pub use live::{LiveSink, SharedLive};
pub use observer::{Observer, ObserverError};
pub use plan::{Hooks, Order, Output, Plan, RunCount, ServicePlan};
pub use probe_file::{parse_span_lines, ProbeFileSource};
pub use resolve::{check, is_program};
pub use service::{RunningService, ServiceError, ServiceSpec, Stopped};
pub use session::{run, run_until, LeftRunning, NeverStop, Outcome, StopRule};

/// Make this process a child subreaper (`PR_SET_CHILD_SUBREAPER`), so
/// that what the commands it spawns directly leave running — daemonised
/// descendants included, which leave the process group and would go to
/// init — becomes its child and is killed and reaped as each iteration
/// ends (see [`Outcome::left_running`]).
///
/// The [`spawner`] is one already: call this where commands are spawned
/// directly, because [`spawner::start`] was not called or failed. The
/// setting is for the whole process and is not inherited by what it
/// forks. While a command runs, other children of this process are never
/// taken for its leftovers as long as they stay in its process group (as
/// `std::process::Command` leaves them) or started before the command.
pub fn become_subreaper() -> std::io::Result<()> {
    process::become_subreaper()
}
pub use source::{Collected, SpanSource, DEFAULT_MAX_SPANS};

#[doc(no_inline)]
pub use perfwatch_model::{Iteration, Sample, SessionStatus};
