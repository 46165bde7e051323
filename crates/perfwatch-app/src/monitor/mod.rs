//! Monitoring real runs: programs running anywhere send their traces over
//! OTLP to the team server, and each trace becomes one run of a
//! *monitored pipeline*, stored as an iteration so that history, change
//! points, compare and the dashboard work on it as on a benchmark.
//!
//! * **A run** is a trace: its root span (no parent) is the run, its
//!   descendants are the run's stages (tiers and components as the
//!   per-iteration receiver maps them). The pipeline is named
//!   `SERVICE/ROOT` (`service.name` of the resource, the root span's
//!   name).
//! * **Complete** when its root span has arrived and `settle` has passed
//!   since, for late children; spans of a trace already stored are counted
//!   as `late`, never silently lost ([`Assembler`]).
//! * **Sessions** group runs per pipeline, version (`service.version`,
//!   else `vcs.ref.head.revision`, else `perfwatch.version`; the
//!   session's `program_version`) and UTC day; the session id is derived
//!   from the three, so a restarted server appends to the same session
//!   ([`store_runs`]). Every session has the one variant
//!   [`MONITORED_VARIANT`], so a pipeline's history is one series across
//!   versions and days, and its change points name the version.
//! * **Application metrics** the program sends over OTLP with the same
//!   resource are attached to the runs they were observed during
//!   ([`MetricBuffer`]) and stored with them.

mod alerts;
mod assembler;
mod run_cache;
pub mod run_metrics;
mod sessions;
#[cfg(any(test, feature = "test-support"))]
pub mod test_runs;
pub mod webhooks;

pub use alerts::{
    is_monitored, judge_pipelines, monitored_runs, monitored_runs_cached, pipeline_alerts,
    MonitorConfig, REPLAYED_RUNS,
};
pub use assembler::{Assembler, AssemblerCounts, CompletedRun, MAX_SPANS_PER_TRACE, MAX_TRACES};
pub use run_cache::{IterationCache, Kept, RecentRuns, RunCache};
pub use run_metrics::{MetricBuffer, KEEP_NS, MAX_POINTS, MAX_RUNS_PER_RESOURCE};
pub use sessions::{
    session_id, store_runs, MonitoredSessions, StoredRuns, MONITORED_PREFIX, MONITORED_VARIANT,
    UNVERSIONED,
};
