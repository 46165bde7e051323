//! What to run: the command, its variants, how many times, with which hooks.

use crate::source::DEFAULT_MAX_SPANS;
use perfwatch_model::{CommandSpec, VariantSpec};
use std::path::PathBuf;
use std::time::Duration;

/// A validated description of a run, built by the CLI from arguments and
/// configuration. [`crate::check`] validates it without running anything.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// The command: argv executed directly, or with `shell` the string
    /// `argv[0]` run by [`Plan::shell`] `-c`.
    pub command: CommandSpec,
    /// The shell of shell commands, as an argv prefix run as
    /// `SHELL… -c SCRIPT` and found in `PATH` (default `["sh"]`; e.g.
    /// `["bash", "--norc"]`). Hooks always run with `sh`.
    pub shell: Vec<String>,
    /// Measure the empty shell (`SHELL… -c ''`) before the measured
    /// iterations and subtract its mean wall, user and system time from
    /// every iteration of a shell command, as hyperfine does (default
    /// true; see [`crate::shell_correction`]). Nothing is measured when
    /// no variant runs through the shell.
    pub shell_correction: bool,
    /// At least one variant; each adds environment and arguments.
    pub variants: Vec<VariantSpec>,
    /// How many measured iterations per variant.
    pub runs: RunCount,
    /// Warm-up iterations per variant, run before any measured one.
    pub warmup: u32,
    /// Shell hooks around the iterations.
    pub hooks: Hooks,
    /// Kill an iteration that runs longer than this (it is kept, marked
    /// `timed_out`, and excluded from statistics).
    pub timeout: Option<Duration>,
    /// Period of the resource sampler; `None` turns sampling off.
    pub sample_interval: Option<Duration>,
    /// Keep going when the command exits non-zero or is killed by a signal.
    pub ignore_failure: bool,
    /// Keep going when the command exits with one of these codes (the
    /// others stop the run, unless `ignore_failure`).
    pub ignore_exit_codes: Vec<i32>,
    /// Order of the measured iterations across variants.
    pub order: Order,
    /// Environment given to every iteration and hook (variants override it).
    pub extra_env: Vec<(String, String)>,
    /// Working directory of the command and hooks; `None` = ours.
    pub cwd: Option<PathBuf>,
    /// Per variant, in plan order: a working directory of the variant's
    /// own for its measured command (hooks stay in [`Plan::cwd`]); e.g.
    /// one checkout per commit. Empty: every variant uses `cwd`.
    pub variant_cwd: Vec<Option<PathBuf>>,
    /// Let the command's stdout and stderr through to ours (stderr is
    /// still captured for error messages).
    pub show_output: bool,
    /// Where the measured command's standard output goes (hooks: as
    /// `show_output` says).
    pub output: Output,
    /// The file the measured command reads as standard input, from its
    /// start for every iteration; `None`: `/dev/null`.
    pub input: Option<PathBuf>,
    /// Most span records (`span` and `agg`) kept per iteration, over all
    /// span sources together (default [`DEFAULT_MAX_SPANS`]); later ones
    /// are counted as dropped ([`OVER_SPAN_LIMIT`](crate::source::OVER_SPAN_LIMIT))
    /// as they arrive, and the run goes on.
    pub max_spans: usize,
    /// What reads the GPUs at each timeline sample (see [`crate::gpu`]);
    /// `None`: no GPU figures. Only read while sampling is on.
    pub gpu: Option<crate::gpu::SharedGpu>,
    /// Hears each sample and span file of the running iteration, for a
    /// live view; `None`: nobody.
    pub live: Option<crate::SharedLive>,
    /// A service benchmark: the command is a service, started per
    /// iteration, loaded and stopped (see [`ServicePlan`]); `None`: a
    /// command that ends.
    pub service: Option<ServicePlan>,
}

/// What makes every iteration of a plan a service's: start the command on
/// a free loopback port (`{port}` in its arguments and environment), wait
/// until it is ready, scrape its metrics, drive the load, scrape again,
/// stop it with SIGTERM.
#[derive(Debug, Clone, PartialEq)]
pub struct ServicePlan {
    /// How readiness is told (`{port}` replaced).
    pub ready: crate::service::Ready,
    /// Give up when it is not ready this long after the spawn.
    pub ready_timeout: Duration,
    /// How long to wait for its exit after SIGTERM before killing it.
    pub stop_timeout: Duration,
    /// Its Prometheus text exposition (`http://127.0.0.1:{port}/metrics`),
    /// scraped before and after the load; `None`: not scraped.
    pub metrics: Option<String>,
    /// The load; its `target` may hold `{port}` (default
    /// `http://127.0.0.1:{port}`). A variant with a parameter named
    /// `rate` or `concurrency` (a scan) sets the model's figure. `None`:
    /// start-up and shutdown only.
    pub load: Option<perfwatch_load::LoadSpec>,
}

impl Plan {
    /// Default sampling period ([`Plan::sample_interval`]).
    pub const DEFAULT_SAMPLE_INTERVAL: Duration = Duration::from_millis(50);

    /// The longest [`Plan::timeout`] a plan takes: a year. Front ends
    /// refuse longer ones; [`crate::check`] does too.
    pub const MAX_TIMEOUT: Duration = Duration::from_secs(365 * 24 * 3600);

    /// Whether a failed iteration (`exit_code`, `signal`) lets the run go
    /// on: with [`Plan::ignore_failure`], or an exit code of
    /// [`Plan::ignore_exit_codes`].
    pub fn ignores_failure(&self, exit_code: Option<i32>, signal: Option<i32>) -> bool {
        self.ignore_failure
            || signal.is_none() && exit_code.is_some_and(|c| self.ignore_exit_codes.contains(&c))
    }

    /// Whether any variant's command runs through [`Plan::shell`].
    pub fn uses_shell(&self) -> bool {
        (0..self.variants.len()).any(|v| self.command_for(v).shell)
    }

    /// The command variant `v` runs: its own, or the plan's.
    pub fn command_for(&self, v: usize) -> &CommandSpec {
        self.variants
            .get(v)
            .and_then(|variant| variant.command.as_ref())
            .unwrap_or(&self.command)
    }

    /// The working directory of variant `v`'s measured command.
    pub fn cwd_for(&self, v: usize) -> Option<&std::path::Path> {
        match self.variant_cwd.get(v) {
            Some(Some(own)) => Some(own),
            _ => self.cwd.as_deref(),
        }
    }

    /// A plan with defaults: one variant named `default`, [`RunCount::default`],
    /// no warm-up, no hooks, no timeout, sampling every 50 ms, interleaved,
    /// at most [`DEFAULT_MAX_SPANS`] spans per iteration, shell commands
    /// run by `sh` with the start-up correction.
    pub fn new(command: CommandSpec) -> Plan {
        Plan {
            command,
            shell: vec!["sh".into()],
            shell_correction: true,
            variants: vec![VariantSpec {
                name: "default".into(),
                ..VariantSpec::default()
            }],
            runs: RunCount::default(),
            warmup: 0,
            hooks: Hooks::default(),
            timeout: None,
            sample_interval: Some(Plan::DEFAULT_SAMPLE_INTERVAL),
            ignore_failure: false,
            ignore_exit_codes: Vec::new(),
            order: Order::default(),
            extra_env: Vec::new(),
            cwd: None,
            variant_cwd: Vec::new(),
            show_output: false,
            output: Output::Null,
            input: None,
            max_spans: DEFAULT_MAX_SPANS,
            gpu: None,
            live: None,
            service: None,
        }
    }
}

/// How many measured iterations each variant gets.
///
/// With `exact`, exactly that many. Otherwise, like hyperfine, iterations
/// continue until both `min_runs` and `min_time` are reached, but never
/// beyond `max_runs`. See [`crate::schedule`] for how variants share
/// `min_time`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunCount {
    /// Exactly this many measured iterations per variant.
    pub exact: Option<u32>,
    /// At least this many (default [`RunCount::DEFAULT_MIN_RUNS`]).
    pub min_runs: u32,
    /// At most this many.
    pub max_runs: Option<u32>,
    /// Measure at least this long per variant (default
    /// [`RunCount::DEFAULT_MIN_TIME`]).
    pub min_time: Duration,
}

impl Default for RunCount {
    fn default() -> Self {
        RunCount {
            exact: None,
            min_runs: RunCount::DEFAULT_MIN_RUNS,
            max_runs: None,
            min_time: RunCount::DEFAULT_MIN_TIME,
        }
    }
}

impl RunCount {
    /// Default [`RunCount::min_runs`].
    pub const DEFAULT_MIN_RUNS: u32 = 10;

    /// Default [`RunCount::min_time`].
    pub const DEFAULT_MIN_TIME: Duration = Duration::from_secs(3);

    /// Exactly `n` measured iterations per variant.
    pub fn exact(n: u32) -> RunCount {
        RunCount {
            exact: Some(n),
            ..RunCount::default()
        }
    }
}

/// Shell hooks (`sh -c`), each optional.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Hooks {
    /// Once before everything.
    pub setup: Option<String>,
    /// Before each iteration, warm-ups included.
    pub prepare: Option<String>,
    /// After each iteration, warm-ups included.
    pub conclude: Option<String>,
    /// Once after everything, also after a failure or an interrupt.
    pub cleanup: Option<String>,
    /// Per variant, in plan order: a `prepare` of the variant's own that
    /// replaces [`Hooks::prepare`] (hyperfine's `--prepare` given once per
    /// command). Empty: every variant uses the common one.
    pub variant_prepare: Vec<Option<String>>,
    /// Per variant, in plan order: a `conclude` replacing [`Hooks::conclude`].
    pub variant_conclude: Vec<Option<String>>,
}

impl Hooks {
    /// The `prepare` hook of variant `v`.
    pub fn prepare_for(&self, v: usize) -> Option<&String> {
        match self.variant_prepare.get(v) {
            Some(own) => own.as_ref(),
            None => self.prepare.as_ref(),
        }
    }

    /// The `conclude` hook of variant `v`.
    pub fn conclude_for(&self, v: usize) -> Option<&String> {
        match self.variant_conclude.get(v) {
            Some(own) => own.as_ref(),
            None => self.conclude.as_ref(),
        }
    }
}

/// Where a measured command's standard output goes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Output {
    /// `/dev/null` (or ours with [`Plan::show_output`]).
    #[default]
    Null,
    /// A pipe that perfwatch reads and discards (for programs that write
    /// differently to a pipe than to a file).
    Pipe,
    /// Ours.
    Inherit,
    /// This file, truncated once at the start of the run; every iteration
    /// appends.
    File(PathBuf),
}

/// Order of measured iterations across variants.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Order {
    /// A B A B …: each round runs every variant once, in plan order.
    #[default]
    Interleaved,
    /// Shuffled blocks: each round runs every variant once, in an order
    /// drawn from a generator seeded with `seed` (reproducible).
    Shuffled {
        /// Seed of the generator.
        seed: u64,
    },
    /// All iterations of the first variant, then the next, …
    Sequential,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listed_exit_codes_are_ignored_and_nothing_else() {
        let mut plan = Plan::new(CommandSpec {
            argv: vec!["true".into()],
            shell: false,
        });
        plan.ignore_exit_codes = vec![3, 9];
        assert!(plan.ignores_failure(Some(3), None));
        assert!(!plan.ignores_failure(Some(5), None));
        // A kill by signal 9 is not exit code 9.
        assert!(!plan.ignores_failure(None, Some(9)));
        plan.ignore_failure = true;
        assert!(plan.ignores_failure(None, Some(9)));
        assert!(plan.ignores_failure(Some(5), None));
    }
}
