//! Statistical bisection over commits: which commit made the metric change.
//!
//! [`bisect`] works on a range of commits, oldest (the good endpoint)
//! first, through a [`Prober`] that runs commits and reports the metric of
//! each run (the CLI's prober builds each commit in its own git worktree;
//! the tests' prober draws from planted distributions).
//!
//! 1. **The endpoints first.** Good and bad run in interleaved rounds
//!    until the anytime-valid t-test of [`crate::adaptive`] decides (at
//!    least [`BisectOptions::endpoint_min_rounds`] rounds, so both
//!    references are well measured). Equivalent, or undecided within the
//!    budget: "no difference between the endpoints", and nothing is
//!    bisected.
//! 2. **References.** The endpoints' paired log differences give the
//!    size of the change, `Δ`, and its noise.
//! 3. **Steps.** The commit nearest the middle of the range still in
//!    question runs in rounds interleaved with both endpoints; each round
//!    gives the contrast `ln c − (ln good + ln bad)/2`, whose mean is
//!    `−Δ/2` for a commit like good and `+Δ/2` for one like bad, whatever
//!    the machine's drift since the endpoints were measured (all three
//!    move alike). Wald's SPRT
//!    ([`perfwatch_stats::sequential::classify`]) runs rounds while it is
//!    undecided, with error probabilities [`BisectOptions::step_error`]
//!    each way and the contrast's standard deviation from the endpoints'
//!    (raised to its one-sided 95 % upper confidence bound, so that
//!    endpoints measured with few rounds do not make a step
//!    overconfident). The three-way verdict is good, bad, or — when
//!    [`BisectOptions::step_max_runs`] rounds leave it undecided —
//!    *ambiguous*. A commit that fails to build or run is *skipped*, as
//!    `git bisect skip` does. Ambiguous and skipped commits are not
//!    guessed: the search moves to their neighbours.
//! 4. **The answer.** When no testable commit is left between the last
//!    good and the first bad one, the first bad commit is found; when
//!    skipped or ambiguous commits lie between them, the answer is the
//!    list of suspects. The first bad commit's effect is its runs against
//!    those of the last good commit (a Welch interval of the ratio of
//!    geometric means).

mod search;

pub use search::bisect;

use crate::adaptive::AdaptiveOptions;
use crate::history::SeriesMetric;
use perfwatch_stats::sequential::SafeTTest;

/// How a bisection measures and decides.
#[derive(Debug, Clone, PartialEq)]
pub struct BisectOptions {
    /// The metric: `wall_s`, another figure, or a stage's total.
    pub metric: SeriesMetric,
    /// The endpoints' adaptive comparison.
    pub endpoint: AdaptiveOptions,
    /// Fewest rounds of the endpoints (they are the references).
    pub endpoint_min_rounds: u32,
    /// Most rounds of the endpoints.
    pub endpoint_max_rounds: u32,
    /// Error probability of each step's classification, each way.
    pub step_error: f64,
    /// Most rounds of one step (each runs the commit and both endpoints)
    /// before it is called ambiguous; `None`: sized from the endpoints —
    /// three times the rounds a step is expected to need, at least
    /// [`MIN_STEP_ROUNDS`] and at most [`MAX_STEP_ROUNDS`].
    pub step_max_runs: Option<u32>,
}

impl Default for BisectOptions {
    fn default() -> Self {
        BisectOptions {
            metric: SeriesMetric::Metric(perfwatch_model::Metric::WallS),
            endpoint: AdaptiveOptions {
                test: SafeTTest::default(),
                ..AdaptiveOptions::default()
            },
            endpoint_min_rounds: 6,
            endpoint_max_rounds: 40,
            step_error: 1e-4,
            step_max_runs: None,
        }
    }
}

/// Fewest rounds a step's budget is sized to.
pub const MIN_STEP_ROUNDS: u32 = 12;

/// Most rounds a step's budget is sized to (more with `step_max_runs`).
pub const MAX_STEP_ROUNDS: u32 = 100;

/// What a prober returns for one run of commits.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Probe {
    /// Per commit asked for, in the order asked: the metric of each run
    /// that measured it.
    pub values: Vec<Vec<f64>>,
    /// The stored session of these runs.
    pub session_id: Option<String>,
}

/// Why a prober could not measure.
#[derive(Debug, Clone, PartialEq)]
pub enum ProbeError {
    /// The commit cannot be measured (it failed to build, or a run
    /// failed): skip it.
    Skip(String),
    /// Interrupted (Ctrl-C).
    Interrupted,
    /// Something that stops the bisection (the store failed…).
    Fatal(String),
}

/// Runs commits and reports their metric.
pub trait Prober {
    /// Run the commits at `positions` (indices into the range) in
    /// interleaved rounds — one run of each per round — calling `more`
    /// after each round with that round's values (`None` for a run that
    /// failed to give one), until it returns `false` or `max_rounds`
    /// rounds ran.
    fn run(
        &mut self,
        positions: &[usize],
        more: &mut dyn FnMut(&[Option<f64>]) -> bool,
        max_rounds: u32,
    ) -> Result<Probe, ProbeError>;

    /// The endpoints differ: each step is expected to need `expected`
    /// rounds and may run `budget` (for progress output).
    fn planned(&mut self, _expected: f64, _budget: u32) {}

    /// A step finished (for progress output).
    fn step_done(&mut self, _step: &perfwatch_model::investigation::BisectStep) {}
}

#[cfg(test)]
mod tests;
