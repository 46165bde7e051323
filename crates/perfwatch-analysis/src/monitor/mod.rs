//! Monitoring: per-stage baselines of a monitored pipeline's runs and the
//! regression alerts they raise, as pure functions of the stored runs (no
//! I/O, no clock) — [`evaluate`] replays the runs in order, so the same
//! runs always give the same alerts, with the same ids.
//!
//! # Slower
//!
//! After each run of a stage, the last `window` runs that have it (8 by
//! default; a stage missing from a run, or with a time that is not finite
//! or negative, skips that run) are tested against a **baseline**: the
//! saved baseline's runs when one is given, else the `baseline_runs` (50)
//! runs of the stage just before the window. While an alert of the stage
//! is open its baseline stays **frozen** as it was when the alert opened,
//! and when it resolves, the runs from its first run on that were above
//! the frozen 95th percentile are left out of later learned baselines:
//! slow runs never become the baseline.
//!
//! An alert **opens** when the baseline has at least `min_baseline` (10)
//! runs and, with `ratio = median(window) / median(baseline)`:
//!
//! 1. the window's median is above the baseline's 95th percentile — a
//!    median of the window, so one slow run (even 3×) never opens one;
//! 2. `ratio − 1 ≥ thresholds.low` (10 %);
//! 3. the one-sided Mann-Whitney test (Mann & Whitney 1947) of "the window
//!    is stochastically larger" gives `p < alpha` (0.01);
//! 4. the lower end of the ratio's 95 % interval is above 1: a seeded
//!    two-sample percentile bootstrap of the ratio of medians (Efron &
//!    Tibshirani 1993, §13), which unlike a log-scale t interval needs no
//!    normality and speaks of the same medians as `ratio`; it is computed
//!    only once tests 1–3 pass, so it costs nothing on a quiet stage.
//!
//! It **resolves** at the first run after which the window's median is at
//! or under the baseline's 95th percentile *and* `ratio − 1 < low`.
//! Between the opening and the resolving condition the state holds (the
//! hysteresis: a window hovering at the edge does not flap). After a
//! resolve the stage may open a new alert, with a new first run and id.
//!
//! # Over budget
//!
//! For each limit of the stage's [`StageBudget`] (by path, else by stage
//! name), an alert opens when the window's median of the figure — stage
//! time, peak RSS or CPU % over the last `window` runs that report it —
//! is above the limit, and resolves when it is back at or under it. It
//! needs no baseline, so it works from the `window`-th run on; a median
//! makes it sustained by construction. Its interval is the
//! order-statistic interval of the window's median over the limit.
//!
//! # Figures
//!
//! * **Severity** is `thresholds.classify(ratio − 1)` (at least `Low` for
//!   a budget), the highest reached while open: the ratio, interval and
//!   p-value reported are those of the window with the highest ratio while
//!   open (the interval and p-value are recomputed only when a window
//!   beats the previous highest ratio).
//! * **First run**: in the window that opened the alert (from the run
//!   after the one that resolved the stage's previous alert of the kind,
//!   so that ids never repeat), the earliest run above the threshold from which the runs above it outnumber the
//!   others in every stretch up to the window's end (see
//!   `deviation_start`). The threshold is the budget's limit, or for
//!   `Slower` the larger of the baseline's 95th percentile and the
//!   midpoint between its median and the window's median — a run counts
//!   as slow when it is nearer the slow level than the normal one, so a
//!   normal run that is high by chance just before the change is not
//!   taken for its start.
//! * **Id**: [`alert_id`] of pipeline, stage, kind and first run.
//! * **Sub-stages first**: a `Slower` alert is left out when alerts of its
//!   stage's sub-stages, over the same runs, account for at least half the
//!   time it gained (the slower `video/_2_asr`, not the slower `video`).

mod alert;
mod baseline;
mod budget;
mod byte_size;
mod evaluate;
mod learned_window;
mod options;
mod over_budget;
mod reference;
mod run_point;
mod slower;
mod sub_stages;
mod tracked;
mod window_stats;

#[cfg(test)]
mod tests;

pub use alert::{alert_id, Alert, AlertKind, AlertState, RunRef};
pub use baseline::{stage_baselines, BaselineSource, StageBaseline};
pub use budget::{budget_for, BudgetWhat, StageBudget, BUDGET_BOUND};
pub use byte_size::parse_byte_size;
pub use evaluate::evaluate;
pub use options::{
    MonitorOptions, MonitorOptionsError, ALPHA_BOUND, DEFAULT_ALPHA, DEFAULT_BASELINE_RUNS,
    DEFAULT_MIN_BASELINE, DEFAULT_WINDOW, MIN_BASELINE_BOUND, WINDOW_BOUND,
};
pub use run_point::{RunPoint, StageFigures, PROCESS_MEMORY};
