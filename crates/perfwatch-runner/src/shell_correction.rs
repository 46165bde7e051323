//! The shell start-up correction: what running a command through a shell
//! adds to its figures, measured once per run and subtracted from every
//! iteration of a shell command, as hyperfine does.
//!
//! Before the first iteration (after the `setup` hook) the runner runs the
//! empty script, `SHELL… -c ''` (same cwd, stdin and stdout as measured
//! iterations, the first shell variant's environment): [`WARMUPS`] runs
//! that are not kept, through the same spawn and supervision as measured
//! iterations, so that a broken shell is reported with its stderr; then
//! [`RUNS`] measured runs — fewer, but at least [`MIN_RUNS`], when they
//! take longer than [`BUDGET`] together, so that a slow shell does not
//! hold the run up. The spawner makes those back to back (see
//! `spawner::zygote::repeat`): each spawned, reaped and timed as a measured
//! command, from the same start to its exit as seen by a process woken by
//! it, but without the round trip to perfwatch between two runs (~0.3 ms
//! a run here), as hyperfine's own calibration loop. Without a spawner
//! they go one by one through the measured path. For `sh` the whole
//! correction takes well under 0.1 s.
//!
//! The correction is the **mean** wall, user and system time of those runs.
//! The mean, not the median, because what is subtracted is an expected
//! cost: the mean of the corrected iterations is then the mean of the raw
//! ones minus the shell's mean, with no bias from the shell's skew (its
//! start-up times have a long right tail). Each corrected figure is
//! clamped at zero. Peak memory, I/O and the timeline are not corrected.

use crate::cancel::Cancel;
use crate::command::{environment, shell_line, CommandLine};
use crate::error::{RunError, Termination};
use crate::measure::{spawn_and_watch, Context};
use crate::process::{repeat, Listeners, RunFigures, Runs, SpawnSpec, Stop};
use crate::spawner::RepeatEnd;
use perfwatch_model::{Iteration, ShellCorrection};
use std::time::{Duration, Instant};

/// Empty-shell runs not kept: the first start pays the caches and page
/// faults (`sh -c ''` here: the first run 0.84–1.17 ms, every later one
/// ~0.65 ms), the second no longer does. (Three were kept out before:
/// 1.3 ms more for every run of a shell command, for nothing.)
pub const WARMUPS: u32 = 1;
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
    let empty = EmptyShell {
        ctx,
        cmd: &cmd,
        env: &env,
        shell: &shell,
    };
    // The warm-ups go the way of a measured iteration: a shell that
    // fails is reported with the end of its stderr.
    for _ in 0..WARMUPS {
        empty.run_once(cancel)?;
    }
    let runs = match empty.repeated(cancel)? {
        Some(runs) => runs,
        None => empty.one_by_one(cancel)?,
    };
    let n = runs.len().max(1) as f64;
    let mean = |f: fn(&RunFigures) -> f64| runs.iter().map(f).sum::<f64>() / n;
    Ok(ShellCorrection {
        wall_s: mean(|r| r.wall.as_secs_f64()),
        user_s: mean(|r| r.user_s),
        sys_s: mean(|r| r.sys_s),
        runs: u32::try_from(runs.len()).unwrap_or(u32::MAX),
        shell,
    })
}

/// The empty script through the plan's shell, as it is run.
struct EmptyShell<'a> {
    ctx: &'a Context<'a>,
    cmd: &'a CommandLine,
    env: &'a [(String, String)],
    /// The shell as the user gave it, for messages.
    shell: &'a str,
}

impl EmptyShell<'_> {
    /// The measured runs back to back in the spawner, spawned, reaped and
    /// timed as measured iterations are but without a round trip to us in
    /// between (see `spawner::zygote::repeat`); `None` without a spawner.
    fn repeated(&self, cancel: &Cancel) -> Result<Option<Vec<RunFigures>>, RunError> {
        let plan = self.ctx.plan;
        let stdin = crate::streams::stdin(plan)?;
        let spec = SpawnSpec {
            program: &self.cmd.program,
            arg0: &self.cmd.arg0,
            args: &self.cmd.args,
            env: self.env,
            cwd: plan.cwd.as_deref(),
            show_output: plan.show_output,
            stdin: stdin.as_ref(),
            stdout: self.ctx.streams.stdout(),
        };
        let runs = Runs {
            max: RUNS,
            min: MIN_RUNS,
            budget: BUDGET,
            timeout: plan.timeout,
        };
        let Some(result) = repeat(spec, runs, cancel) else {
            return Ok(None);
        };
        let done =
            result.map_err(|e| RunError::io(format!("start the shell `{}`", self.shell), e))?;
        match done.end {
            RepeatEnd::Done => Ok(Some(done.runs)),
            RepeatEnd::Failed { status } | RepeatEnd::TimedOut { status } => {
                Err(self.failed(Termination::from_wait_status(status), None))
            }
            RepeatEnd::Stopped => Err(RunError::Interrupted),
        }
    }

    /// The measured runs one by one, as measured iterations (without a
    /// spawner).
    fn one_by_one(&self, cancel: &Cancel) -> Result<Vec<RunFigures>, RunError> {
        let mut runs = Vec::new();
        let since = Instant::now();
        for _ in 0..RUNS {
            if runs.len() >= MIN_RUNS as usize && since.elapsed() >= BUDGET {
                break;
            }
            runs.push(self.run_once(cancel)?);
        }
        Ok(runs)
    }

    /// One run through the measured iterations' path.
    fn run_once(&self, cancel: &Cancel) -> Result<RunFigures, RunError> {
        if cancel.is_cancelled() {
            return Err(RunError::Interrupted);
        }
        let plan = self.ctx.plan;
        let s = spawn_and_watch(
            self.ctx,
            self.cmd,
            self.env,
            plan.cwd.as_deref(),
            cancel,
            Listeners::default(),
        )?;
        if s.stopped == Some(Stop::Cancelled) {
            return Err(RunError::Interrupted);
        }
        if s.stopped.is_some() || !s.termination.success() {
            return Err(self.failed(s.termination, s.stderr_tail));
        }
        Ok(RunFigures {
            wall: s.wall,
            user_s: s.usage.user_s,
            sys_s: s.usage.sys_s,
        })
    }

    fn failed(&self, status: Termination, stderr_tail: Option<String>) -> RunError {
        RunError::ShellFailed {
            shell: self.shell.to_string(),
            status,
            stderr_tail,
        }
    }
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
