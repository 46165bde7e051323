//! criterion.rs results (`target/criterion/<id>/new/`) as sessions.
//!
//! criterion writes, per benchmark and run, into `<id>/new/`:
//! `estimates.json` (bootstrap statistics of the per-run time: `mean`,
//! `median`, `median_abs_dev`, `std_dev`, optional `slope`, each a
//! `point_estimate` with a `confidence_interval`, in nanoseconds for the
//! default wall-time measurement), `sample.json` (`iters` and `times`: for
//! each sample, how many runs it timed and their total nanoseconds) and
//! `benchmark.json` (the id: `group_id`, `function_id`, `value_str`,
//! `throughput`). `base/` (or a `--save-baseline` name) holds a copy of an
//! earlier run; `change/estimates.json` holds relative changes.
//!
//! Mapping: one session per benchmark, with one variant `default`.
//! With `sample.json`, each sample becomes an iteration whose `wall_s` is
//! the sample's time per run (`times[i] / iters[i]` ns) — the same per-sample
//! values criterion's own statistics are computed from, so `n` is the number
//! of samples, not of runs. Without `sample.json`, the session gets ONE
//! iteration holding the median point estimate; statistics on one point are
//! inconclusive, and the variant's description says so. criterion records a
//! sample only when the routine returned, so every iteration has exit code
//! 0. Times are read as nanoseconds: a custom `Measurement` with another
//! unit is imported as if it were nanoseconds.
//!
//! The benchmark name is the id from `benchmark.json`
//! (`group/function/value`); without it, the directories under the walked
//! root (or after a `criterion` directory) that lead to the run directory.
//! The session's command is `cargo bench -- --exact <id>`, which reruns that
//! benchmark; it starts at the modification time of `estimates.json`, and
//! its import origin is that file and the SHA-256 of its bytes.

mod files;
mod import;

pub use import::{import_criterion, parse_run, ParsedRun};
