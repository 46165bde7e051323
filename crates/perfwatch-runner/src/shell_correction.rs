//! The shell start-up correction: what running a command through a shell
//! adds to its figures, measured once per run and subtracted from every
//! iteration of a shell command, as hyperfine does.
//!
//! Before the first iteration (after the `setup` hook) the runner runs the
//! empty script, `SHELL… -c ''`, through the same spawn and supervision as
//! measured iterations (same cwd, the first shell variant's environment,
//! the same sampling): [`WARMUPS`] runs that are not kept, then [`RUNS`]
//! measured runs — fewer, but at least [`MIN_RUNS`], when they take longer
//! than [`BUDGET`] together, so that a slow shell does not hold the run up.
//! For `sh` the whole correction takes well under 0.3 s.
//!
//! The correction is the **mean** wall, user and system time of those runs.
//! The mean, not the median, because what is subtracted is an expected
//! cost: the mean of the corrected iterations is then the mean of the raw
//! ones minus the shell's mean, with no bias from the shell's skew (its
//! start-up times have a long right tail). Each corrected figure is
//! clamped at zero. Peak memory, I/O and the timeline are not corrected.

use crate::cancel::Cancel;
use crate::command::{environment, shell_line};
use crate::error::RunError;
use crate::measure::{spawn_and_watch, Context};
use crate::process::Listeners;
use crate::process::Stop;
use perfwatch_model::{Iteration, ShellCorrection};
use std::time::{Duration, Instant};

/// Empty-shell runs not kept (caches, page faults of the first start).
pub const WARMUPS: u32 = 3;
/// Empty-shell runs the mean is taken over (hyperfine: 50).
pub const RUNS: u32 = 50;
/// Fewest measured runs, whatever [`BUDGET`] says.
pub const MIN_RUNS: u32 = 10;
/// Once this much time went into measured runs (and [`MIN_RUNS`] are
/// done), no more are started.
pub const BUDGET: Duration = Duration::from_secs(1);

/// Measure the empty shell of `ctx`'s plan.
pub(crate) fn measure(ctx: &Context<'_>, cancel: &Cancel) -> Result<ShellCorrection, RunError> {
    let plan = ctx.plan;
    let shell = plan.shell.join(" ");
    let cmd = shell_line(plan, ctx.resolved, String::new())
        .ok_or_else(|| RunError::InvalidPlan("the shell is empty".into()))?;
    let variant = (0..plan.variants.len())
        .find(|&v| plan.command_for(v).shell)
        .and_then(|v| plan.variants.get(v));
    let env = environment(plan, variant, None);
    let mut sums = (0.0, 0.0, 0.0);
    let mut runs = 0;
    let mut measuring_since = None;
    for n in 0..WARMUPS + RUNS {
        if n >= WARMUPS {
            let since = *measuring_since.get_or_insert_with(Instant::now);
            if runs >= MIN_RUNS && since.elapsed() >= BUDGET {
                break;
            }
        }
        if cancel.is_cancelled() {
            return Err(RunError::Interrupted);
        }
        let s = spawn_and_watch(
            ctx,
            &cmd,
            &env,
            ctx.plan.cwd.as_deref(),
            cancel,
            Listeners::default(),
        )?;
        if s.stopped == Some(Stop::Cancelled) {
            return Err(RunError::Interrupted);
        }
        if s.stopped.is_some() || !s.termination.success() {
            return Err(RunError::ShellFailed {
                shell,
                status: s.termination,
                stderr_tail: s.stderr_tail,
            });
        }
        if n >= WARMUPS {
            sums.0 += s.wall.as_secs_f64();
            sums.1 += s.usage.user_s;
            sums.2 += s.usage.sys_s;
            runs += 1;
        }
    }
    let mean = |sum: f64| sum / f64::from(runs.max(1));
    Ok(ShellCorrection {
        shell,
        wall_s: mean(sums.0),
        user_s: mean(sums.1),
        sys_s: mean(sums.2),
        runs,
    })
}

/// Subtract `c` from the times of `it`, an iteration of a shell command,
/// clamped at zero.
pub(crate) fn apply(it: &mut Iteration, c: &ShellCorrection) {
    it.wall_s = (it.wall_s - c.wall_s).max(0.0);
    it.user_s = it.user_s.map(|t| (t - c.user_s).max(0.0));
    it.sys_s = it.sys_s.map(|t| (t - c.sys_s).max(0.0));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn corrected_times_are_clamped_at_zero_and_absent_ones_stay_absent() {
        let c = ShellCorrection {
            shell: "sh".into(),
            wall_s: 0.002,
            user_s: 0.001,
            sys_s: 0.001,
            runs: 50,
        };
        let mut it = Iteration {
            wall_s: 0.010,
            user_s: Some(0.0005),
            sys_s: None,
            ..Iteration::default()
        };
        apply(&mut it, &c);
        assert!((it.wall_s - 0.008).abs() < 1e-12);
        assert_eq!((it.user_s, it.sys_s), (Some(0.0), None));
    }
}
